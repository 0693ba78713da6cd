"""`make bench` rows for oversized input (issue 19): how fast the limits refuse it.

Before the limits (`pipeline/content/limits.py`), `validate` of a topic holding a 20 MB
paragraph took 105 s of CPU and 325 MB and called it valid; an XLIFF with a 50 MB target
imported after 89 s of CPU and 1.2 GB. Both must now be refused in well under 2 s.

Run alone: `.venv/bin/python tests/bench_limits.py`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "valid"
LEAD = "<target>Alpha est un thème de test.</target>"


def _timed(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, result.returncode


def limit_rows() -> list[tuple[str, float]]:
    """(measure, seconds): validate of a 20 MB paragraph, import of a 50 MB XLIFF target."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    try:
        content = scratch / "content"
        shutil.copytree(FIXTURE, content)
        pipeline = [sys.executable, "-m", "pipeline", "--content", str(content)]
        xliff = scratch / "fr.xlf"
        subprocess.run([*pipeline, "translations", "export", "--lang", "fr", "-o", str(xliff)], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        head, tail = xliff.read_text(encoding="utf-8").split(LEAD)
        with xliff.open("w", encoding="utf-8") as handle:
            handle.write(head + "<target>" + "Alpha est un thème de test. " * 1_800_000 + "</target>" + tail)
        topic = content / "en" / "alpha.yaml"
        with topic.open("a", encoding="utf-8") as handle:
            handle.write("lead2: " + "word " * 4_000_000 + "\n")
        rows = []
        for name, cmd in (("validate, a topic with a 20 MB paragraph (refused)", [*pipeline, "validate"]),
                          ("XLIFF import, a 50 MB target (refused)", [*pipeline, "translations", "import",
                                                                      str(xliff)])):
            seconds, status = _timed(cmd)
            assert status == 1, f"{name}: not refused"
            rows.append((name, seconds))
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    for measure, seconds in limit_rows():
        print(f"{measure}: {seconds:.2f} s")
