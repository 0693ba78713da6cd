"""Figures, tables, links, source lines and the logo (issue 12), on the built documents.

The fixture `tests/fixtures/rich` (English and French, two topics, a final edition)
uses every new block: an SVG chart with a French copy under assets/fr/, a JPEG photo at
60 % of the column, a PNG diagram, two tables (one with bare whole numbers, one typed
per language), links in leads, paragraphs, list items, captions, cells and the
foreword, sourced key figures and quotes, and a wordmark logo made for the tests.
It is built once per session through the CLI; the tests open the PDF (structure tree,
annotations, text) and the DOCX (package parts and XML) that were written.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from pipeline.cli import cli
from pipeline.content import model
from pipeline.content.project import load_project
from pipeline.render.compose import compose_factsheet, compose_handbook

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rich"
LANGS = ("en", "fr")
TOPICS = ("ports", "networks")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {
    "w": W, "r": R,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "asvg": "http://schemas.microsoft.com/office/drawing/2016/SVG/main",
}
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EMU_PER_MM = 36000

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfimages")),
                                   reason="LibreOffice or poppler-utils not installed (make deps-test)")


def squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def build(content: Path, build_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--content", str(content), "--build-dir", str(build_dir), *args],
                              catch_exceptions=False)


@pytest.fixture(scope="session")
def rich_project():
    return load_project(FIXTURE)


@pytest.fixture(scope="session")
def rich_build(shared) -> Path:
    """Every fixture document (PDF and DOCX) under screen/, and the print-mode PDFs,
    which `build --print` writes under <build>/print/; built once per session."""

    def make(root: Path) -> None:
        result = build(FIXTURE, root / "screen", "-q", "build", "--jobs", "2")
        assert result.exit_code == 0, result.output
        result = build(FIXTURE, root, "-q", "build", "--jobs", "2", "--print", "--format", "pdf")
        assert result.exit_code == 0, result.output

    return shared.folder("rich-build", make)


def output(root: Path, lang: str, fmt: str, topic: str | None = None, mode: str = "screen") -> Path:
    if topic is None:
        return root / mode / lang / f"handbook-{lang}.{fmt}"
    return root / mode / lang / "factsheets" / f"{topic}-{lang}.{fmt}"


def documents(project, lang: str) -> list[tuple[model.Document, str | None]]:
    return [(compose_factsheet(project, lang, t), t) for t in TOPICS] + [(compose_handbook(project, lang), None)]


def blocks_of(doc: model.Document, kind: type) -> list:
    return [b for chapter in doc.chapters for b in model.chapter_blocks(chapter) if isinstance(b, kind)]


def hrefs_of(doc: model.Document) -> set[str]:
    """Every link target in a document's model."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, model.Span):
            if value.href:
                found.add(value.href)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)

    walk(doc.chapters)
    walk(doc.front)
    return found


# --- PDF ------------------------------------------------------------------------------------


def struct_elements(path: Path) -> list[DictionaryObject]:
    """Every structure element of a tagged PDF, depth first."""
    return descendants(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])


def descendants(element: DictionaryObject) -> list[DictionaryObject]:
    """The structure elements under `element`, depth first."""
    out: list[DictionaryObject] = []
    stack = [element.get("/K")]
    while stack:
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, ArrayObject):
            stack.extend(reversed(item))
        elif isinstance(item, DictionaryObject) and "/S" in item:
            out.append(item)
            stack.append(item.get("/K"))
    return out


