"""`make bench` scale case: the handbook against the plainest equivalent HTML, at 11 and 110 topics.

For the real edition (11 topics) and a synthetic one (the 11 real topics repeated 10
times, 110 topics, generated into a temporary folder and deleted afterwards), it prints:

  - the handbook PDF (English and French) as the pipeline renders it (`render_pdf`);
  - a reference row: the same text as the plainest HTML that has the handbook's features
    (two columns, a page per chapter, a contents list with `target-counter()` page
    numbers; no project CSS beyond the fonts, the page size and margins and the two
    columns), rendered by the same WeasyPrint with the same tagging (PDF/UA-1);
  - their ratio, seconds per handbook page, the factsheet median (11 topics), and the
    peak resident memory of `pipeline handbook` building the 110-topic handbook.

Times are CPU seconds (`time.process_time`) of the rendering process: the machine is
shared, and CPU time moves much less with the load than wall time (wall medians are
printed too). The handbook and its reference render alternately in one warm process,
so both see the same conditions; each figure is the median of `runs` renders.

Run alone: `.venv/bin/python tests/bench_scale.py [runs]`.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# The synthetic edition: every real topic this many times (11 x 10 = 110 topics).
COPIES = 10
# Peak resident memory allowed for the 110-topic handbook (issue 14).
PEAK_LIMIT_MB = 250
# The handbook may take at most this much longer than the plain reference (issue 14).
RATIO_LIMIT = 1.1


# --- the synthetic edition ---------------------------------------------------------


def synthetic_edition(dest: Path, copies: int = COPIES) -> Path:
    """Copy the real content to `dest` with every topic repeated `copies` times.

    Copy n (2..copies) of topic `corruption` is `corruption-n`, area code `CORB`,
    `CORC`, ..., titled "Corruption n" in every language; its related topics are the
    copies of the same round, so cross-references stay inside one tenth of the book.
    The translations are then accepted, so the edition builds as final, like the real one.
    """
    from pipeline.content.project import load_project
    from pipeline.translations.accept import accept

    shutil.copytree(CONTENT, dest)
    edition_path = dest / "edition.yaml"
    edition = edition_path.read_text(encoding="utf-8")
    entries = re.findall(r"^  - \{id: ([a-z0-9-]+), code: ([A-Z]+), revision: (\d+)\}$", edition, re.M)
    lines = []
    for n in range(1, copies + 1):
        for topic_id, code, revision in entries:
            new_id = topic_id if n == 1 else f"{topic_id}-{n}"
            new_code = code if n == 1 else code[:3] + chr(ord("A") + n - 1)
            lines.append(f"  - {{id: {new_id}, code: {new_code}, revision: {revision}}}")
    first, last = edition.index("  - {id:"), edition.rindex("}") + 1
    edition_path.write_text(edition[:first] + "\n".join(lines) + edition[last:], encoding="utf-8")
    ids = [topic_id for topic_id, _, _ in entries]
    for lang_dir in (p for p in dest.iterdir() if (p / "_strings.yaml").is_file()):
        for topic_id in ids:
            source = yaml.safe_load((lang_dir / f"{topic_id}.yaml").read_text(encoding="utf-8"))
            for n in range(2, copies + 1):
                topic = dict(source, id=f"{topic_id}-{n}", title=f"{source['title']} {n}",
                             related=[f"{r}-{n}" for r in source.get("related", [])])
                # Every paragraph must differ from its original (the validator refuses copies).
                for key in ("intro", "sections"):
                    if key in topic:
                        topic[key] = numbered(topic[key], n)
                (lang_dir / f"{topic_id}-{n}.yaml").write_text(
                    yaml.safe_dump(topic, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    project = load_project(dest)
    for lang in project.edition.languages[1:]:
        accept(project, lang)
    return dest


def numbered(value, n: int):
    """`value` with " (n)" after every text in it (YAML data: strings, lists, mappings)."""
    if isinstance(value, str):
        return f"{value} ({n})"
    if isinstance(value, list):
        return [numbered(v, n) for v in value]
    if isinstance(value, dict):
        return {k: numbered(v, n) for k, v in value.items()}
    return value


# --- the reference: the plainest equivalent HTML -----------------------------------


def reference_html(doc, grouped: bool = False) -> str:
    """The handbook's text as plain HTML with only the features the handbook must have.

    Same words (cover, imprint, foreword, contents, chapters with their lead, sections,
    call-outs, quotes and related areas), a page per chapter, two columns, a contents
    list whose page numbers come from `target-counter()`; fonts, page size and margins
    as the handbook's. Nothing else: no running heads, feet, hyphenation or colours.

    `grouped` wraps each section's heading and blocks in a `<section>`, as our templates
    do: WeasyPrint balances such columns in a few steps, while flat paragraphs can send
    it into one-pixel steps (see the README), so the grouped reference is the stricter
    yardstick for our own layout cost.
    """
    from pipeline.content.model import BulletList, Focus, KeyFigure, Paragraph, Quote, plain

    e = html.escape
    m = doc.margins
    out = [
        f'<!DOCTYPE html><html lang="{doc.meta.locale}"><head><meta charset="utf-8">'
        f"<title>{e(doc.meta.title)}</title><style>"
        f"@page {{ size: A4; margin: {m.top}mm {m.outer}mm {m.bottom}mm {m.inner}mm }}"
        f' body {{ font-family: "{doc.branding["fonts"]["body"]}"; font-size: 10pt }}'
        f' h1, h2, h3 {{ font-family: "{doc.branding["fonts"]["heading"]}" }}'
        " .page { break-before: page } .columns { columns: 2; column-gap: 7mm }"
        " nav a::after { content: leader('.') target-counter(attr(href url), page) }"
        "</style></head><body>"
    ]
    front, labels = doc.front, doc.labels
    out.append(f"<h1>{e(front.title)}</h1><p>{e(front.subtitle)}</p><p>{e(front.organisation)}</p>"
               f"<p>{e(doc.meta.edition_label)}</p><p>{e(doc.meta.classification)}</p>")
    out.append(f'<section class="page"><h2>{e(labels["imprint"])}</h2><p>{e(front.organisation)}<br>'
               f"{e(front.unit)}</p><p>{e(labels['edition'])} {e(doc.meta.edition_label)}<br>"
               f"{e(labels['reference'])} {e(doc.meta.reference)}<br>{e(labels['classification'])} "
               f"{e(doc.meta.classification)}<br>{e(labels['status'])} {e(doc.meta.status)}</p></section>")
    out.append(f'<section class="page"><h1>{e(labels["foreword"])}</h1>')
    out += [f"<p>{e(plain(p.spans))}</p>" for p in front.foreword]
    out.append(f'</section><nav class="page"><h1>{e(labels["contents"])}</h1><ol>')
    out += [f'<li><a href="#{ch.anchor}">{e(ch.title)}</a></li>' for ch in doc.chapters]
    out.append("</ol></nav>")

    def block(b) -> str:
        if isinstance(b, Paragraph):
            return f"<p>{e(plain(b.spans))}</p>"
        if isinstance(b, BulletList):
            intro = f"<p>{e(plain(b.intro))}</p>" if b.intro else ""
            return intro + "<ul>" + "".join(f"<li>{e(plain(i))}</li>" for i in b.items) + "</ul>"
        if isinstance(b, Focus):
            return (f"<p>{e(labels['in_focus'])}</p><p>{e(plain(b.title))}</p>"
                    + "".join(f"<p>{e(plain(p.spans))}</p>" for p in b.body))
        if isinstance(b, KeyFigure):
            return f"<p>{e(labels['key_figure'])}</p><p>{e(plain(b.value))}</p><p>{e(plain(b.text))}</p>"
        if isinstance(b, Quote):
            who = f"<p>{e(plain(b.attribution))}</p>" if b.attribution else ""
            return f"<blockquote><p>{e(plain(b.spans))}</p></blockquote>{who}"
        raise TypeError(b)

    opening, closing = ("<section>", "</section>") if grouped else ("", "")

    def section(s, level: int) -> str:
        return (f"{opening}<h{level}>{e(plain(s.heading))}</h{level}>" + "".join(block(b) for b in s.blocks)
                + "".join(section(sub, level + 1) for sub in s.subsections) + closing)

    for i, ch in enumerate(doc.chapters, start=1):
        out.append(f'<section class="page" id="{ch.anchor}"><p>{i:02d}</p><h1>{e(ch.title)}</h1>'
                   f'<p>{e(plain(ch.lead))}</p><div class="columns">')
        out += [opening, *(block(b) for b in ch.intro), closing]
        out += [section(s, 2) for s in ch.sections]
        if ch.related:
            out.append(f"{opening}<h2>{e(labels['related'])}</h2><p>"
                       + " · ".join(e(r.title) for r in ch.related) + f"</p>{closing}")
        out.append("</div></section>")
    out.append("</body></html>")
    return "".join(out)


# --- measuring (in a fresh process) ------------------------------------------------


def _worker(content: str, langs: list[str], factsheets: bool, runs: int) -> dict:
    """Render each handbook and its reference alternately `runs` times; CPU and wall medians."""
    from pypdf import PdfReader
    from weasyprint import HTML

    from pipeline.content.project import load_project
    from pipeline.render import pdf as pdfmod
    from pipeline.render.compose import compose_factsheet, compose_handbook

    project = load_project(Path(content))
    jobs: dict[str, object] = {}
    pages: dict[str, int] = {}
    for lang in langs:
        doc = compose_handbook(project, lang)
        jobs[f"handbook {lang}"] = lambda doc=doc: pdfmod.render_pdf(doc)
        for kind, grouped in (("reference", False), ("grouped", True)):
            source = reference_html(doc, grouped)
            jobs[f"{kind} {lang}"] = lambda ref=source: HTML(string=ref).write_pdf(
                font_config=pdfmod._font_config(), pdf_variant=pdfmod.PDF_VARIANTS["screen"],
                pdf_tags=pdfmod.PDF_TAGS["screen"], pdf_identifier=True)
    if factsheets:
        docs = [compose_factsheet(project, lang, t) for lang in langs for t in project.topic_ids]
        jobs["factsheet"] = lambda: [pdfmod.render_pdf(d) for d in docs]
    for name, job in jobs.items():  # first use: fonts, hyphenation dictionaries, layout code
        data = job()
        if name.startswith(("handbook", "reference", "grouped")):
            pages[name] = len(PdfReader(io.BytesIO(data)).pages)
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            c, w = time.process_time(), time.perf_counter()
            job()
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - w)
    per = {"factsheet": len(docs)} if factsheets else {}
    return {name: {"cpu": statistics.median(cpu[name]) / per.get(name, 1),
                   "best": min(cpu[name]) / per.get(name, 1),
                   "wall": statistics.median(wall[name]) / per.get(name, 1),
                   "pages": pages.get(name), "count": per.get(name, 1)} for name in jobs}


def _measure(content: Path, langs: list[str], factsheets: bool, runs: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", str(content), ",".join(langs), str(int(factsheets)), str(runs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def peak_rss_mb(content: Path, lang: str, scratch: Path) -> float:
    """Peak resident memory (MB) of `pipeline handbook` building one PDF, in a fresh process tree."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
            "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cmd = [sys.executable, "-m", "pipeline", "--content", str(content), "--build-dir", str(scratch / "build"),
           "handbook", "--lang", lang, "--format", "pdf", "-o", str(scratch / f"handbook-{lang}.pdf")]
    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.split()[-1]) / 1024


