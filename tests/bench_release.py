"""Benchmark of `pipeline release` (called by tests/bench.py): the whole edition, from a
clean build (every document rendered, LibreOffice lays out every DOCX) and from an
up-to-date build (nothing rendered, LibreOffice layouts cached: hashing, the settled
handbook DOCX re-rendered, ZIPs and the set written)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from pathlib import Path


def _time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def release_rows(pipeline: list[str], root: Path, scratch: Path, runs: int) -> list[tuple[str, float]]:
    """(measure, median seconds) rows for the benchmark table."""
    build_dir, out = scratch / "release-build", scratch / "release-dist"
    # A final release needs every language signed off: sign a copy of the content.
    content = scratch / "release-content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(root / "content", content)
    for lang in ("en", "fr"):
        subprocess.run([*pipeline, "--content", str(content), "signoff", "--lang", lang, "--by", "Bench"],
                       check=True, stdout=subprocess.DEVNULL, cwd=root)
    cmd = [*pipeline, "--content", str(content), "--build-dir", str(build_dir), "release", "--out", str(out)]
    clean = []
    for _ in range(runs):
        shutil.rmtree(build_dir, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        clean.append(_time(cmd, root))
    current = [_time(cmd, root) for _ in range(max(runs, 3))]
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(content, ignore_errors=True)
    return [("release, whole edition, clean build", statistics.median(clean)),
            ("release, whole edition, up-to-date build", statistics.median(current))]
