"""A warm render process for the preview: WeasyPrint imported once, many documents rendered.

The build's pool (`pipeline.engine.workers`) lets a running render finish before it stops;
a preview must instead stop at once on Ctrl-C and restart its worker when templates
change (the renderer caches parsed stylesheets per process). So each preview worker
is one child process (`python -m pipeline.preview.worker`) that the server can
terminate at any moment, which is harmless: it holds nothing but caches, and writes
only into the preview's temporary folder, through the same atomic `render_to` as
the build.

A plain subprocess rather than multiprocessing: the preview server has threads
(forking a threaded process can copy a held lock), and multiprocessing's "spawn"
re-imports the parent's main module, which need not be importable. Requests and
replies are pickles on the child's stdin and stdout; the child's own prints go to
stderr so they cannot garble a reply.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.content.model import Document
from pipeline.engine.lifeline import die_with_parent
from pipeline.engine.workers import render_to, renderer


class WorkerStopped(Exception):
    """The worker was stopped (Ctrl-C, restart) or died while a document was rendering."""


class RenderWorker:
    """One long-lived render process; `render` blocks the calling thread until it is done."""

    def __init__(self, fmt: str = "pdf"):
        self.fmt = fmt
        self._lock = threading.Lock()  # one document at a time per worker
        self._start()

    def _start(self) -> None:
        # The child inherits a blocked Ctrl-C until `main` ignores it, so a Ctrl-C while
        # it boots cannot print a traceback of its own; the server still gets the signal.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "pipeline.preview.worker", self.fmt,
                                             str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def render(self, document: Document, output: Path) -> float:
        """Render `document` to `output`; re-raises the renderer's exception; seconds taken."""
        with self._lock:
            try:
                pickle.dump((document, output), self.process.stdin)
                self.process.stdin.flush()
                status, value = pickle.load(self.process.stdout)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                raise WorkerStopped("the render worker stopped") from None
        if status == "error":
            raise value
        return value

    def restart(self) -> None:
        """A fresh process, e.g. after a template change (stylesheets are cached per process)."""
        with self._lock:
            self._kill()
            self._start()

    def stop(self) -> None:
        """Stop at once, even mid-render (the rendering thread then gets `WorkerStopped`)."""
        self._kill()

    def _kill(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):  # a reply half-written by the dying worker
                stream.close()


def main(fmt: str, requests: BinaryIO, replies: BinaryIO, parent: int | None = None) -> None:
    """The worker's loop: warm up, then render each (document, output) received until EOF.

    It dies with the preview (`parent`), even a killed one. Not through Linux's parent-death
    signal: that follows the thread that started the worker, and the preview restarts
    workers from render threads that end (`die_with_parent(pdeathsig=False)`).
    """
    if parent is not None:
        die_with_parent(parent, pdeathsig=False)
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    with contextlib.suppress(Exception):  # a broken renderer reports itself on the first render
        module = sys.modules[renderer(fmt).__module__]  # renderer() imports it: WeasyPrint, once
        getattr(module, "warm_up", lambda: None)()
    while True:
        try:
            document, output = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", render_to(fmt, document, output))
        except Exception as exc:  # every failure goes back to the server, which shows it
            reply = ("error", exc)
        try:
            data = pickle.dumps(reply)
        except Exception:  # an exception that does not pickle: send its text
            data = pickle.dumps(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))
        replies.write(data)
        replies.flush()


if __name__ == "__main__":
    # Keep stdout for replies only: anything printed goes to stderr instead.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    main(sys.argv[1], sys.stdin.buffer, replies, int(sys.argv[2]))
