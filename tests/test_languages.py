"""Further languages by content alone: the Arabic (right-to-left) and Spanish test editions.

`tests/fixtures/edition-ar` and `tests/fixtures/edition-es` are complete content folders
(English plus Arabic, English plus Spanish; two topics each with a list, a focus item, a
key figure, a quotation and related links), written as test material. They are built
once per session through the CLI, in both formats, and the tests read what was written:
the PDFs through pdftotext (-bbox-layout for positions), `pdfinfo -struct-text` (the
tagged text) and pdffonts; the DOCX through its XML, and as LibreOffice lays it out.

Arabic words come out of pdftotext in the order their glyphs are drawn, right to left,
so a word is found by its letters whatever their order (`Line.has`, `letters`).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.content import model
from pipeline.content.project import load_project
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.render.html import render_html, stylesheets_for
from pipeline.render.pdf import render_pdf
from pipeline.render.typography import LRI, PDI

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITION = {"ar": FIXTURES / "edition-ar", "es": FIXTURES / "edition-es"}
CODE = "COM/FS/2026-11/COR-01"
MM = 72 / 25.4
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ISOLATES = re.compile("[\u2066-\u2069\u202a-\u202e]")

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                   reason="poppler-utils not installed")
needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")


# --- the editions, built once ---------------------------------------------------------------


@dataclass
class Edition:
    """One test edition, loaded and built (PDF and DOCX) into `out`."""

    lang: str
    project: object
    out: Path

    def pdf(self, name: str, lang: str | None = None) -> Path:
        lang = lang or self.lang
        return self.out / lang / (f"{name}-{lang}.pdf" if name == "handbook" else f"factsheets/{name}-{lang}.pdf")

    def docx(self, name: str, lang: str | None = None) -> Path:
        return self.pdf(name, lang).with_suffix(".docx")

    def factsheet_doc(self, topic: str, lang: str | None = None) -> model.Document:
        return compose_factsheet(self.project, lang or self.lang, topic)

    def handbook_doc(self, lang: str | None = None) -> model.Document:
        return compose_handbook(self.project, lang or self.lang)


def _build(content: Path, out: Path, *langs: str) -> None:
    args = ["--content", str(content), "--build-dir", str(out), "build"]
    for lang in langs:
        args += ["--lang", lang]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    # The build is strict: a WeasyPrint warning (a missing glyph, a hyphenation
    # dictionary it lacks) would have failed it.
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output.lower(), result.output


@pytest.fixture(scope="session")
def arabic(shared) -> Edition:
    """The Arabic edition, and its English as the left-to-right sibling to compare with."""
    out = shared.folder("edition-ar", lambda folder: _build(EDITION["ar"], folder))
    return Edition("ar", load_project(EDITION["ar"]), out)


@pytest.fixture(scope="session")
def spanish(shared) -> Edition:
    out = shared.folder("edition-es", lambda folder: _build(EDITION["es"], folder, "es"))
    return Edition("es", load_project(EDITION["es"]), out)


@pytest.fixture(scope="session")
def libreoffice(arabic, libreoffice_pdf, tmp_path_factory) -> dict[str, Path]:
    """The Arabic factsheet and handbook DOCX, and the English factsheet, as
    LibreOffice lays them out (PDF)."""
    sources = {"ar-factsheet": arabic.docx("corruption"), "ar-handbook": arabic.docx("handbook"),
               "en-factsheet": arabic.docx("corruption", "en")}
    pdfs = libreoffice_pdf(list(sources.values()), tmp_path_factory.mktemp("lo"))
    return dict(zip(sources, pdfs, strict=True))


# --- reading PDFs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line as pdftotext -bbox-layout finds it, in points from the top left."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def has(self, word: str) -> bool:
        """Whether the line holds `word` (its letters, in whatever order: an Arabic
        word's glyphs are drawn right to left, a ligature's letters in their order)."""
        return word in self.text or any(letters(_word(w)) == letters(_word(word)) for w in self.text.split())


def bbox_lines(pdf: Path) -> tuple[float, float, list[list[Line]]]:
    """Page width, page height and each page's lines (zero-width marks left out)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    ns = "{http://www.w3.org/1999/xhtml}"
    pages, width, height = [], 0.0, 0.0
    for page in root.iter(ns + "page"):
        width, height = float(page.get("width")), float(page.get("height"))
        lines = []
        for line in page.iter(ns + "line"):
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            if box[2] - box[0] > 2:
                lines.append(Line(*box, " ".join(w.text or "" for w in line.iter(ns + "word"))))
        pages.append(_rejoin(lines))
    return width, height, pages


