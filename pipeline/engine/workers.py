"""Long-lived worker processes that render documents and write them atomically.

Kept light on imports (no content loading, no schema), so the CLI can fork the
workers at the very start of a clean build: each worker then imports its renderers
(WeasyPrint ~0.6 s) and warms them up while the parent loads and composes content.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pipeline.content.model import Document
from pipeline.engine.lifeline import die_with_parent
from pipeline.engine.plan import RENDERERS, SHARING
from pipeline.files.output import write_atomic


def renderer(fmt: str) -> Callable[..., bytes]:
    """Import the renderer of a format on first use."""
    return _imported(RENDERERS[fmt])


def _imported(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def render_to(fmt: str, document: Document, output: Path, share: object | None = None) -> float:
    """Render one document and write it atomically; returns the seconds it took."""
    start = time.perf_counter()
    data = renderer(fmt)(document) if share is None else renderer(fmt)(document, share=share)
    write_atomic(output, data)
    return time.perf_counter() - start


def render_group_to(fmt: str, items: list[tuple[Document, Path]]) -> list[float | Exception]:
    """Render documents of one format one after the other, each written atomically,
    sharing what the format's renderer can share between them (`SHARING`: a document's
    screen and archive PDF are laid out once). Returns each one's seconds, or the
    exception it failed with: one failing document does not stop the next. A document
    alone renders as it always did."""
    share = _imported(SHARING[fmt])() if fmt in SHARING and len(items) > 1 else None
    results: list[float | Exception] = []
    for document, output in items:
        try:
            results.append(render_to(fmt, document, output, share))
        except Exception as exc:  # reported per document by the engine
            results.append(exc)
    return results


def _worker_init(formats: tuple[str, ...], parent: int) -> None:
    # A worker dies with the build, even a killed one (kill -9): an orphan would hold
    # the caller's pipes open forever.
    die_with_parent(parent)
    # Workers ignore Ctrl-C: the parent catches it, cancels and cleans up, so a
    # worker never dies mid-write with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fmt in formats:
        # Pay the import (WeasyPrint ~0.6 s) and first-render costs once per worker,
        # in parallel. If that fails, each job of the format reports the error itself.
        with contextlib.suppress(Exception):
            module = importlib.import_module(RENDERERS[fmt].partition(":")[0])
            getattr(module, "warm_up", lambda: None)()


def _ready() -> None:
    """A no-op task: submitting it forks the workers at once."""


class Workers:
    """A pool of long-lived render processes.

    Each worker imports the renderers once and renders many documents. A caller that
    already knows a build will render (a clean or forced build) can start the pool
    before loading content, so the workers' start-up overlaps its own. Start it from a
    thread that outlives it (the main thread): the workers die with that thread
    (`pipeline.engine.lifeline`).
    """

    def __init__(self, size: int, formats: tuple[str, ...]):
        self.size = size
        # fork keeps start-up cheap (modules already imported are shared).
        self.executor = ProcessPoolExecutor(max_workers=size, mp_context=get_context("fork"),
                                            initializer=_worker_init, initargs=(tuple(sorted(formats)), os.getpid()))
        self.executor.submit(_ready)  # with fork, the first submit starts every worker

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
