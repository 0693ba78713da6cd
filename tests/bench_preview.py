"""Benchmark of `pipeline preview`: from saving a YAML file to the new page images being served.

A preview server runs on a scratch copy of the real content. Each run rewrites
content/en/corruption.yaml with a changed lead, then follows the server's event
stream until the English pages of a new render are published, and downloads every
one of their images. The clock stops when the last image has arrived: what an editor
waits for after pressing save. Measured for the corruption factsheet (target: under
1 s on the 2-core machine) and for the handbook, which is rendered whole.

Run alone with `python tests/bench_preview.py`; `make bench` includes it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preview_support import ROOT, PreviewProcess, settled

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TOPIC = "corruption"


def save_to_served(server: PreviewProcess, topic_file: Path, original: str, run: int) -> float:
    """Seconds from writing the file to having every new English page image in hand."""
    before = server.wait_state(settled(["en", "fr"]))["pages"]["en"]["generation"]
    changed = original.replace("\nlead: ", f"\nlead: Edit {run}. ", 1)
    assert changed != original, "the topic file has no lead line"
    with server.events() as revisions:
        start = time.perf_counter()
        topic_file.write_text(changed, encoding="utf-8")
        for _ in revisions:
            state = server.state()
            pages = state["pages"].get("en")
            if pages and pages["generation"] > before and "en" not in state["busy"]:
                break
        for image in pages["images"]:
            status, _ = server.get(image["src"])
            assert status == 200
        return time.perf_counter() - start


def measure(args: list[str], runs: int) -> float:
    scratch = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    try:
        content = scratch / "content"
        shutil.copytree(ROOT / "content", content)
        topic_file = content / "en" / f"{TOPIC}.yaml"
        original = topic_file.read_text(encoding="utf-8")
        with PreviewProcess(content, *args) as server:
            server.wait_state(settled(["en", "fr"]), timeout=300)
            save_to_served(server, topic_file, original, 0)  # warm: first use of a path in the worker
            times = [save_to_served(server, topic_file, original, run) for run in range(1, runs + 1)]
        return statistics.median(times)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def preview_rows(runs: int = RUNS) -> list[tuple[str, float]]:
    """Rows for tests/bench.py: (measure, median seconds)."""
    return [
        (f"preview: save {TOPIC} (en) -> factsheet pages served", measure([TOPIC], max(runs, 5))),
        (f"preview: save {TOPIC} (en) -> handbook pages served", measure(["--handbook"], runs)),
    ]


if __name__ == "__main__":
    for name, seconds in preview_rows():
        print(f"{name}  {seconds:6.2f} s")
