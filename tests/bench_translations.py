"""Benchmark of translation status and XLIFF export on the real content (called by bench.py).

Measures, as medians: status of every field of every language and an export of a whole
language, each in-process on a loaded project (the library's own cost) and as a cold
CLI command (Python start, content load and all); and the import of an unchanged
whole-language export into a scratch copy of the content (checks, validation, no writes).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def _median(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(runs: int) -> list[tuple[str, float]]:
    """Rows of (measure, median seconds) for the bench table."""
    from pipeline.content.project import load_project
    from pipeline.translations.export import export
    from pipeline.translations.importer import import_xliff
    from pipeline.translations.status import language_status, translated_languages

    runs = max(runs, 5)
    project = load_project(CONTENT)
    langs = translated_languages(project)
    scratch = Path(tempfile.mkdtemp(prefix="bench-translations-"))
    out = scratch / "all.xlf"
    cli = [sys.executable, "-m", "pipeline", "--content", str(CONTENT), "translations"]
    fields = sum(len(s.matches) for lang in langs for s in language_status(project, lang))
    rows = [
        (f"translation status, {fields} fields, loaded project",
         _median(lambda: [language_status(project, lang) for lang in langs], runs)),
        (f"XLIFF export of {langs[0]}, loaded project", _median(lambda: export(project, langs[0], out), runs)),
        ("pipeline translations (cold CLI)",
         _median(lambda: subprocess.run(cli, stdout=subprocess.DEVNULL, cwd=ROOT), runs)),
        (f"pipeline translations export --lang {langs[0]} (cold CLI)",
         _median(lambda: subprocess.run([*cli, "export", "--lang", langs[0], "-o", str(out)], check=True,
                                        stdout=subprocess.DEVNULL, cwd=ROOT), runs)),
    ]
    copy = scratch / "content"
    shutil.copytree(CONTENT, copy)
    copied = load_project(copy)
    export(copied, langs[0], out)
    rows.append((f"import of that export, unchanged ({langs[0]})", _median(lambda: import_xliff(copied, out), runs)))
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for name, seconds in measure(5):
        print(f"{name:60s} {seconds:6.3f}")