def link_uris(path: Path) -> list[str]:
    return [annot.get_object()["/A"]["/URI"] for page in PdfReader(path).pages
            for annot in page.get("/Annots", []) if annot.get_object().get("/Subtype") == "/Link"
            and "/URI" in annot.get_object().get("/A", {})]


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_figures_are_tagged_with_their_alt_text(rich_build, rich_project, lang):
    for doc, topic in documents(rich_project, lang):
        figures = [str(e.get("/Alt")) for e in struct_elements(output(rich_build, lang, "pdf", topic))
                   if e["/S"] == "/Figure"]
        expected = [doc.logo.alt] + [f.alt for f in blocks_of(doc, model.Figure)]
        assert sorted(figures) == sorted(expected), topic
    # The logo's alt text comes from the language's strings, with the organisation named.
    logo = compose_factsheet(rich_project, lang, "ports").logo
    assert logo.alt == {"en": "Test Organisation logo", "fr": "Logo\u00a0: Organisation de test"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_tables_are_tagged_with_header_cells(rich_build, rich_project, lang):
    for topic in TOPICS:
        doc = compose_factsheet(rich_project, lang, topic)
        (table,) = blocks_of(doc, model.Table)
        tagged = [e for e in struct_elements(output(rich_build, lang, "pdf", topic)) if e["/S"] == "/Table"]
        # WeasyPrint tags each part of a table broken across columns or pages as a table
        # of its own, each headed by the repeated header row of TH cells.
        assert len(tagged) == {"ports": 1, "networks": 2}[topic]
        roles = [[str(e["/S"]) for e in descendants(part)] for part in tagged]
        for part in roles:
            assert part.count("/TH") == len(table.header) and "/THead" in part and "/TBody" in part
        assert sum(part.count("/TD") for part in roles) == len(table.rows) * len(table.header)
        assert "/Caption" in roles[0]


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_links_are_annotations_with_their_targets(rich_build, rich_project, lang):
    for doc, topic in documents(rich_project, lang):
        uris = link_uris(output(rich_build, lang, "pdf", topic))
        assert set(uris) == hrefs_of(doc), topic
    ports = hrefs_of(compose_factsheet(rich_project, lang, "ports"))
    assert {"https://example.org/portal", "mailto:ports@example.org"} <= ports


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_print_mode_prints_each_address_after_its_link(rich_build, lang):
    screen = squash(pdf_text(output(rich_build, lang, "pdf", "ports")))
    printed = squash(pdf_text(output(rich_build, lang, "pdf", "ports", mode="print")))
    portal = {"en": "the port portal", "fr": "le portail portuaire"}[lang]
    desk = {"en": "the port desk", "fr": "bureau des ports"}[lang]
    assert f"{portal} (example.org/portal)" in printed
    assert f"{desk} (ports@example.org)" in printed
    assert "(example.org/portal)" not in screen and "(ports@example.org)" not in screen
    # Clickable on screen; the print-shop file (PDF/X-4) carries no link annotations at all,
    # which is why the address is printed.
    assert "https://example.org/portal" in link_uris(output(rich_build, lang, "pdf", "ports"))
    assert not link_uris(output(rich_build, lang, "pdf", "ports", mode="print"))


def test_table_cells_get_the_language_typography(rich_build):
    def chars(lang: str, topic: str) -> str:  # pypdf keeps U+202F, which pdftotext turns into a space
        return "".join(page.extract_text() for page in PdfReader(output(rich_build, lang, "pdf", topic)).pages)

    assert "12,500" in chars("en", "ports") and "+12%" in chars("en", "ports")
    assert "12\u202f500" in chars("fr", "ports") and "+12\u202f%" in chars("fr", "ports")
    assert "11\u202f190" in chars("fr", "networks")  # a bare 11190 in the YAML, grouped in French only
    assert "11190" in chars("en", "networks")


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_source_lines_print_under_key_figures_and_quotes(rich_build, rich_project, lang):
    doc = compose_factsheet(rich_project, lang, "ports")
    (key_figure,) = blocks_of(doc, model.KeyFigure)
    (quote,) = blocks_of(doc, model.Quote)
    text = squash(pdf_text(output(rich_build, lang, "pdf", "ports")))
    for block, before in ((key_figure, key_figure.text), (quote, quote.attribution)):
        source = squash(model.plain(block.source))
        assert f"{squash(model.plain(before))} {source}" in text
    docx = docx_texts(output(rich_build, lang, "docx", "ports"))
    assert ("KeyFigureSource", model.plain(key_figure.source)) in docx
    assert ("Caption", model.plain(quote.attribution) + model.plain(quote.source)) in docx


@pytest.mark.slow
@needs_poppler
def test_a_long_table_repeats_its_header_row_on_the_next_page(rich_project, tmp_path):
    from pipeline.render.pdf import render_pdf

    doc = compose_factsheet(rich_project, "fr", "networks")
    (table,) = blocks_of(doc, model.Table)
    long = dataclasses.replace(table, rows=table.rows * 4)
    chapter = doc.chapters[0]
    section = chapter.sections[0]
    blocks = tuple(long if b is table else b for b in section.blocks)
    chapter = dataclasses.replace(chapter, sections=(dataclasses.replace(section, blocks=blocks),))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(dataclasses.replace(doc, chapters=(chapter,))))
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    page_of = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    # The header row heads every column the table runs into, on both pages: each part
    # is tagged as a table whose first row is the header's TH cells.
    parts = [e for e in struct_elements(path) if e["/S"] == "/Table"]
    pages = [page_of[part.raw_get("/Pg").idnum] for part in parts]
    assert pages.count(1) == 2 and pages.count(2) >= 1
    header = [model.plain(cell) for cell in table.header]
    for part in parts:
        first_row = next(e for e in descendants(part) if e["/S"] == "/TR")
        assert [str(e["/S"]) for e in descendants(first_row) if e["/S"] in ("/TH", "/TD")] == ["/TH"] * 3
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                            text=True, check=True).stdout.split("\f")
    assert all(header[2] in re.findall(r"\w+", page) for page in layout[:2])