def _rejoin(pieces: list[Line]) -> list[Line]:
    """Lines as printed: pdftotext cuts an Arabic line where a vowel mark sits higher
    than its neighbours; pieces on one baseline and closer than a column gap are one line."""
    rows: list[list[Line]] = []
    for piece in sorted(pieces, key=lambda p: (p.y0 + p.y1) / 2):
        if rows and _same_row(rows[-1][-1], piece):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda p: p.x0)
        current = [row[0]]
        for piece in row[1:]:
            if piece.x0 - max(p.x1 for p in current) > 4 * MM:
                lines.append(_merged(current))
                current = []
            current.append(piece)
        lines.append(_merged(current))
    return lines


def _same_row(a: Line, b: Line) -> bool:
    """Whether two pieces share most of their height (one line, different faces)."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.6 * min(a.y1 - a.y0, b.y1 - b.y0)


def _merged(pieces: list[Line]) -> Line:
    return Line(min(p.x0 for p in pieces), min(p.y0 for p in pieces), max(p.x1 for p in pieces),
                max(p.y1 for p in pieces), " ".join(p.text for p in pieces))


def struct_blocks(pdf: Path) -> list[tuple[str, str]]:
    """The tagged text: (role, text) of each block element of the structure tree, in
    tree order, from `pdfinfo -struct-text`."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    blocks: list[tuple[str, list[str]]] = []
    for line in out.splitlines():
        stripped = line.strip()
        role = re.match(r"(\w+)( \(block\))?$", stripped)
        if role:
            blocks.append((role.group(1), []))
        elif stripped.startswith('"') and blocks:
            blocks[-1][1].append(stripped[1:-1])
    return [(role, " ".join(texts)) for role, texts in blocks if texts]


def letters(text: str) -> Counter:
    """The letters of a text, whatever their order (glyphs of right-to-left text are
    drawn, and tagged, right to left)."""
    return Counter(c for c in ISOLATES.sub("", text).casefold() if not c.isspace())


def _word(text: str) -> str:
    return text.strip(".,:;!?،؟")


def model_texts(doc: model.Document) -> list[str]:
    """The texts of a factsheet in reading order, as the template prints them."""
    chapter = doc.chapters[0]
    texts = [doc.labels["factsheet"], chapter.title, model.plain(chapter.lead)]

    def blocks(items):
        for b in items:
            if isinstance(b, model.Paragraph):
                texts.append(model.plain(b.spans))
            elif isinstance(b, model.BulletList):
                texts.extend([model.plain(b.intro)] if b.intro else [])
                texts.extend(model.plain(item) for item in b.items)
            elif isinstance(b, model.Focus):
                texts.extend([doc.labels["in_focus"], model.plain(b.title)])
                texts.extend(model.plain(p.spans) for p in b.body)
            elif isinstance(b, model.KeyFigure):
                texts.extend([doc.labels["key_figure"], model.plain(b.value), model.plain(b.text)])
            elif isinstance(b, model.Quote):
                texts.append(model.plain(b.spans))
                texts.extend([model.plain(b.attribution)] if b.attribution else [])

    blocks(chapter.intro)
    for section in chapter.sections:
        texts.append(model.plain(section.heading))
        blocks(section.blocks)
    texts.append(doc.labels["related"])
    return texts


# --- direction is language data ------------------------------------------------------------------


