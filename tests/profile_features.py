"""What each layout feature costs: A/B renders with one feature removed at a time.

    .venv/bin/python tests/profile_features.py [--runs 5] [--content DIR] [--lang en] [--cprofile]

Renders the handbook (and a factsheet) through the pipeline's own PDF renderer,
alternating the full document with variants that each drop one feature (an extra
stylesheet appended after ours, or a renderer setting), and prints the median CPU
seconds (`time.process_time`, steadier than wall time on a shared machine) of each,
split into layout and PDF writing, with the saving against the full document. The
figures in the README's Benchmarks section come from here. `--cprofile` also prints
the functions the full handbook spends most time in.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from pipeline.content.project import load_project
from pipeline.render import pdf as pdfmod
from pipeline.render.compose import compose_factsheet, compose_handbook

ROOT = Path(__file__).resolve().parent.parent

FOOT_NONE = "{ content: none }"
# name -> (CSS appended to our stylesheets, renderer settings), for the handbook.
HANDBOOK = {
    "full handbook": ("", {}),
    "no column balancing (column-fill: auto)": (".topic-body { column-fill: auto }", {}),
    "one column": (".topic-body { columns: auto }", {}),
    "page numbers by target-counter() (contents, cross-references)": ("", {"MAX_LAYOUTS": 0}),
    "no page numbers in contents and cross-references": (
        ".toc a::after, .toc a[data-page]::after, .related a.xref::after,"
        " .related a.xref[data-page]::after { content: none }", {}),
    "no dotted leaders in the contents": (".toc a[data-page]::after { content: ' ' attr(data-page) }", {}),
    "no running heads (string-set)": (
        ".chapter > .title-band h1 { string-set: none }"
        " @page :left { @top-left { content: none } } @page :right { @top-right { content: none } }", {}),
    "no hyphenation": ("html { hyphens: manual }", {}),
    "no footer margin boxes": (
        f"@page {{ @bottom-left {FOOT_NONE} @bottom-center {FOOT_NONE} @bottom-right {FOOT_NONE} }}"
        f" @page :left {{ @bottom-left {FOOT_NONE} @bottom-right {FOOT_NONE} }}"
        f" @page :right {{ @bottom-left {FOOT_NONE} @bottom-right {FOOT_NONE} }}", {}),
    "untagged (no PDF/UA-1)": ("", {"PDF_VARIANTS": {"screen": None}, "PDF_TAGS": {"screen": False}}),
    "no generic font fallback (family names only)": (
        'html { font-family: "Noto Serif" } h1, h2, h3, .kicker, .callout-label, .callout-title,'
        ' .figure-value, figcaption, .related li, .credits, .cover-foot, .toc-chapter > a, .imprint'
        ' { font-family: "Noto Sans" }', {}),
}
FACTSHEET = {name: HANDBOOK[name] for name in (
    "no column balancing (column-fill: auto)", "one column", "no hyphenation", "no footer margin boxes",
    "untagged (no PDF/UA-1)", "no generic font fallback (family names only)")}
FACTSHEET = {"full factsheet": ("", {}), **FACTSHEET}


@contextmanager
def variant(css: str, settings: dict):
    """Our renderer with `css` after our stylesheets and `settings` in place of its constants."""
    from weasyprint import CSS

    original = pdfmod._stylesheets
    saved = {name: getattr(pdfmod, name) for name in settings}
    extra = CSS(string=css) if css else None
    pdfmod._stylesheets = lambda *args: [*original(*args), extra] if extra else original(*args)
    for name, value in settings.items():
        setattr(pdfmod, name, value)
    try:
        yield
    finally:
        pdfmod._stylesheets = original
        for name, value in saved.items():
            setattr(pdfmod, name, value)


class _CountingRender(pdfmod._Render):
    """The renderer, counting its whole-document layouts (a variant may change pagination)."""

    layouts = 0

    def layout(self, pagination, front_only=False):
        self.layouts += not front_only
        return super().layout(pagination, front_only)


def render_once(doc) -> tuple[float, float, int, int]:
    """CPU seconds of (layout, PDF writing), pages and whole-document layouts of one render."""
    start = time.process_time()
    with _CountingRender(doc, strict=False) as render:
        laid_out = render.paginated()
        middle = time.process_time()
        render.write(laid_out)
    return middle - start, time.process_time() - middle, len(laid_out.pages), render.layouts


def measure(doc, variants: dict, runs: int) -> None:
    """Print a Markdown table: median layout, writing and total CPU seconds per variant."""
    times: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in variants}
    for round_ in range(runs + 1):  # the first round warms fonts and caches, and is dropped
        for name, (css, settings) in variants.items():
            with variant(css, settings):
                result = render_once(doc)
            if round_:
                times[name].append(result)
    full = None
    print(f"| {doc.kind} {doc.meta.lang}: variant | pages | layouts | layout s | write s | total s | saving |")
    print("|---|---|---|---|---|---|---|")
    for name, values in times.items():
        layout = statistics.median(v[0] for v in values)
        write = statistics.median(v[1] for v in values)
        total = statistics.median(v[0] + v[1] for v in values)
        full = full or total
        pages, layouts = values[-1][2:]
        print(f"| {name} | {pages} | {layouts} | {layout:.2f} | {write:.2f} | {total:.2f} | "
              f"{(full - total) / full:+.0%} |", flush=True)


def profile(doc, top: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    render_once(doc)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--topic", default="financial-crime", help="the factsheet measured")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()
    project = load_project(args.content)
    handbook = compose_handbook(project, args.lang)
    print(f"CPU seconds, median of {args.runs} alternating renders\n")
    measure(handbook, HANDBOOK, args.runs)
    print()
    measure(compose_factsheet(project, args.lang, args.topic), FACTSHEET, args.runs)
    if args.cprofile:
        profile(handbook)


if __name__ == "__main__":
    main()