def _seconds(row: dict) -> str:
    return f"{row['cpu']:6.2f} s [{row['best']:6.2f}] ({row['wall']:6.2f})"


def main(runs: int = 5) -> None:
    """Print the scale table (called by tests/bench.py)."""
    runs = max(runs, 5)
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        synthetic = synthetic_edition(scratch / "content")
        small = _measure(CONTENT, ["en", "fr"], True, runs)
        large = _measure(synthetic, ["en"], False, runs)
        peak = peak_rss_mb(synthetic, "en", scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nscale: CPU seconds of the rendering process, median of {runs} alternating renders "
          "[best of them] (wall median in brackets)")
    rows = [("11 topics", small, "en"), ("11 topics", small, "fr"), (f"{11 * COPIES} topics", large, "en")]
    ok = True
    for label, result, lang in rows:
        ours, ref, grouped = (result[f"{kind} {lang}"] for kind in ("handbook", "reference", "grouped"))
        ratio = ours["cpu"] / ref["cpu"]
        ok &= ratio <= RATIO_LIMIT
        print(f"{label} handbook {lang}: {_seconds(ours)}, {ours['pages']} pages, "
              f"{ours['cpu'] / ours['pages']:.3f} s/page")
        print(f"    plain reference:   {_seconds(ref)}, {ref['pages']} pages: ratio {ratio:.2f} "
              f"[best {ours['best'] / ref['best']:.2f}] (target <= {RATIO_LIMIT})")
        print(f"    grouped reference: {_seconds(grouped)}, {grouped['pages']} pages: ratio "
              f"{ours['cpu'] / grouped['cpu']:.2f} [best {ours['best'] / grouped['best']:.2f}]")
    fs = small["factsheet"]
    print(f"factsheet PDF (each, median of {fs['count']} per run): {fs['cpu']:.3f} s [{fs['best']:.3f}] "
          f"({fs['wall']:.3f})")
    ok &= peak <= PEAK_LIMIT_MB
    print(f"peak resident memory, pipeline handbook, {11 * COPIES} topics: {peak:.0f} MB (target <= {PEAK_LIMIT_MB})")
    print("scale targets met" if ok else "scale targets NOT met")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        content, langs, factsheets, runs = sys.argv[2:6]
        print(json.dumps(_worker(content, langs.split(","), factsheets == "1", int(runs))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
