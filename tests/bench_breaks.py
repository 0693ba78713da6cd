"""What the line-breaking rules cost (issue 21; called by bench.py, or run alone).

Renders every real PDF (11 topics x 2 languages + 2 handbooks) in one warm process,
alternately without the rules (WeasyPrint's own line breaking, as before issue 21) and
with them, and reports the median CPU time of each pass and their ratio. CPU time, and
passes alternated, so that a busy shared machine slows both alike. The budget: a build
of all 48 documents may grow by at most 15 %; the PDFs' render is most of that build,
so the render ratio is an upper bound of the build's.

    .venv/bin/python tests/bench_breaks.py [RUNS]
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def _pass(docs: list, rules_on: bool) -> float:
    from pipeline.render import breaks
    from pipeline.render.pdf import render_pdf

    enforced, report = breaks.enforced, breaks.report
    if not rules_on:  # as before issue 21: no rules, and no report of what they would find
        breaks.enforced, breaks.report = (lambda: contextlib.nullcontext(False)), (lambda pages, what: [])
    try:
        start = time.process_time()
        for doc in docs:
            render_pdf(doc)
        return time.process_time() - start
    finally:
        breaks.enforced, breaks.report = enforced, report


def measure(runs: int) -> tuple[float, float]:
    """Median CPU seconds of a pass over every PDF: (without the rules, with them)."""
    from pipeline.content.project import load_project
    from pipeline.render.compose import compose_factsheet, compose_handbook
    from pipeline.render.pdf import warm_up

    project = load_project(CONTENT)
    langs = project.edition.languages
    docs = [compose_handbook(project, lang) for lang in langs]
    docs += [compose_factsheet(project, lang, topic) for lang in langs for topic in project.topic_ids]
    warm_up()
    _pass(docs, True)  # fonts, hyphenation dictionaries and layout code loaded once, for both
    without, with_rules = [], []
    for _ in range(runs):
        without.append(_pass(docs, False))
        with_rules.append(_pass(docs, True))
    return statistics.median(without), statistics.median(with_rules)


def rows(runs: int) -> list[tuple[str, float]]:
    without, with_rules = measure(max(runs, 3))
    return [("24 PDFs serial, CPU, without the line-breaking rules", without),
            ("24 PDFs serial, CPU, with the line-breaking rules", with_rules)]


if __name__ == "__main__":
    without, with_rules = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(f"CPU s per pass over 24 PDFs: without the rules {without:.2f}, with {with_rules:.2f}, "
          f"ratio {with_rules / without:.3f} (budget 1.15)")
