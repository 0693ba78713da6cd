"""Child processes die with the process that started them, whatever kills it.

A build's render workers (`pipeline.engine.workers`, forked), the preview's render worker
(`pipeline.preview.worker`, a subprocess) and the LibreOffice a release starts
(`pipeline.release.docx_pages`) must not outlive their parent. Killed with `kill -9`, a
parent cannot clean up, and an orphan would wait for work forever while holding the
caller's pipes open: a script reading the build's output would then never see its end.

Two mechanisms:

- `die_with_parent(parent)`, called first thing in a Python child. On Linux the kernel
  kills the child when its parent dies (`prctl(PR_SET_PDEATHSIG)`); everywhere (macOS,
  and on Linux as a second line) a daemon thread compares `getppid()` with the parent
  every `POLL_SECONDS` and ends the process when it changed (an orphan is adopted by
  init or a subreaper). Both are armed, then the parent is checked once more, so a parent
  that died in between is not missed. Linux counts the *thread* that started the child
  as its parent: `pdeathsig=False` for a child started from a short-lived thread.
- `run_guarded(args)`, for another program, which may start others in turn (LibreOffice:
  a shell script execs a launcher that starts the office): the program runs in a process
  group led by a tiny guard process that reads a pipe only this process holds open. When
  this process ends, however it ends, the kernel closes the pipe and the guard kills the
  whole group. A program that leaves its process group (`setsid`) escapes it: LibreOffice
  does not. `group_guard()` is that guard alone, for a program that outlives one call
  (the test suite's LibreOffice, tests/session_outputs.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# The guard: wait for the end of the pipe, then kill its whole process group (itself last).
# Ctrl-C goes to the caller, which then closes the pipe: the guard ignores it.
_GUARD = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
          "sys.stdin.buffer.read(); os.killpg(0, signal.SIGKILL)")


def die_with_parent(parent: int, pdeathsig: bool = True) -> None:
    """End this process when `parent` (the pid that started it, as the parent knew it) dies."""
    if pdeathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()
    if os.getppid() != parent:  # it died before the above were armed
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def run_guarded(args: Sequence[str], *, capture_output: bool = False, text: bool = False,
                **popen: Any) -> subprocess.CompletedProcess:
    """`subprocess.run(args)`, except that the program and everything it starts are killed
    when this process dies, and whatever of them is left when the program returns."""
    guard = group_guard()
    try:
        if capture_output:
            popen.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with subprocess.Popen(args, text=text, process_group=guard.pid, **popen) as proc:
            out, err = proc.communicate()
        return subprocess.CompletedProcess(args, proc.returncode, out, err)
    finally:
        guard.stdin.close()
        guard.wait()


def group_guard() -> subprocess.Popen:
    """A new process group's leader that kills the whole group when its standard input
    ends: when this process closes it, or dies. Start programs in it with
    `process_group=guard.pid`; `guard.stdin.close(); guard.wait()` ends them all."""
    return subprocess.Popen([sys.executable, "-I", "-S", "-c", _GUARD], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0)
