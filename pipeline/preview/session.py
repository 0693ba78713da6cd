"""What the preview shows and how it is kept up to date: load, compose, render the changed, rasterise.

A refresh runs the build's own stages: `load_project` (all content validated, every
problem located), `compose_factsheet`/`compose_handbook`/`compose_pack`, then the PDF renderer in a
warm worker. Only documents whose composed model changed since their last render are
rendered again (the build's rule: the model is the fingerprint), so saving a French
topic leaves the English pages alone. A template change renders everything, in fresh
workers.

Invalid content or a failed render leaves the last good pages in place and shows the
problems above them. Every change of state bumps a revision number and wakes the
server's event streams, which tell the browser to fetch the new state.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.content.model import Document
from pipeline.engine.workers import default_workers
from pipeline.errors import ContentError, PipelineError, display_path
from pipeline.paths import TEMPLATES_DIR
from pipeline.preview.pages import PageImage, rasterise
from pipeline.preview.worker import RenderWorker, WorkerStopped


@dataclass(frozen=True)
class Target:
    """The document to preview: one topic's factsheet, the handbook, or a briefing pack
    (`topic` is then the pack's id)."""

    kind: Literal["factsheet", "handbook", "pack"]
    topic: str | None = None

    @property
    def label(self) -> str:
        return "handbook" if self.kind == "handbook" else f"{self.kind} {self.topic}"


@dataclass
class Pages:
    """The last good rendering of the document in one language."""

    generation: int
    title: str
    images: list[PageImage]
    directory: Path


@dataclass
class _State:
    rev: int = 0
    content_errors: list[str] = field(default_factory=list)
    render_errors: dict[str, str] = field(default_factory=dict)
    pages: dict[str, Pages] = field(default_factory=dict)
    busy: set[str] = field(default_factory=set)
    langs: list[str] = field(default_factory=list)


class PreviewSession:
    """The state behind the preview page; `refresh` is called by one thread (the watcher)."""

    def __init__(self, content_root: Path, target: Target, langs: Iterable[str] = (), workers: int | None = None):
        self.content_root = content_root
        self.target = target
        self.wanted_langs = list(langs)
        self.tmp = Path(tempfile.mkdtemp(prefix="pipeline-preview-"))
        self._state = _State(langs=list(self.wanted_langs))
        self._changed = threading.Condition()
        self._closed = False
        self._files: dict[str, Path] = {}  # served image name -> file; nothing else is ever served
        self._retired: dict[str, Path] = {}  # language -> folder of its replaced pages
        self._rendered: dict[str, str] = {}  # language -> repr of the model last rendered
        self._generation = 0
        size = workers or max(1, min(len(self.wanted_langs) or 2, default_workers()))
        self._workers = [RenderWorker("pdf") for _ in range(size)]
        self._idle: queue.SimpleQueue[RenderWorker] = queue.SimpleQueue()
        for worker in self._workers:
            self._idle.put(worker)

    # --- what the server reads ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The state as the page's script reads it (JSON-ready)."""
        with self._changed:
            state = self._state
            langs = state.langs or sorted(state.pages)
            return {
                "rev": state.rev,
                "document": self.target.label,
                "langs": langs,
                "busy": [lang for lang in langs if lang in state.busy],
                "errors": state.content_errors + [f"{lang}: {state.render_errors[lang]}"
                                                  for lang in langs if lang in state.render_errors],
                "pages": {lang: _pages_json(state.pages[lang]) for lang in langs if lang in state.pages},
            }

    def image(self, name: str) -> Path | None:
        """The file of a page image this session made, by the name it published; else None."""
        with self._changed:
            return self._files.get(name)

    def wait_for_change(self, seen: int, timeout: float) -> int | None:
        """Block until the revision differs from `seen` (or `timeout`); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.rev != seen, timeout=timeout)
            return None if self._closed else self._state.rev

    # --- what the watcher calls --------------------------------------------------------

    def refresh(self, changed: Iterable[Path] = ()) -> None:
        """Reload the content and re-render what changed; never raises for bad content."""
        if any(_is_under(path, TEMPLATES_DIR) for path in changed):
            for worker in self._workers:
                worker.restart()  # the renderer caches stylesheets per process
            self._rendered.clear()
        try:
            documents, errors = self._compose()
        except Exception as exc:  # a bug in a stage must not stop the preview: show it, keep watching
            documents, errors = None, [f"{type(exc).__name__} while loading the content: {exc}"]
        if documents is None:
            self._update(content_errors=errors)
            return
        todo = {lang: doc for lang, doc in documents.items() if self._rendered.get(lang) != repr(doc)}
        self._update(content_errors=errors, busy=set(todo), langs=list(documents) or None)
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=len(self._workers), thread_name_prefix="preview-render") as pool:
            futures = {pool.submit(self._render, lang, doc): (lang, doc) for lang, doc in todo.items()}
            for future in as_completed(futures):
                lang, doc = futures[future]
                try:
                    pages = future.result()
                except WorkerStopped:
                    self._update(done=lang)  # stopping: nothing to show, nothing to remember
                    continue
                except Exception as exc:
                    self._rendered[lang] = repr(doc)  # the same model would fail the same way
                    self._update(done=lang, render_error=(lang, describe(exc)))
                    continue
                self._rendered[lang] = repr(doc)
                self._update(done=lang, pages=(lang, pages))

    def _compose(self) -> tuple[dict[str, Document] | None, list[str]]:
        """The models to show, or None with the located problems when the content is invalid."""
        from pipeline.content.project import load_project
        from pipeline.render.compose import compose_factsheet, compose_handbook, compose_pack

        try:
            project = load_project(self.content_root)
        except ContentError as exc:
            return None, [str(problem) for problem in exc.problems]
        except PipelineError as exc:
            return None, [exc.format_message()]
        errors = []
        langs = self.wanted_langs or list(project.edition.languages)
        unknown = [lang for lang in langs if lang not in project.languages]
        errors += [f"{display_path(self.content_root)}: no language folder '{lang}' (asked for by --lang)"
                   for lang in unknown]
        documents = {}
        if self.target.kind == "factsheet" and self.target.topic not in project.topic_ids:
            errors.append(f"{display_path(self.content_root / 'edition.yaml')}: topics: "
                          f"no topic '{self.target.topic}' any more")
            return None, errors
        if self.target.kind == "pack" and self.target.topic not in project.pack_ids:
            errors.append(f"{display_path(self.content_root / 'edition.yaml')}: packs: "
                          f"no pack '{self.target.topic}' any more")
            return None, errors
        for lang in langs:
            if lang in unknown:
                continue
            if self.target.kind == "handbook":
                documents[lang] = compose_handbook(project, lang)
            elif self.target.kind == "pack":
                documents[lang] = compose_pack(project, lang, self.target.topic)
            else:
                documents[lang] = compose_factsheet(project, lang, self.target.topic)
        return documents, errors

    def _render(self, lang: str, document: Document) -> Pages:
        worker = self._idle.get()
        try:
            with self._changed:
                self._generation += 1
                generation = self._generation
            directory = self.tmp / f"{lang}-{generation}"
            pdf = directory / f"{lang}.pdf"
            try:
                worker.render(document, pdf)
            except WorkerStopped:
                if self._closed:
                    raise
                worker.restart()  # it died (out of memory, a crash): once more in a fresh one
                worker.render(document, pdf)
        finally:
            self._idle.put(worker)
        images = rasterise(pdf, directory, prefix=lang)
        pdf.unlink()
        return Pages(generation, document.meta.title, images, directory)

    def _update(self, content_errors: list[str] | None = None, busy: set[str] | None = None,
                langs: list[str] | None = None, done: str | None = None,
                render_error: tuple[str, str] | None = None, pages: tuple[str, Pages] | None = None) -> None:
        """Change the state under the lock, bump the revision and wake the event streams."""
        with self._changed:
            state = self._state
            if content_errors is not None:
                state.content_errors = content_errors
            if busy is not None:
                state.busy = busy
            if langs is not None:
                state.langs = langs
            if done is not None:
                state.busy.discard(done)
            if render_error is not None:
                state.render_errors[render_error[0]] = render_error[1]
            if pages is not None:
                lang, new = pages
                state.render_errors.pop(lang, None)
                old = state.pages.get(lang)
                state.pages[lang] = new
                self._files.update({image.name: image.path for image in new.images})
                if old is not None:
                    self._retire(lang, old)
            state.rev += 1
            self._changed.notify_all()

    def _retire(self, lang: str, old: Pages) -> None:
        """Delete replaced pages one replacement later: a browser may still be loading them."""
        directory = self._retired.pop(lang, None)
        self._retired[lang] = old.directory
        if directory is not None:
            for name in [n for n, path in self._files.items() if path.parent == directory]:
                del self._files[name]
            shutil.rmtree(directory, ignore_errors=True)

    # --- stopping ----------------------------------------------------------------------

    def stop(self) -> None:
        """Wake the event streams so they end, and stop the workers (a render in progress aborts)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for worker in self._workers:
            worker.stop()

    def close(self) -> None:
        """Stop, and remove every file the session made."""
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> PreviewSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pages_json(pages: Pages) -> dict[str, Any]:
    return {
        "generation": pages.generation,
        "title": pages.title,
        "images": [{"src": f"/pages/{image.name}", "width": image.width, "height": image.height}
                   for image in pages.images],
    }


def _is_under(path: Path, root: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        return Path(path).resolve().is_relative_to(root.resolve())
    return False


def describe(exc: BaseException) -> str:
    """One line for a failed render: the renderer's own message, located when it says where."""
    if isinstance(exc, PipelineError):
        return exc.format_message()
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    where = f"{display_path(Path(filename))}:{line}: " if filename and line else ""
    return f"{where}{type(exc).__name__}: {exc}"