def test_svg_and_raster_figures_embed_as_vectors_and_images(rich_build):
    reader = PdfReader(output(rich_build, "en", "pdf", "ports"))
    images = [name for page in reader.pages for name in page.images]
    assert len(images) == 1  # the JPEG photo; the chart and the logo are SVG, drawn as vectors


# --- DOCX -------------------------------------------------------------------------------------


def docx_xml(path: Path, part: str):
    return etree.fromstring(zipfile.ZipFile(path).read(part))


def docx_rels(path: Path, part: str = "word/document.xml") -> dict[str, etree._Element]:
    folder, _, name = part.rpartition("/")
    rels = docx_xml(path, f"{folder}/_rels/{name}.rels")
    return {rel.get("Id"): rel for rel in rels}


def docx_texts(path: Path) -> list[tuple[str, str]]:
    """(style, text) of each body paragraph, table cells included."""
    out = []
    for p in docx_xml(path, "word/document.xml").iter(f"{{{W}}}p"):
        style = p.find("w:pPr/w:pStyle", NS)
        out.append((style.get(f"{{{W}}}val") if style is not None else "Normal",
                    "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))))
    return out


def pictures(path: Path, part: str) -> list[etree._Element]:
    return list(docx_xml(path, part).iter(f"{{{NS['wp']}}}inline"))


def header_parts(path: Path) -> list[str]:
    return [f"word/{rel.get('Target')}" for rel in docx_rels(path).values() if rel.get("Type").endswith("/header")]


@pytest.mark.parametrize("lang", LANGS)
def test_docx_pictures_carry_their_alt_text(rich_build, rich_project, lang):
    for doc, topic in documents(rich_project, lang):
        path = output(rich_build, lang, "docx", topic)
        body = [inline.find("wp:docPr", NS).get("descr") for inline in pictures(path, "word/document.xml")]
        figures = [f.alt for f in blocks_of(doc, model.Figure)]
        if topic is None:  # the handbook's cover
            assert body == [doc.logo.alt, *figures]
        else:  # the factsheet's header
            assert body == figures
            headers = [inline.find("wp:docPr", NS).get("descr")
                       for part in header_parts(path) for inline in pictures(path, part)]
            assert headers == [doc.logo.alt]
        ids = [int(i.find("wp:docPr", NS).get("id")) for part in ["word/document.xml", *header_parts(path)]
               for i in pictures(path, part)]
        assert len(ids) == len(set(ids)), "drawing ids must be unique in the package"


@pytest.mark.parametrize("lang", LANGS)
def test_docx_svg_has_a_sharp_png_fallback(rich_build, rich_project, lang):
    from pipeline.render.docx_styles import column_width_mm

    path = output(rich_build, lang, "docx", "ports")
    doc = compose_factsheet(rich_project, lang, "ports")
    package = zipfile.ZipFile(path)
    rels = docx_rels(path)
    chart = pictures(path, "word/document.xml")[0]
    blip = chart.find(".//a:blip", NS)
    svg = blip.find("a:extLst/a:ext/asvg:svgBlip", NS)
    assert blip.getparent().getparent().find(".//{*}cNvPr").get("name") == "chart.svg"
    svg_part = "word/" + rels[svg.get(f"{{{R}}}embed")].get("Target")
    png_part = "word/" + rels[blip.get(f"{{{R}}}embed")].get("Target")
    assert svg_part.endswith(".svg") and png_part.endswith(".png")
    # The language's own chart (assets/fr/chart.svg overrides assets/chart.svg).
    expected_svg = FIXTURE / "assets" / ("fr/chart.svg" if lang == "fr" else "chart.svg")
    assert package.read(svg_part) == expected_svg.read_bytes()
    content_types = package.read("[Content_Types].xml").decode()
    assert f'PartName="/{svg_part}" ContentType="image/svg+xml"' in content_types
    # The fallback prints at 300 dpi or more at the picture's printed width.
    width_mm = int(chart.find("wp:extent", NS).get("cx")) / EMU_PER_MM
    assert width_mm == pytest.approx(column_width_mm(doc), abs=0.01)
    png = Image.open(io.BytesIO(package.read(png_part)))
    assert png.width / (width_mm / 25.4) >= 300
    assert png.height / png.width == pytest.approx(blocks_of(doc, model.Figure)[0].asset.aspect, rel=0.01)
    # The photo keeps its JPEG bytes, at 60 % of the column.
    photo = pictures(path, "word/document.xml")[1]
    photo_part = "word/" + rels[photo.find(".//a:blip", NS).get(f"{{{R}}}embed")].get("Target")
    assert package.read(photo_part) == (FIXTURE / "assets" / "harbour.jpg").read_bytes()
    assert int(photo.find("wp:extent", NS).get("cx")) / EMU_PER_MM == pytest.approx(column_width_mm(doc) * 0.6,
                                                                                   abs=0.01)


@pytest.mark.parametrize("lang", LANGS)
def test_docx_tables_have_a_table_style_and_a_repeating_header_row(rich_build, rich_project, lang):
    for topic in TOPICS:
        path = output(rich_build, lang, "docx", topic)
        (table,) = blocks_of(compose_factsheet(rich_project, lang, topic), model.Table)
        (tbl,) = docx_xml(path, "word/document.xml").iter(f"{{{W}}}tbl")
        assert tbl.find("w:tblPr/w:tblStyle", NS).get(f"{{{W}}}val") == "BriefingTable"
        assert tbl.find("w:tblPr/w:tblCaption", NS).get(f"{{{W}}}val") == model.plain(table.caption)
        rows = tbl.findall("w:tr", NS)
        assert len(rows) == len(table.rows) + 1
        assert [r.find("w:trPr/w:tblHeader", NS) is not None for r in rows] == [True] + [False] * len(table.rows)
        cells = [["".join(t.text for t in tc.iter(f"{{{W}}}t")) for tc in r.findall("w:tc", NS)] for r in rows]
        assert cells[0] == [model.plain(h) for h in table.header]
        assert cells[1:] == [[model.plain(c) for c in row] for row in table.rows]
        styles = [tc.find("w:p/w:pPr/w:pStyle", NS).get(f"{{{W}}}val") for tc in rows[1].findall("w:tc", NS)]
        assert styles == ["TableText", "TableTextEnd", "TableTextEnd"]  # align: [start, end, end]
        # The caption comes first and stays with the table.
        assert tbl.getprevious().find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "TableCaption"
    styles = docx_xml(output(rich_build, lang, "docx", "ports"), "word/styles.xml")
    (table_style,) = [s for s in styles.iter(f"{{{W}}}style") if s.get(f"{{{W}}}styleId") == "BriefingTable"]
    assert table_style.get(f"{{{W}}}type") == "table"
    assert {p.get(f"{{{W}}}type") for p in table_style.iter(f"{{{W}}}tblStylePr")} == {"firstRow", "band2Horz"}


@pytest.mark.parametrize("lang", LANGS)
def test_docx_links_are_hyperlink_relationships(rich_build, rich_project, lang):
    for doc, topic in documents(rich_project, lang):
        path = output(rich_build, lang, "docx", topic)
        rels = docx_rels(path)
        targets = set()
        for link in docx_xml(path, "word/document.xml").iter(f"{{{W}}}hyperlink"):
            rel_id = link.get(f"{{{R}}}id")
            if rel_id is None:
                continue  # an internal link (contents, related areas)
            rel = rels[rel_id]
            assert rel.get("TargetMode") == "External" and rel.get("Type").endswith("/hyperlink")
            targets.add(rel.get("Target"))
        assert targets == hrefs_of(doc), topic


def test_docx_cells_get_the_language_typography(rich_build):
    cells = dict(docx_texts(output(rich_build, "fr", "docx", "ports")))
    texts = [text for _, text in docx_texts(output(rich_build, "fr", "docx", "ports"))]
    assert "12\u202f500" in texts and "+12\u202f%" in texts
    assert cells  # the table's paragraphs are part of the body


@needs_soffice
def test_libreoffice_keeps_the_pictures_and_tables(rich_build, rich_project, libreoffice_pdf, tmp_path):
    names = []
    for lang in LANGS:
        for topic in ("ports", None):
            source = output(rich_build, lang, "docx", topic)
            target = tmp_path / f"{lang}-{topic or 'handbook'}.docx"
            shutil.copy(source, target)
            names.append((lang, topic, target))
    out = tmp_path / "pdf"
    libreoffice_pdf([p for _, _, p in names], out)
    for lang, topic, path in names:
        pdf = out / (path.stem + ".pdf")
        assert pdf.exists(), path.name
        doc = compose_factsheet(rich_project, lang, topic) if topic else compose_handbook(rich_project, lang)
        listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                                check=True).stdout.splitlines()[2:]
        pictures_shown = len(blocks_of(doc, model.Figure)) + 1  # and the logo
        # A factsheet repeats the logo in every page's header.
        assert len(listed) >= pictures_shown, (path.name, listed)
        # Compared without spaces: pdftotext drops some narrow ones between cells' glyphs.
        text = re.sub(r"\s", "", pdf_text(pdf, "-raw"))
        for table in blocks_of(doc, model.Table):
            assert re.sub(r"\s", "", "".join(model.plain(h) for h in table.header)) in text
            for row in table.rows:
                assert re.sub(r"\s", "", "".join(model.plain(c) for c in row)) in text
        for figure in blocks_of(doc, model.Figure):
            assert re.sub(r"\s", "", model.plain(figure.caption)) in text


def test_rich_documents_are_reproducible(rich_project):
    from pipeline.render import raster
    from pipeline.render.docx import render_docx

    doc = compose_factsheet(rich_project, "fr", "ports")
    first = render_docx(doc)
    raster._svg_to_png.cache_clear()  # draw the SVG fallbacks again
    assert render_docx(doc) == first


@pytest.mark.skipif(not shutil.which("pdftohtml"), reason="poppler-utils not installed")
def test_no_bad_line_break_in_the_rich_pdfs(rich_build):
    """The line-breaking rules (issue 21) hold with figures, tables, links and the
    print-mode short URLs, screen and print, both languages."""
    from pipeline.checks.breaks import check

    pdfs = sorted(rich_build.rglob("*.pdf"))
    assert len(pdfs) == 12
    assert [finding.line(pdf) for pdf in pdfs for finding in check(pdf)] == []


def test_rich_pdfs_are_pdfua(rich_build):
    """Figures, tables and links, screen and print (issue 22): our checker and the
    `pdfua` package find nothing; figures have alternative text and a box on their
    picture, header cells a scope, links a description with their address."""
    from pdfua_support import problems

    from pipeline.checks.pdfread import read_tree

    pdfs = sorted(rich_build.rglob("*.pdf"))
    assert any("/print/" in str(p) for p in pdfs) and problems(pdfs) == []
    with pikepdf.open(output(rich_build, "fr", "pdf", "ports")) as pdf:
        elements = list(read_tree(pdf).elements())
        descriptions = [str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])]
    assert {str(e.obj.A.Scope) for e in elements if e.type == "/TH"} == {"/Column"}
    assert all(str(e.obj.Alt).strip() and "/BBox" in e.obj.A for e in elements if e.type == "/Figure")
    assert "l’étude portuaire (example.org/ports)" in descriptions