def test_direction_comes_from_the_strings_and_defaults_to_left_to_right(arabic, spanish):
    assert arabic.project.languages["ar"].strings.direction == "rtl"
    assert arabic.project.languages["en"].strings.direction == "ltr"  # the English strings do not say
    assert spanish.project.languages["es"].strings.direction == "ltr"
    assert arabic.factsheet_doc("corruption").meta.direction == "rtl"
    assert arabic.factsheet_doc("corruption", "en").meta.direction == "ltr"
    assert stylesheets_for("handbook", "rtl")[-2:] == ("rtl.css", "extra.css")
    assert "rtl.css" not in stylesheets_for("handbook", "ltr")


def test_any_language_code_can_be_right_to_left(tmp_path):
    """Nothing in the code knows Arabic: the same content as language `fa` (the
    folder, the strings, the edition and the branding renamed) is mirrored too, and
    Arabic declared left to right is not."""
    content = tmp_path / "content"
    shutil.copytree(EDITION["ar"], content)
    (content / "ar").rename(content / "fa")
    (content / "translations" / "ar.yaml").rename(content / "translations" / "fa.yaml")
    for name, old, new in (("fa/_strings.yaml", "language: ar", "language: fa"),
                           ("edition.yaml", "[en, ar]", "[en, fa]"),
                           ("branding.yaml", "    ar: {", "    fa: {"),
                           ("translations/fa.yaml", "  ar: ", "  fa: ")):
        path = content / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    doc = compose_factsheet(load_project(content), "fa", "corruption")
    html = render_html(doc)
    assert 'dir="rtl"' in html and 'href="rtl.css"' in html
    assert doc.branding["script_fonts"] == {"body": "Noto Naskh Arabic", "heading": "Noto Sans Arabic"}
    strings = content / "fa" / "_strings.yaml"
    strings.write_text(strings.read_text(encoding="utf-8").replace("direction: rtl", "direction: ltr"),
                       encoding="utf-8")
    html = render_html(compose_factsheet(load_project(content), "fa", "corruption"))
    assert 'dir="ltr"' in html and "rtl.css" not in html


def test_an_unknown_direction_is_a_located_content_error(tmp_path, run_cli):
    content = tmp_path / "content"
    shutil.copytree(EDITION["ar"], content)
    strings = content / "ar" / "_strings.yaml"
    strings.write_text(strings.read_text(encoding="utf-8").replace("direction: rtl", "direction: right"),
                       encoding="utf-8")
    result = run_cli("--content", content, "validate")
    assert result.exit_code == 1
    assert re.search(r"ar/_strings\.yaml:5: direction: .*'ltr' or 'rtl'", result.output), result.output


@pytest.mark.parametrize("lang", ["ar", "es"])
def test_the_editions_translations_are_current(lang, run_cli):
    """`direction` is a setting of the language, not a text to translate: the
    accepted record of each edition stays current."""
    result = run_cli("--content", EDITION[lang], "translations", "--lang", lang)
    assert result.exit_code == 0, result.output


# --- Arabic PDF ------------------------------------------------------------------------------------


@needs_poppler
def test_arabic_pdf_language_fonts_and_direction(arabic):
    for name in ("corruption", "handbook"):
        pdf = arabic.pdf(name)
        catalog = pypdf.PdfReader(pdf).trailer["/Root"]
        assert catalog["/Lang"] == "ar-SA"
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [row.split() for row in fonts.splitlines()[2:]]
        names = {row[0].split("+", 1)[1] for row in rows}
        # The Arabic faces for the Arabic, the brand faces for the Latin runs (codes, digits).
        assert {"Noto-Naskh-Arabic", "Noto-Sans-Arabic", "Noto-Serif", "Noto-Sans"} <= {
            n.removesuffix("-Bold") for n in names}, names
        for row in rows:
            assert row[-5:-2] == ["yes", "yes", "yes"], f"{row[0]} not embedded, subset and mapped to Unicode"
    html = render_html(arabic.factsheet_doc("corruption"))
    assert '<html lang="ar-SA" dir="rtl"' in html
    # Keywords are separated by the Arabic comma, as the language writes them.
    keywords = arabic.factsheet_doc("corruption").meta.keywords
    assert keywords == ("مجالات الجريمة", "التعاون الشرطي", "إحاطة")
    assert pypdf.PdfReader(arabic.pdf("corruption")).metadata["/Keywords"] == ", ".join(keywords)


