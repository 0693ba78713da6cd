"""What the PDF/UA tagging pass costs (issue 22): `pipeline build --force` of every real
document, alternately with the pass (A) and without it (B: screen PDFs written as
WeasyPrint made them, as before issue 22), median CPU seconds of each.

    .venv/bin/python tests/bench_pdfua.py [--runs 5]

CPU time (user + system of the build and its workers, `resource.RUSAGE_CHILDREN`)
rather than wall time: the machine is shared. B runs the same CLI with the finishing
module replaced by one that returns WeasyPrint's bytes (`WITHOUT_PASS`); the workers
are forked, so they inherit it. Called by tests/bench.py (`make bench`).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The build as it was before issue 22: a screen PDF is WeasyPrint's file as it wrote it,
# and pikepdf is never imported for it. A stand-in `pipeline.render.pdf_finish` module
# (the renderer imports `finish` from it when it writes) returns the bytes it is given;
# the real module would be needed only for print and archive files, which this build
# does not make.
WITHOUT_PASS = """
import sys, types
finishing = types.ModuleType("pipeline.render.pdf_finish")
def finish(data, doc):
    assert doc.layout.variant == "screen" and not doc.layout.print_mode
    return data
finishing.finish = finish
sys.modules["pipeline.render.pdf_finish"] = finishing
from pipeline.cli import main
sys.argv[0] = "pipeline"
main()
"""


def _cpu(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def rows(runs: int) -> list[tuple[str, float]]:
    """(measure, median CPU seconds) of the build with and without the pass, and their ratio."""
    build_dir = Path(tempfile.mkdtemp(prefix="bench-pdfua-")) / "build"
    args = ["--content", str(ROOT / "content"), "--build-dir", str(build_dir), "build", "--force"]
    with_pass = [sys.executable, "-m", "pipeline", *args]
    without = [sys.executable, "-c", WITHOUT_PASS, *args]
    subprocess.run(with_pass, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)  # warm caches, fill build/
    a, b = [], []
    for _ in range(runs):
        a.append(_cpu(with_pass))
        b.append(_cpu(without))
    shutil.rmtree(build_dir.parent, ignore_errors=True)
    ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
    return [("build --force, all documents, with the PDF/UA pass (CPU s)", statistics.median(a)),
            ("build --force, all documents, without it (CPU s)", statistics.median(b)),
            ("with / without the PDF/UA pass (median of run ratios)", ratio)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    for name, value in rows(parser.parse_args().runs):
        print(f"{name:60s} {value:7.3f}")


if __name__ == "__main__":
    main()
