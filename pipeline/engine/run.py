"""Orchestrate a build: load -> validate -> compose -> plan -> render -> write.

All content is loaded and validated before anything is written. Documents whose
fingerprint is unchanged are skipped; the rest render in a pool of long-lived worker
processes (each imports WeasyPrint once and renders many documents), and each output
is written atomically. The formats of one document are written together or not at
all. One failing document does not stop the others; the build reports it and exits 1.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.content.model import Document, Layout
from pipeline.content.project import Project
from pipeline.engine import record
from pipeline.engine.plan import SHARING, Job
from pipeline.engine.workers import Workers, render_group_to
from pipeline.errors import PipelineError
from pipeline.files.output import build_lock, commit_staged, discard_staged, remove_stale_parts, staged_path
from pipeline.paths import TEMPLATES_DIR
from pipeline.render.compose import compose_factsheet, compose_handbook, compose_pack


@dataclass
class Outcome:
    """What happened to one job."""

    job: Job
    status: str  # "built" | "current" | "failed"
    message: str = ""
    seconds: float = 0.0
    # Failed only because another format of its document did: the old output stays, and
    # so does its entry in the record.
    kept: bool = False


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def line(self) -> str:
        return (f"{self.count('built')} built, {self.count('current')} up to date, "
                f"{self.count('failed')} failed in {self.seconds:.1f} s")


def compose(project: Project, job: Job, layout: Layout) -> Document:
    """The document model for a job (in the layout of the job's variant)."""
    layout = layout.for_variant(job.variant)
    if job.kind == "handbook":
        return compose_handbook(project, job.lang, layout)
    if job.kind == "pack":
        assert job.topic is not None
        return compose_pack(project, job.lang, job.topic, layout)
    assert job.topic is not None
    return compose_factsheet(project, job.lang, job.topic, layout)


def shared_fingerprint(project: Project) -> str:
    fonts = tuple(sorted(project.branding.fonts.families()))
    return "\n".join([record.code_fingerprint(), record.templates_fingerprint(TEMPLATES_DIR),
                      record.override_fingerprint(project.template_override),
                      record.fonts_fingerprint(fonts)])


def run(
    project: Project,
    jobs: list[Job],
    build_dir: Path,
    layout: Layout,
    workers: int,
    force: bool = False,
    report: Callable[[Outcome], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    remember: bool = True,
    pool: Workers | None = None,
) -> Summary:
    """Build `jobs`, skipping up-to-date ones unless `force`; never raises for one bad document.

    `remember=False` (outputs outside the fixed layout, `-o`) leaves the record alone.
    `pool` is a worker pool started ahead of time; it is closed when the build ends.
    """
    start = time.perf_counter()
    summary = Summary()
    report = report or (lambda outcome: None)
    with build_lock(build_dir, on_wait):
        remove_stale_parts(build_dir)
        rec = record.Record(build_dir)
        shared = shared_fingerprint(project)
        todo: list[tuple[Job, Document, str]] = []
        for job in jobs:
            document = compose(project, job, layout)
            fingerprint = record.document_fingerprint(repr(document), job.fmt, shared)
            if not force and rec.is_current(job.name, job.output, fingerprint):
                outcome = Outcome(job, "current")
                summary.outcomes.append(outcome)
                report(outcome)
            else:
                todo.append((job, document, fingerprint))
        _check_templates(project, todo, pool)
        try:
            for outcome, fingerprint in _by_document(_render_all(todo, workers, pool), todo):
                if not remember:
                    pass
                elif outcome.status == "built":
                    rec.update(outcome.job.name, outcome.job.output, fingerprint)
                elif not outcome.kept:
                    rec.forget(outcome.job.name)
                summary.outcomes.append(outcome)
                report(outcome)
        finally:
            # Record what did finish, even when interrupted, so the next build skips it.
            rec.save()
    summary.seconds = time.perf_counter() - start
    return summary


def _check_templates(project: Project, todo: list[tuple[Job, Document, str]], pool: Workers | None) -> None:
    """With an override folder, compile the templates once before rendering: a broken
    override then fails the build with one located error, and nothing is written.
    (Our own templates are checked by the tests; a clean build need not pay for it.)"""
    if project.template_override is None:
        return
    from pipeline.render.html import TEMPLATE_FORMATS, check_templates

    if not any(job.fmt in TEMPLATE_FORMATS for job, _, _ in todo):
        return
    try:
        check_templates(project.template_override)
    except BaseException:
        if pool is not None:
            pool.close(cancel=True)
        raise


def _render_all(todo: list[tuple[Job, Document, str]], workers: int, pool: Workers | None):
    """Yield (outcome, fingerprint) as jobs finish, in-process when a pool would not pay.

    Jobs go in groups (`_groups`): a group renders in one process, one job after the
    other, sharing what its renderer can share."""
    if not todo:
        if pool is not None:
            pool.close(cancel=True)
        return
    groups = _groups(todo)
    if pool is None and (workers <= 1 or len(groups) == 1):
        for group in groups:
            yield from _outcomes(group, lambda g=group: render_group_to(g[0][0].fmt, _items(g)))
        return
    if pool is None:
        pool = Workers(min(workers, len(groups)), tuple({job.fmt for job, _, _ in todo}))
    futures: dict[Future, list[tuple[Job, Document, str]]] = {}
    try:
        for group in groups:
            futures[pool.executor.submit(render_group_to, group[0][0].fmt, _items(group))] = group
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield from _outcomes(futures[future], future.result)
    except BaseException:
        # Ctrl-C: drop queued jobs; running ones finish their atomic write.
        pool.close(cancel=True)
        raise
    pool.close()


def _groups(todo: list[tuple[Job, Document, str]]) -> list[list[tuple[Job, Document, str]]]:
    """The jobs in groups, in order of first appearance: the documents of one format that
    may look the same on the page (same kind, language, topic, paper and page geometry:
    a document's screen and archive copies), when the format's renderer can share work
    (`SHARING`); every other job alone."""
    groups: dict[object, list[tuple[Job, Document, str]]] = {}
    for item in todo:
        job, document, _ = item
        key: object = ((job.fmt, job.kind, job.lang, job.topic, document.layout.paper, document.layout.print_mode)
                       if job.fmt in SHARING else id(item))
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def _items(group: list[tuple[Job, Document, str]]) -> list[tuple[Document, Path]]:
    return [(document, staged_path(job.output)) for job, document, _ in group]


def _outcomes(group: list[tuple[Job, Document, str]],
              results: Callable[[], list[float | Exception]]) -> Iterator[tuple[Outcome, str]]:
    """An outcome per job of a rendered group (all failed if the group's call raised)."""
    try:
        values: list[float | Exception] = results()
    except Exception as exc:  # the worker died, or the group call itself failed
        values = [exc] * len(group)
    for (job, _, fingerprint), value in zip(group, values, strict=True):
        yield _attempt(lambda v=value: _seconds(v), job), fingerprint


def _seconds(value: float | Exception) -> float:
    if isinstance(value, Exception):
        raise value
    return value


def _by_document(results: Iterator[tuple[Outcome, str]],
                 todo: list[tuple[Job, Document, str]]) -> Iterator[tuple[Outcome, str]]:
    """Write the formats of a document together: each rendered file waits, staged beside its
    output, until every format of its document is done; then all move into place or, if
    one failed, none does (a DOCX is not rewritten when its PDF fails on the content)."""
    left = Counter(_document(job) for job, _, _ in todo)
    held: dict[tuple, list[tuple[Outcome, str]]] = defaultdict(list)
    try:
        for outcome, fingerprint in results:
            key = _document(outcome.job)
            held[key].append((outcome, fingerprint))
            left[key] -= 1
            if left[key]:
                continue
            group = held[key]
            failed = next((o.job.name for o, _ in group if o.status == "failed"), None)
            for done, fp in group:
                if done.status == "built" and failed is None:
                    done = _commit(done)
                elif done.status == "built":
                    discard_staged(done.job.output)
                    done = Outcome(done.job, "failed", f"not written: {failed} failed (the formats of a "
                                                       "document are written together)", kept=True)
                yield done, fp
            del held[key]
    finally:  # interrupted: what waits is not written
        for group in held.values():
            for done, _ in group:
                discard_staged(done.job.output)


def _commit(outcome: Outcome) -> Outcome:
    try:
        commit_staged(outcome.job.output)
    except OSError as exc:
        discard_staged(outcome.job.output)
        return Outcome(outcome.job, "failed", f"cannot write {outcome.job.output}: {exc.strerror}")
    return outcome


def _document(job: Job) -> tuple:
    """What the jobs of one document, in its several formats, share."""
    return job.kind, job.lang, job.topic, job.variant


def _attempt(call: Callable[[], float], job: Job) -> Outcome:
    try:
        seconds = call()
    except PipelineError as exc:
        return Outcome(job, "failed", exc.format_message())
    except Exception as exc:  # a renderer bug must not stop the other documents
        return Outcome(job, "failed", f"{type(exc).__name__}: {exc}")
    return Outcome(job, "built", seconds=seconds)
