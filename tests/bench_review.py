"""Benchmark of `pipeline review` (called by bench.py; or run alone: python tests/bench_review.py).

The English handbook of the real content, with 50 tracked changes as Word records them
(25 insertions and 25 deletions, in 50 fields) and 5 comments. Measured, as medians: the
review in-process on a loaded project (wall and CPU time: the library's own cost), the
cold command `pipeline review` (Python start, content load and all), and `--apply` of all
50 changes into a scratch copy of the content (checks, scratch validation, writes).
The issue's budget: under 2 s for the cold command.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONTENT = ROOT / "content"
CHANGES = 50


def reviewed_handbook(scratch: Path) -> Path:
    """The real English handbook with `CHANGES` tracked changes in as many fields."""
    sys.path.insert(0, str(HERE))
    from review_support import Docx, w

    from pipeline.content.project import load_project
    from pipeline.render.compose import compose_handbook
    from pipeline.render.docx import render_docx

    built = scratch / "handbook-en.docx"
    built.write_bytes(render_docx(compose_handbook(load_project(CONTENT), "en")))
    package = Docx(built)
    # Paragraphs of one field each (chapter titles are also shown as related areas).
    paragraphs = [p for p in package.body.iter(w("p"))
                  if any(s.get(w("name"), "").startswith("_F") for s in p.iter(w("bookmarkStart")))
                  and not any(s.get(w("val")) in ("Heading1", "RelatedArea") for s in p.iter(w("pStyle")))
                  and len("".join(t.text or "" for t in p.iter(w("t"))).split()) > 3]
    assert len(paragraphs) >= CHANGES, len(paragraphs)
    for i, p in enumerate(paragraphs[:CHANGES]):
        word = max((word for t in p.iter(w("t")) for word in (t.text or "").split()), key=len)
        if i % 2:
            package.delete(word, "Ann Reviewer", "2026-11-30T10:15:00Z", scope=p)
        else:
            package.insert(" (checked)", word, "Ann Reviewer", "2026-11-30T10:15:00Z", scope=p)
            if i % 10 == 0:
                package.comment(word, "Source?", "Bob Editor", "2026-12-01T09:00:00Z", scope=p)
    return package.save(scratch / "handbook-en-reviewed.docx")


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _median(func, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `func()` (CPU: on a loaded machine, the fairer number)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        func()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(runs: int) -> list[tuple[str, float]]:
    from pipeline.content.project import load_project
    from pipeline.review.apply import apply_review
    from pipeline.review.compare import read_review
    from pipeline.review.report import text

    runs = max(runs, 5)
    scratch = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        docx = reviewed_handbook(scratch)
        project = load_project(CONTENT)
        found = read_review(project, docx)
        changed = sum(1 for f in found.fields if f.state == "changed")
        assert changed == CHANGES, changed
        wall, cpu = _median(lambda: text(read_review(project, docx), None), runs)
        cli = [sys.executable, "-m", "pipeline", "--content", str(CONTENT), "review", str(docx)]
        cold, cold_cpu = _median(lambda: subprocess.run(cli, stdout=subprocess.DEVNULL, check=True, cwd=ROOT), runs)

        def apply_once() -> None:
            copy = scratch / "content"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(CONTENT, copy)
            copied = load_project(copy)
            done = apply_review(copied, read_review(copied, docx))
            assert len(done.fields) == CHANGES

        applied, _ = _median(apply_once, max(runs // 2, 3))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [
        (f"review of the handbook DOCX, {CHANGES} tracked changes, loaded project", wall),
        ("  ... CPU time of the same", cpu),
        (f"pipeline review, handbook, {CHANGES} changes (cold CLI)", cold),
        ("  ... CPU time of the same", cold_cpu),
        (f"pipeline review --apply of {CHANGES} changes (copy, load, review, apply)", applied),
    ]


if __name__ == "__main__":
    for name, seconds in measure(5):
        print(f"{name:72s} {seconds:6.3f}")
