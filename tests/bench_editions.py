"""Benchmark of `pipeline changes` on the 110-topic scale edition (called by bench.py).

The synthetic edition of `bench_scale` (the 11 real topics x 10, both languages) is put
in a temporary git repository and committed; one English topic and one French topic
are then edited, and `pipeline changes --since HEAD` runs as a user runs it: a fresh
process (Python start, imports, content load and validation, one `git archive`, the
comparison, the report). Target (issue 24): under 2 s.

Printed: median wall seconds and median CPU seconds of the process (children
included: git), which move less with the load of a shared machine.

Run alone: `.venv/bin/python tests/bench_editions.py [runs]`.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def scale_repo(scratch: Path) -> Path:
    """The 110-topic edition committed in a git repository, then edited; its content folder."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_scale import synthetic_edition

    content = synthetic_edition(scratch / "repo" / "content")
    repo = content.parent
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "bench@test.invalid")
    _git(repo, "config", "user.name", "Bench")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "scale edition")
    for lang, topic in (("en", "terrorism-7"), ("fr", "corruption-3")):
        path = content / lang / f"{topic}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("lead: ", "lead: Revised. ", 1), encoding="utf-8")
    return content


def measure(content: Path, runs: int) -> tuple[float, float, int]:
    """(median wall s, median CPU s, lines of report) of `pipeline changes --since HEAD`."""
    cmd = [sys.executable, "-m", "pipeline", "--content", str(content), "changes", "--since", "HEAD"]
    walls, cpus, lines = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        lines = len(out.splitlines())
    return statistics.median(walls), statistics.median(cpus), lines


def rows(runs: int) -> list[tuple[str, float]]:
    """Rows of (measure, median seconds) for the bench table."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-editions-"))
    try:
        wall, cpu, _ = measure(scale_repo(scratch), max(runs, 5))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [("pipeline changes, 110 topics, cold process (wall)", wall),
            ("pipeline changes, 110 topics, cold process (CPU)", cpu)]


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    scratch = Path(tempfile.mkdtemp(prefix="bench-editions-"))
    try:
        content = scale_repo(scratch)
        wall, cpu, lines = measure(content, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"pipeline changes --since HEAD, 110 topics x 2 languages, median of {runs}: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU ({lines} report lines); target < {TARGET_SECONDS} s: "
          + ("met" if wall < TARGET_SECONDS else "NOT met"))
