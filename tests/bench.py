"""`make bench`: median wall times of the pipeline against bare WeasyPrint.

Measures, on the real content:
  - clean build of every document (PDF + DOCX), and of the PDFs alone;
  - a no-op build (everything up to date);
  - one factsheet PDF from a cold start (a new process, as a desk would run it);
  - `pipeline --help`;
  - bare WeasyPrint: the same HTML and CSS rendered serially in one warm process,
    so the pipeline's own overhead shows (clean PDF build vs bare time / workers).
Times are medians of several runs; the machine is shared, so read ratios, not
milliseconds.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_release import release_rows

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = [sys.executable, "-m", "pipeline", "--content", str(ROOT / "content")]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def median_of(make_cmd, runs: int = RUNS, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(timed(make_cmd()))
    return statistics.median(times)


def bare_weasyprint() -> tuple[float, float, int]:
    """Serial render time of every PDF's HTML by WeasyPrint alone, import excluded.

    Two figures per fresh process: the first pass (fonts, hyphenation dictionaries and
    layout code loaded on first use, as any process rendering these documents pays) and
    a second, fully warm pass.
    """
    code = r"""
import sys, time
from pathlib import Path
from pipeline.content.project import load_project
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.render.html import render_html, document_css, TEMPLATES_DIR
from pipeline.render import pdf as pdfmod
from weasyprint import HTML, CSS
project = load_project(Path(sys.argv[1]))
docs = [compose_handbook(project, l) for l in project.edition.languages]
docs += [compose_factsheet(project, l, t) for l in project.edition.languages for t in project.topic_ids]
base = str(TEMPLATES_DIR) + "/"
def final(d):  # the page numbers the pipeline prints (its first guess is right for the real content)
    with pdfmod._Render(d, True) as render:
        return render.first_guess()
pages = [final(d) for d in docs]
jobs = [(render_html(d, standalone=False, pagination=p), document_css(d, p), d.kind) for d, p in zip(docs, pages)]
def once():
    for html, css, kind in jobs:
        sheets = [*pdfmod._stylesheets(kind), CSS(string=css, base_url=base)]
        HTML(string=html, base_url=base).write_pdf(stylesheets=sheets, pdf_variant=pdfmod.PDF_VARIANTS["screen"])
start = time.perf_counter(); once(); first = time.perf_counter() - start
start = time.perf_counter(); once(); warm = time.perf_counter() - start
print(first, warm, len(jobs))
"""
    firsts, warms = [], []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", code, str(ROOT / "content")], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout.split()
        firsts.append(float(out[0]))
        warms.append(float(out[1]))
    return statistics.median(firsts), statistics.median(warms), int(out[2])


def main() -> None:
    from pipeline.engine.workers import default_workers

    workers = default_workers()
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    build_dir = scratch / "build"

    def clean() -> None:
        shutil.rmtree(build_dir, ignore_errors=True)

    def build(*extra: str):
        return lambda: [*PIPELINE, "--build-dir", str(build_dir), "build", *extra]

    rows = []
    clean_all = median_of(build(), before=clean)
    rows.append(("clean build, all documents (PDF + DOCX)", clean_all))
    clean_pdf = median_of(build("--format", "pdf"), before=clean)
    rows.append(("clean build, PDFs only", clean_pdf))
    median_of(build())  # bring everything up to date
    noop = median_of(build(), runs=max(RUNS, 5))
    rows.append(("no-op build (all up to date)", noop))
    one = median_of(lambda: [*PIPELINE, "factsheet", "corruption", "--lang", "fr", "--format", "pdf",
                             "-o", str(scratch / "one.pdf")], runs=max(RUNS, 5))
    rows.append(("one factsheet PDF, cold start", one))
    helptime = median_of(lambda: [sys.executable, "-m", "pipeline", "--help"], runs=max(RUNS, 5))
    rows.append(("pipeline --help", helptime))
    rows += release_rows(PIPELINE, ROOT, scratch, RUNS)
    bare, warm, count = bare_weasyprint()
    rows.append((f"bare WeasyPrint, {count} PDFs serial, first pass", bare))
    rows.append((f"bare WeasyPrint, {count} PDFs serial, warm pass", warm))
    rows.append((f"bare WeasyPrint first pass / {workers} workers", bare / workers))
    rows += __import__("bench_translations").measure(RUNS)
    rows += __import__("bench_limits").limit_rows()  # oversized input refused at once (issue 19)
    rows += __import__("bench_editions").rows(RUNS)  # pipeline changes on 110 topics (issue 24)
    rows += __import__("bench_review").measure(RUNS)  # pipeline review of a handbook with 50 tracked changes
    breaks_rows = __import__("bench_breaks").rows(RUNS)  # what the line-breaking rules cost (issue 21)
    rows += breaks_rows
    rows += __import__("bench_pdfua").rows(max(RUNS, 5))  # the PDF/UA tagging pass, A/B in CPU time
    shutil.rmtree(scratch, ignore_errors=True)
    rows += __import__("bench_preview").preview_rows()  # save -> pages served, factsheet and handbook

    width = max(len(name) for name, _ in rows)
    print(f"median of {RUNS}+ runs, {workers} workers, {os.cpu_count()} cores")
    print(f"{'measure'.ljust(width)}  seconds")
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:7.2f}")
    print(f"clean PDF build / (bare first pass / workers) = {clean_pdf / (bare / workers):.2f}  (target <= 1.2)")
    print(f"clean PDF build / (bare warm pass / workers)  = {clean_pdf / (warm / workers):.2f}")
    print(f"render CPU with / without the line-breaking rules = {breaks_rows[1][1] / breaks_rows[0][1]:.3f}"
          "  (budget <= 1.15)")
    __import__("bench_scale").main(RUNS)


if __name__ == "__main__":
    main()