@needs_poppler
def test_arabic_tagged_text_follows_the_reading_order(arabic):
    """The structure tree holds every text of the factsheet in the order it is read
    (the right-hand column before the left-hand one), each with all its letters."""
    doc = arabic.factsheet_doc("corruption")
    expected = model_texts(doc)
    tagged = [text for role, text in struct_blocks(arabic.pdf("corruption"))
              if role in ("P", "H1", "H2", "LBody", "Caption")]
    found, position = [], 0
    for text in tagged:
        for i in range(position, len(expected)):
            if letters(text) == letters(expected[i]):
                found.append(i)
                position = i + 1
                break
    assert found == list(range(len(expected))), [expected[i] for i in range(len(expected)) if i not in found]


def _body(lines: list[Line], height: float, top: float) -> list[Line]:
    """The lines below `top` and above the foot."""
    return [line for line in lines if top < line.y0 < height - 21 * MM]


def _band_bottom(lines: list[Line], title: str) -> float:
    lead = next(i for i, line in enumerate(lines) if line.has(title))
    return lines[lead + 1].y1  # the lead, under the title


@needs_poppler
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_factsheet_columns_and_lines_are_mirrored(arabic, lang):
    """Arabic: the first column is the right-hand one, every line starts at the right
    edge of its column (short lines leave their gap on the left), and a block later in
    the text (the related areas) is in the left-hand column. The English of the same
    edition is the mirror image, as the control that shows the checks can fail."""
    doc = arabic.factsheet_doc("corruption", lang)
    width, height, pages = bbox_lines(arabic.pdf("corruption", lang))
    margin = doc.margins.outer * MM  # the same on both sides of a factsheet
    gap = 7 * MM
    column = (width - 2 * margin - gap) / 2
    start, end = (width - margin, margin) if lang == "ar" else (margin, width - margin)
    first_col = (width - margin - column, width - margin) if lang == "ar" else (margin, margin + column)
    second_col = (margin, margin + column) if lang == "ar" else (width - margin - column, width - margin)

    lines = pages[0]
    body = _body(lines, height, _band_bottom(lines, doc.chapters[0].title))
    intro = model.plain(doc.chapters[0].intro[0].spans).split()[0]
    first = min(body, key=lambda line: line.y0)
    assert first.has(intro), first
    assert first_col[0] - 1 <= first.x0 and first.x1 <= first_col[1] + 1, first
    related = next(line for line in body if line.has(doc.labels["related"].split()[0]))
    assert second_col[0] - 1 <= related.x0 and related.x1 <= second_col[1] + 1, related

    for line in body:
        col = first_col if line.x0 >= first_col[0] - 1 and line.x1 <= first_col[1] + 1 else second_col
        assert col[0] - 1 <= line.x0 and line.x1 <= col[1] + 1, f"{line} crosses the column gap"
        start_gap = col[1] - line.x1 if lang == "ar" else line.x0 - col[0]
        end_gap = line.x0 - col[0] if lang == "ar" else col[1] - line.x1
        # Every line starts at the margin, or within a box's padding of it; a short
        # line leaves its gap at the other end.
        side = ("right", "left")[lang == "en"]
        assert start_gap < 6 * MM, f"{line} does not start at the {side} of its column"
        if end_gap > 6 * MM:
            assert start_gap < end_gap, f"{line} is not aligned on the {side}"
    # The paragraphs' lines start exactly at the text margin of the right side.
    at_margin = [line for line in body if abs((line.x1 if lang == "ar" else line.x0) - start) < 0.5]
    assert first in at_margin and len(at_margin) >= 8, len(at_margin)
    assert not [line for line in body if abs((line.x0 if lang == "ar" else line.x1) - end) < 0.5
                and line.x1 - line.x0 < column - 5 * MM], "a short line at the other margin"


@needs_poppler
def test_latin_reference_code_reads_intact_in_arabic(arabic):
    """The reference code in the running text and in the foot, and in the tagged text."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(arabic.pdf("corruption")), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert text.count(CODE) == 2, text  # the paragraph and the foot
    assert not re.search("[\u2066-\u2069]", text)  # the isolates have no glyph
    tagged = " ".join(text for _, text in struct_blocks(arabic.pdf("corruption")))
    assert CODE in tagged
    paragraph = next(p for s in arabic.factsheet_doc("corruption").chapters[0].sections
                     for b in s.blocks if isinstance(b, model.Paragraph) and CODE in model.plain(b.spans)
                     for p in [b])
    # The model isolates it for the bidirectional algorithm.
    assert f"{LRI}{CODE}{PDI}" in model.plain(paragraph.spans)
    assert f"{LRI}VPN{PDI}" in model.plain(arabic.factsheet_doc("cybercrime").chapters[0].sections[0].blocks[1].spans)


@needs_poppler
def test_arabic_typography_is_kept(arabic):
    """Arabic comma and question mark as typed, « » quotes, numbers grouped by the
    language's rule; no hyphenation (there are no Arabic patterns), and no warning
    about it (the strict build passed)."""
    corruption = subprocess.run(["pdftotext", "-enc", "UTF-8", str(arabic.pdf("corruption")), "-"],
                                capture_output=True, text=True, check=True).stdout
    cyber = subprocess.run(["pdftotext", "-enc", "UTF-8", str(arabic.pdf("cybercrime")), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "،" in corruption and "؟" in corruption
    assert "«" in corruption and "»" in corruption and '"' not in corruption
    assert "15,000" in cyber
    words = " ".join(line.text for page in bbox_lines(arabic.pdf("corruption"))[2] for line in page)
    assert "\u2010" not in words and not re.search(r"[\u0600-\u06ff]-(\s|$)", words)


@needs_poppler
def test_arabic_handbook_is_mirrored(arabic):
    """Recto pages are the left-hand ones: odd pages carry the binding (inner margin) on
    the right and the page number on the outer, left, edge; even pages the reverse. The
    cover's and the chapters' titles and the contents' entries are aligned right, the
    page numbers of the contents on the left."""
    doc = arabic.handbook_doc()
    width, height, pages = bbox_lines(arabic.pdf("handbook"))
    m = doc.margins
    for number, lines in enumerate(pages[1:], start=2):
        foot = [line for line in lines if line.y0 > height - m.bottom * MM]
        number_line = next(line for line in foot if line.text.strip() == str(number))
        text = [line for line in lines if line.y0 < height - m.bottom * MM]
        right_edge = max(line.x1 for line in text)
        if number % 2:  # recto, a left-hand page: bound on the right
            assert abs(number_line.x0 - m.outer * MM) < 1, (number, number_line)
            assert abs(right_edge - (width - m.inner * MM)) < 1, (number, right_edge)
        else:
            assert abs(number_line.x1 - (width - m.outer * MM)) < 1, (number, number_line)
            assert abs(right_edge - (width - m.outer * MM)) < 1, (number, right_edge)
    cover = pages[0]
    title = next(line for line in cover if line.has(doc.front.title.split()[-1]))
    assert title.x1 > width / 2 and title.x0 > width / 4, title
    contents = next(lines for lines in pages if any(line.has(doc.labels["contents"]) for line in lines))
    for chapter in doc.chapters:
        entry = next(line for line in contents if line.has(chapter.title.split()[-1]))
        assert abs(entry.x1 - (width - m.outer * MM)) < 1, entry  # page 4: a verso, bound on the left
        assert re.match(r"\d+ ", entry.text), entry  # the page number on the left, after the leader


def _long_handbook(doc: model.Document, chapter_start: str) -> model.Document:
    chapter = doc.chapters[0]
    sections = tuple(dataclasses.replace(section, anchor=f"{section.anchor}-{i}")
                     for i in range(6) for section in chapter.sections)
    long = dataclasses.replace(chapter, sections=sections)
    return dataclasses.replace(doc, chapters=(long, *doc.chapters[1:]), chapter_start=chapter_start)


@needs_poppler
@pytest.mark.parametrize("mode", ["page", "recto"])
def test_arabic_running_heads_are_mirrored(arabic, mode, tmp_path):
    """A first chapter over several pages: the chapter title heads recto (left, odd)
    pages on their outer left edge, the handbook title verso (right, even) pages on their
    right edge; with `chapter_start: recto` every chapter opens on an odd page."""
    doc = _long_handbook(arabic.handbook_doc(), mode)
    pdf = tmp_path / "handbook.pdf"
    pdf.write_bytes(render_pdf(doc))
    width, _, pages = bbox_lines(pdf)
    m = doc.margins
    openings = [next(n for n, lines in enumerate(pages, start=1) if any(  # the chapter number, 01, 02
        line.text.strip() == f"{i:02d}" and line.y0 < 50 * MM for line in lines)) for i in (1, 2)]
    if mode == "recto":
        assert all(n % 2 for n in openings), openings
    assert openings[1] - openings[0] >= 3
    for number in range(openings[0] + 1, openings[1]):
        head = [line for line in pages[number - 1] if line.y1 < m.top * MM]
        if not head:
            continue  # a blank page before a recto
        (line,) = head
        if number % 2:
            assert line.has(doc.chapters[0].title.split()[-1]) and abs(line.x0 - m.outer * MM) < 1, line
        else:
            assert line.has(doc.front.title.split()[-1]) and abs(line.x1 - (width - m.outer * MM)) < 1, line


# --- Arabic DOCX -----------------------------------------------------------------------------------


def _xml(path: Path, part: str) -> ET.Element:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read(part))


def _parts(path: Path, prefix: str) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".xml")]


def _run_text(run: ET.Element) -> str:
    return "".join(t.text or "" for t in run.iter(W + "t"))


@pytest.mark.parametrize("name", ["corruption", "handbook"])
def test_arabic_docx_is_right_to_left(arabic, name):
    """w:bidi on every paragraph and section, w:rtl on the runs of Arabic text and not
    on the Latin runs (the reference code, VPN, the e-mail address), no isolate
    characters left in the text, margins swapped so the binding is on the right."""
    path = arabic.docx(name)
    stories = ["word/document.xml", *_parts(path, "word/header"), *_parts(path, "word/footer")]
    latin_runs = []
    for part in stories:
        root = _xml(path, part)
        for p in root.iter(W + "p"):
            assert p.find(f"{W}pPr/{W}bidi") is not None, f"{part}: a paragraph without w:bidi"
        for run in root.iter(W + "r"):
            text = _run_text(run)
            assert not ISOLATES.search(text), f"{part}: isolate characters in {text!r}"
            if not text.strip():
                continue
            rtl = run.find(f"{W}rPr/{W}rtl") is not None
            if re.search("[\u0600-\u06ff]", text):
                assert rtl, f"{part}: Arabic run without w:rtl: {text!r}"
            elif re.search("[A-Za-z]", text):
                assert not rtl, f"{part}: Latin run marked w:rtl: {text!r}"
                latin_runs.append(text)
    document = _xml(path, "word/document.xml")
    assert "briefings@example.org" in latin_runs
    if name == "corruption":
        assert CODE in latin_runs
    sections = list(document.iter(W + "sectPr"))
    assert sections and all(s.find(W + "bidi") is not None for s in sections)
    m = (arabic.handbook_doc() if name == "handbook" else arabic.factsheet_doc(name)).margins
    for section in sections:
        mar = section.find(W + "pgMar")
        expected = (m.outer, m.inner)  # left, right: the inner (binding) margin on the right
        assert (round(int(mar.get(W + "left")) / 56.7), round(int(mar.get(W + "right")) / 56.7)) == expected


def test_arabic_docx_styles_fonts_language_and_fields(arabic):
    path = arabic.docx("handbook")
    styles = _xml(path, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(W + "lang").get(W + "bidi") == "ar-SA"
    assert defaults.find(W + "rFonts").get(W + "cs") == "Noto Naskh Arabic"
    by_id = {s.get(W + "styleId"): s for s in styles.iter(W + "style")}
    for style_id, latin, arabic_font in (("Normal", "Noto Serif", "Noto Naskh Arabic"),
                                         ("Heading1", "Noto Sans", "Noto Sans Arabic"),
                                         ("Heading2", "Noto Sans", "Noto Sans Arabic")):
        fonts = by_id[style_id].find(f"{W}rPr/{W}rFonts")
        assert (fonts.get(W + "ascii"), fonts.get(W + "cs")) == (latin, arabic_font), style_id
        assert by_id[style_id].find(f"{W}pPr/{W}bidi") is not None
    # Paragraph borders are physical: the call-out rule moves to the right.
    borders = by_id["CalloutBody"].find(f"{W}pPr/{W}pBdr")
    assert [b.tag.removeprefix(W) for b in borders] == ["top", "left", "bottom", "right"]
    assert borders.find(W + "right").get(W + "sz") == "20" and borders.find(W + "left").get(W + "sz") == "8"
    settings = _xml(path, "word/settings.xml")
    assert settings.find(W + "themeFontLang").get(W + "bidi") == "ar-SA"
    fonts = {f.get(W + "name") for f in _xml(path, "word/fontTable.xml").iter(W + "font")}
    assert {"Noto Naskh Arabic", "Noto Sans Arabic"} <= fonts
    instructions = " ".join(i.text for part in ["word/document.xml", *_parts(path, "word/footer")]
                            for i in _xml(path, part).iter(W + "instrText"))
    assert "TOC " in instructions and "PAGE" in instructions and "PAGEREF" in instructions


def test_right_to_left_tables(arabic):
    """Tables (none in today's model) lay out their columns from the right."""
    import docx

    from pipeline.render import docx_bidi

    document = docx.Document()
    document.add_table(rows=1, cols=2)
    docx_bidi.right_to_left(document, "ar-SA")
    assert document.element.body.find(f"{W}tbl/{W}tblPr/{W}bidiVisual") is not None


@needs_soffice
@needs_poppler
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_libreoffice_lays_the_arabic_docx_out_right_aligned(arabic, libreoffice, lang):
    """LibreOffice converts the DOCX; every line that does not fill the measure hugs the
    right margin (the English, as the control, the left), and the page foot follows."""
    width, height, pages = bbox_lines(libreoffice[f"{lang}-factsheet"])
    doc = arabic.factsheet_doc("corruption", lang)
    left, right = doc.margins.inner * MM, width - doc.margins.outer * MM
    body = [line for line in pages[0] if line.y0 < height - doc.margins.bottom * MM]
    short = [line for line in body if line.x1 - line.x0 < 0.8 * (right - left)]
    assert len(short) >= 10
    for line in short:
        start_gap, end_gap = (right - line.x1, line.x0 - left) if lang == "ar" else (line.x0 - left, right - line.x1)
        assert start_gap < end_gap, f"{line} is not aligned on the {('right', 'left')[lang == 'en']}"
    paragraph = next(line for line in body if line.has(model.plain(doc.chapters[0].intro[0].spans).split()[0]))
    assert abs((paragraph.x1 if lang == "ar" else paragraph.x0) - (right if lang == "ar" else left)) < 1
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(libreoffice[f"{lang}-factsheet"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert text.count(CODE) == 2


@needs_soffice
@needs_poppler
def test_libreoffice_keeps_the_arabic_handbooks_fields(arabic, libreoffice):
    """PAGE in every foot, on the outer edge (left on odd, recto pages), and the TOC
    with the pages LibreOffice put the chapters on."""
    doc = arabic.handbook_doc()
    width, height, pages = bbox_lines(libreoffice["ar-handbook"])
    for number, lines in enumerate(pages[1:], start=2):
        foot = next(line for line in lines if line.y0 > height - doc.margins.bottom * MM
                    and re.search(rf"(^|\s){number}($|\s)", line.text))
        if number % 2:
            assert foot.x0 < width / 2 and foot.text.split()[0] == str(number), foot
        else:
            assert foot.x1 > width / 2 and foot.text.split()[-1] == str(number), foot
    opened = [next(n for n, lines in enumerate(pages, start=1) if any(  # the chapter number, 01, 02
        line.text.strip() == f"{i:02d}" and line.y0 < 50 * MM for line in lines)) for i in (1, 2)]
    contents = next(lines for lines in pages if any(line.has(doc.labels["contents"]) for line in lines))
    for chapter, page in zip(doc.chapters, opened, strict=True):
        entry = next(line for line in contents if line.has(chapter.title.split()[-1]))
        assert entry.text.split()[0] == str(page), entry


# --- Spanish ---------------------------------------------------------------------------------------


@needs_poppler
def test_spanish_typography_in_both_formats(spanish):
    """¿ and ¡ as typed, « » quotes, 15 000 with a narrow no-break space, 60 % with a
    no-break space; left to right, no mirrored sheet, no bidi settings."""
    pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(spanish.pdf("corruption")), "-"],
                         capture_output=True, text=True, check=True).stdout
    cyber = subprocess.run(["pdftotext", "-enc", "UTF-8", str(spanish.pdf("cybercrime")), "-"],
                           capture_output=True, text=True, check=True).stdout
    docx_text = "".join(t.text or "" for t in _xml(spanish.docx("corruption"), "word/document.xml").iter(W + "t"))
    docx_cyber = "".join(t.text or "" for t in _xml(spanish.docx("cybercrime"), "word/document.xml").iter(W + "t"))
    for text in (re.sub(r"\s+", " ", pdf), docx_text):
        assert "¿Quién paga el precio?" in text
        assert "¡La corrupción" in text
        assert "«¿De dónde ha salido el dinero?»" in text
        assert CODE in text
    # pdftotext reads every space as a space; the no-break ones keep the number whole.
    assert re.search("Más del 60[ \u00a0]%", pdf) and re.search("15[ \u202f]000", cyber)
    assert "Más del 60\u00a0%" in docx_text and "15\u202f000" in docx_cyber
    assert pypdf.PdfReader(spanish.pdf("corruption")).trailer["/Root"]["/Lang"] == "es-ES"
    html = render_html(spanish.factsheet_doc("corruption"))
    assert 'dir="ltr"' in html and "rtl.css" not in html
    document = _xml(spanish.docx("corruption"), "word/document.xml")
    assert document.find(f".//{W}bidi") is None and document.find(f".//{W}rtl") is None
    lang = _xml(spanish.docx("corruption"), "word/styles.xml").find(f".//{W}docDefaults//{W}lang")
    assert lang.get(W + "val") == "es-ES"


@needs_poppler
def test_no_bad_line_break_in_the_test_editions(arabic, spanish):
    """The line-breaking rules (issue 21) hold right to left (Arabic, and its English)
    and in Spanish: no bad break in any PDF of either edition."""
    from pipeline.checks.breaks import check

    pdfs = sorted([*arabic.out.rglob("*.pdf"), *spanish.out.rglob("*.pdf")])
    assert len(pdfs) == 9  # Arabic and English, 2 factsheets and the handbook each; Spanish's 3
    assert [finding.line(pdf) for pdf in pdfs for finding in check(pdf)] == []


def test_arabic_and_english_pdfs_are_pdfua(arabic):
    """Right to left (issue 22): our checker and the `pdfua` package find nothing, and
    the links say where they lead in Arabic."""
    from pdfua_support import problems

    from pipeline.content.links import describe_page

    assert problems(arabic.out.rglob("*.pdf")) == []

    doc = arabic.handbook_doc()
    with pikepdf.open(arabic.pdf("handbook")) as pdf:
        descriptions = {str(a.Contents) for page in pdf.pages for a in page.get("/Annots", []) if "/Dest" in a}
        pages = len(pdf.pages)
    possible = {describe_page(doc.labels["link_page"], chapter.title, page)
                for chapter in doc.chapters for page in range(1, pages + 1)}
    assert descriptions and descriptions <= possible, descriptions
