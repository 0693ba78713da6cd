"""Briefing packs (issue 25): handbooks of chosen topics, on the test edition
tests/fixtures/packs (five topics, two packs, English and French).

`maritime-seminar` holds [smuggling, ports] (the handbook has them the other way round)
and has a foreword; `financial-course` holds [laundering, fraud, bribery], has none, and
its first chapter runs over two pages. Each pack refers to crime areas it does not hold.

The slow tests share one English release of the test edition (screen, print, archive
and the DOCX laid out by LibreOffice) and check the files in it: every page reference
against the page each chapter lands on, the outside references, the print padding,
the manifest, the ZIP and the README.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from lxml import etree
from pypdf import PdfReader

from pipeline.cli import cli
from pipeline.content import model
from pipeline.content.project import load_project
from pipeline.render.compose import compose_pack

# Its releases lay their DOCX out in the session's LibreOffice (tests/session_outputs.py).
pytestmark = pytest.mark.needs_office

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACKS = FIXTURES / "packs"
PACK_IDS = ("maritime-seminar", "financial-course")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"


@pytest.fixture
def packs_copy(tmp_path: Path) -> Path:
    """A writable copy of the packs test edition."""
    target = tmp_path / "content"
    shutil.copytree(PACKS, target)
    return target


@pytest.fixture(scope="module")
def packs_project():
    return load_project(PACKS)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# --- validation ------------------------------------------------------------------------------


def test_every_pack_problem_is_named_at_once_with_its_place(packs_copy):
    edition, fr = packs_copy / "edition.yaml", packs_copy / "fr" / "_strings.yaml"
    edit(edition, "topics: [smuggling, ports]}", "topics: [smuggling, harbours, smuggling]}")
    edit(edition, "code: FIC, revision: 2, topics: [laundering, fraud, bribery]}", "code: ALL, topics: []}")
    edit(fr, "    title: Enquêtes financières\n", "")
    result = invoke("--content", packs_copy, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {edition}:19: packs[0].topics[1]: unknown topic 'harbours'",
        f"{edition}:19: packs[0].topics[2]: 'smuggling' is listed twice",
        f"{edition}:21: packs[1].code: code 'ALL' is already used by the handbook: "
        "each pack needs a reference code of its own",
        f"{edition}:21: packs[1].topics: a pack needs at least one topic",
        f"{fr}:70: packs.financial-course.title: missing: pack 'financial-course' (edition.yaml:21) "
        "needs a title in every language",
        "5 content problems found",
    ]
    assert "Traceback" not in result.output


def test_strings_of_a_pack_the_edition_does_not_define_are_refused(packs_copy):
    en = packs_copy / "en" / "_strings.yaml"
    edit(en, "  financial-course:\n", "  financial-courses:\n")
    result = invoke("--content", packs_copy, "validate")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"Error: {en}:61: packs.financial-course: missing: pack 'financial-course' (edition.yaml:21) "
        "needs a title and a subtitle in every language",
        f"{en}:67: packs.financial-courses: no pack 'financial-courses' in edition.yaml "
        "(did you mean 'financial-course'?)",
        "2 content problems found"]


@pytest.mark.parametrize(("address", "message"), [
    ("http://www.example.org/{id}.pdf", "must be a web address (https://...) with {id}, {lang} or {code} in it"),
    ("https://www.example.org/{topic}.pdf", "unknown placeholder {topic}: use {id}, {lang} or {code}"),
    ("https://www.example.org/factsheets.pdf", "must contain {id} or {code}, which stand for the factsheet's "
                                               "topic id or area code"),
])
def test_a_factsheet_address_must_be_a_web_address_naming_the_factsheet(packs_copy, address, message):
    edition = packs_copy / "edition.yaml"
    edit(edition, "packs:\n", f"factsheet_address: {address}\npacks:\n")
    result = invoke("--content", packs_copy, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {edition}:17: factsheet_address: {message}"


# --- the model ---------------------------------------------------------------------------------


def test_a_pack_is_a_handbook_of_its_topics_in_its_order_with_its_own_words(packs_project):
    doc = compose_pack(packs_project, "fr", "financial-course")
    assert doc.kind == "handbook"
    assert (doc.meta.title, doc.meta.subject, doc.meta.reference) == (
        "Enquêtes financières", "Dossier pour le cours sur les enquêtes financières", "COM/HB/2026-11/FIC-02")
    assert doc.front.foreword == ()  # this pack has none: no foreword page
    assert [c.topic_id for c in doc.chapters] == ["laundering", "fraud", "bribery"]
    laundering = doc.chapters[0]
    assert [(r.topic_id, r.anchor, r.href) for r in laundering.related] == [
        ("fraud", "topic-fraud", None), ("bribery", "topic-bribery", None), ("smuggling", None, None)]
    assert laundering.related[2].title == "Contrebande maritime"
    seminar = compose_pack(packs_project, "en", "maritime-seminar")
    assert [c.topic_id for c in seminar.chapters] == ["smuggling", "ports"]
    assert model.plain(seminar.front.foreword[0].spans).startswith("This pack gathers")
    assert seminar.meta.reference == "COM/HB/2026-11/SEA-01"


def test_outside_references_lead_to_the_published_factsheet_when_the_edition_gives_its_address(packs_copy):
    edit(packs_copy / "edition.yaml", "packs:\n",
         "factsheet_address: https://www.example.org/briefings/{lang}/{id}-{code}.pdf\npacks:\n")
    doc = compose_pack(load_project(packs_copy), "fr", "maritime-seminar")
    smuggling, ports = doc.chapters
    assert [(r.anchor, r.href) for r in smuggling.related] == [
        ("topic-ports", None), (None, "https://www.example.org/briefings/fr/fraud-FRD.pdf")]
    assert [(r.anchor, r.href) for r in ports.related] == [
        ("topic-smuggling", None), (None, "https://www.example.org/briefings/fr/laundering-LAU.pdf")]


# --- the command line ------------------------------------------------------------------------


def test_list_shows_the_packs_with_their_codes_topics_and_titles():
    result = invoke("--content", PACKS, "list")
    assert result.exit_code == 0, result.output
    table = result.stdout.split("\n\n")[1].splitlines()
    assert table[0].split() == ["pack", "code", "topics", "title", "(en)", "title", "(fr)"]
    assert re.split(r"\s{2,}", table[1]) == ["maritime-seminar", "SEA", "smuggling, ports", "Maritime security",
                                             "Sûreté maritime"]
    assert re.split(r"\s{2,}", table[2]) == ["financial-course", "FIC", "laundering, fraud, bribery",
                                             "Financial investigations", "Enquêtes financières"]


def test_the_pack_command_names_unknown_packs():
    result = invoke("--content", PACKS, "pack", "maritme-seminar")
    assert result.exit_code == 2
    assert "unknown pack 'maritme-seminar'. Did you mean 'maritime-seminar'?" in result.stderr
    result = invoke("--content", FIXTURES / "valid", "pack", "maritime-seminar")
    assert result.exit_code == 2
    assert "no pack 'maritime-seminar': the edition defines no packs (edition.yaml packs:)." in result.stderr


def test_build_makes_packs_incrementally_and_no_packs_leaves_them_out(packs_copy, tmp_path):
    """DOCX only: what is built, skipped and rebuilt does not depend on the format."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "handbook: deps-build $(STAMP)\n\t$(PIPELINE) build --no-factsheets --no-packs\n" in makefile
    build = tmp_path / "build"
    base = ("--content", packs_copy, "--build-dir", build, "build", "--format", "docx", "-j", "1")
    result = invoke(*base, "--no-factsheets", "--no-packs")  # what `make handbook` runs
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(build).as_posix() for p in build.rglob("*.docx")) == \
        ["en/handbook-en.docx", "fr/handbook-fr.docx"]
    result = invoke(*base, "--no-factsheets", "--no-handbook")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(build).as_posix() for p in build.glob("*/packs/*")) == [
        f"{lang}/packs/{pack}-{lang}.docx" for lang in ("en", "fr") for pack in sorted(PACK_IDS)]
    assert invoke(*base, "--no-factsheets").stdout.splitlines()[-1].startswith("0 built, 6 up to date")
    edit(packs_copy / "fr" / "_strings.yaml", "title: Sûreté maritime", "title: Sécurité maritime")
    result = invoke(*base, "--no-factsheets")
    assert "built   fr/packs/maritime-seminar-fr.docx" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 built, 5 up to date")
    cover = open_docx(str(build / "fr" / "packs" / "maritime-seminar-fr.docx")).paragraphs[0]
    assert (cover.style.style_id, cover.text) == ("Title", "Sécurité maritime")


def test_pack_titles_go_to_translators_through_xliff_and_come_back(packs_copy, tmp_path):
    edit(packs_copy / "en" / "_strings.yaml", "title: Financial investigations", "title: Financial inquiries")
    status = invoke("--content", packs_copy, "translations", "--lang", "fr")
    assert status.exit_code == 1
    assert f"{packs_copy}/fr/_strings.yaml:70: packs.financial-course.title: stale" in status.stdout
    xlf = tmp_path / "fr.xlf"
    result = invoke("--content", packs_copy, "translations", "export", "--lang", "fr", "--only-stale", "-o", xlf)
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(xlf))
    (unit,) = tree.iter(f"{XLIFF}unit")
    assert unit.get("id") == "_strings:packs.financial-course.title"
    segment = unit.find(f"{XLIFF}segment")
    assert segment.find(f"{XLIFF}source").text == "Financial inquiries"
    segment.find(f"{XLIFF}target").text = "Enquêtes patrimoniales"
    segment.set("state", "translated")
    tree.write(str(xlf), xml_declaration=True, encoding="utf-8")
    result = invoke("--content", packs_copy, "translations", "import", xlf)
    assert result.exit_code == 0, result.output
    assert load_project(packs_copy).languages["fr"].strings.packs["financial-course"].title == \
        "Enquêtes patrimoniales"
    assert invoke("--content", packs_copy, "translations", "--lang", "fr").exit_code == 0


# --- built and released (slow: one English release of the test edition) ---------------------


@dataclass
class Release:
    build: Path
    folder: Path
    manifest: dict

    def files(self, **match: object) -> list[dict]:
        return [f for f in self.manifest["files"] if all(f.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Release:
    """The test edition released once, in English."""
    root = tmp_path_factory.mktemp("packs-release")
    # A final release needs its language signed off, and records the edition in the content
    # folder (content/editions.yaml): release a signed copy, never the committed fixture.
    content = root / "content"
    shutil.copytree(PACKS, content)
    assert invoke("--content", content, "signoff", "--lang", "en", "--by", "Test Reviser").exit_code == 0
    result = invoke("--content", content, "--build-dir", root / "build", "release", "--lang", "en",
                    "--out", root / "dist")
    assert result.exit_code == 0, result.output
    folder = root / "dist" / "2026-11-24"
    return Release(root / "build", folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8")))


def page_texts(path: Path) -> list[str]:
    """The text of each page (poppler, in reading order), whitespace collapsed."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.replace("\u00a0", " ").split()) for page in out.split("\f")[:-1]]


def check_pdf_references(path: Path, doc: model.Document) -> dict[str, int]:
    """Assert that every page number and internal link of a pack's PDF points at the page
    its chapter lands on (by the PDF's bookmarks), and that a related crime area outside
    the pack has neither; returns the chapter pages by title."""
    reader = PdfReader(path)
    texts = page_texts(path)
    landed = {item.title: reader.get_destination_page_number(item) + 1
              for item in reader.outline if not isinstance(item, list)}
    pages = {ch.title: landed[ch.title] for ch in doc.chapters}
    assert list(pages.values()) == sorted(pages.values())
    for number, chapter in enumerate(doc.chapters, 1):
        assert f"{number:02d} {chapter.title}" in texts[pages[chapter.title] - 1]  # the title band
    # Contents: one line per chapter, its page at the end.
    label = doc.labels["contents"]
    contents = texts[landed[label] - 1].split(label, 1)[1]
    found = dict(re.findall(r"(\S[^.]*?) \.{3,}[ .]*(\d+)", contents))
    assert {title: int(page) for title, page in found.items()} == pages
    # Related crime areas: "Title, p. N" inside the pack, the bare title outside it.
    ref_label = doc.labels["page_ref"].replace("\u00a0", " ")
    ends = [*list(pages.values())[1:], len(texts) + 1]
    for chapter, end in zip(doc.chapters, ends, strict=True):
        text = " ".join(texts[pages[chapter.title] - 1:end - 1])
        related = text[text.index(doc.labels["related"].upper()):]
        for ref in chapter.related:
            if ref.anchor is not None:
                assert f"{ref.title}, {ref_label.format(page=pages[ref.title])}" in related, (path.name, ref)
            else:
                assert ref.title in related and f"{ref.title}, " not in related, (path.name, ref)
    # Every internal link leads to a named destination on its chapter's page; none to an outside area.
    destinations = {name: reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    by_anchor = {ch.anchor: pages[ch.title] for ch in doc.chapters}
    outside = {ref.topic_id for ch in doc.chapters for ref in ch.related if ref.anchor is None}
    assert outside and not {f"topic-{t}" for t in outside} & set(destinations)
    with pikepdf.open(path) as pdf:
        links = [(number, str(annot.Dest)) for number, page in enumerate(pdf.pages, 1)
                 for annot in page.obj.get("/Annots", []) if annot.Subtype == "/Link" and "/Dest" in annot]
    assert {dest for _, dest in links} == set(by_anchor)
    for _, dest in links:
        assert destinations[dest] == by_anchor[dest], dest
    return pages


@pytest.mark.slow
@pytest.mark.parametrize("pack", PACK_IDS)
def test_every_page_reference_in_a_pack_pdf_is_the_page_its_chapter_lands_on(released, packs_project, pack):
    doc = compose_pack(packs_project, "en", pack)
    pages = check_pdf_references(released.folder / "en" / "packs" / f"{pack}-en.pdf", doc)
    front = 4 if doc.front.foreword else 3  # cover, imprint, [foreword,] contents
    assert min(pages.values()) == front + 1
    if pack == "financial-course":
        assert pages == {"Money laundering": 4, "Fraud": 6, "Bribery": 7}  # laundering runs over two pages


def docx_references(data: bytes) -> tuple[dict[str, str], list[tuple[str, str, list[tuple[str, str]], list]]]:
    """The bookmark of each chapter title (Heading 1), and each TOC or related-area
    paragraph as (style, text, [(PAGEREF bookmark, stored result)])."""
    import io

    body = open_docx(io.BytesIO(data)).element.body
    headings, paragraphs = {}, []
    for p in body.iter(f"{W}p"):
        style_el = p.find(f"{W}pPr/{W}pStyle")
        style = style_el.get(f"{W}val") if style_el is not None else "Normal"
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        if style == "Heading1":
            headings[text] = p.find(f"{W}bookmarkStart").get(f"{W}name")
        if style not in ("TOC1", "RelatedArea"):
            continue
        refs, fields = [], []  # fields open in this paragraph: [instruction, result or None]
        for el in p.iter(f"{W}fldChar", f"{W}instrText", f"{W}t"):
            kind = el.get(f"{W}fldCharType")
            if kind == "begin":
                fields.append(["", None])
            elif kind == "separate" and fields:
                fields[-1][1] = ""
            elif kind == "end" and fields:
                instr, result = fields.pop()
                if instr.split()[:1] == ["PAGEREF"]:
                    refs.append((instr.split()[1], result))
            elif el.tag == f"{W}instrText" and fields:
                fields[-1][0] += el.text or ""
            elif el.tag == f"{W}t" and fields and fields[-1][1] is not None:
                fields[-1][1] += el.text or ""
        links = p.findall(f".//{W}hyperlink")
        paragraphs.append((style, text, refs, links))
    return headings, paragraphs


@pytest.mark.slow
@pytest.mark.parametrize("pack", PACK_IDS)
def test_every_page_reference_in_a_pack_docx_is_the_page_libreoffice_lays_its_chapter_on(
        released, packs_project, pack):
    """The layout is LibreOffice's, from the release (its cache of what LibreOffice reported)."""
    from pipeline.engine.run import shared_fingerprint
    from pipeline.release.docx_pages import LayoutCache

    doc = compose_pack(packs_project, "en", pack)
    data = (released.folder / "en" / "packs" / f"{pack}-en.docx").read_bytes()
    layout = LayoutCache(released.build, shared_fingerprint(packs_project)).layouts({pack: data})[pack]
    headings, paragraphs = docx_references(data)
    assert list(headings) == [ch.title for ch in doc.chapters]
    lo_page = {title: layout.bookmarks[bookmark] for title, bookmark in headings.items()}
    toc = [(text, refs) for style, text, refs, _ in paragraphs if style == "TOC1"]
    assert [(text, refs) for text, refs in toc] == [
        (f"{title}{page}", [(headings[title], str(page))]) for title, page in lo_page.items()]
    related = [(text, refs, links) for style, text, refs, links in paragraphs if style == "RelatedArea"]
    expected = [ref for ch in doc.chapters for ref in ch.related]
    assert len(related) == len(expected)
    for (text, refs, links), ref in zip(related, expected, strict=True):
        if ref.anchor is None:  # outside the pack: the title only, no field, no link
            assert (text, refs, links) == (ref.title, [], [])
        else:
            page = str(lo_page[ref.title])
            assert (text, refs) == (f"{ref.title}, p.\u00a0{page}", [(headings[ref.title], page)])
            assert links[0].get(f"{W}anchor") == headings[ref.title]
    (entry,) = released.files(path=f"en/packs/{pack}-en.docx")
    assert entry["pages"] == layout.pages


@pytest.mark.slow
def test_print_packs_are_padded_to_a_multiple_of_four_ending_with_the_back_cover(released):
    for pack in PACK_IDS:
        screen = released.folder / "en" / "packs" / f"{pack}-en.pdf"
        printed = released.folder / "print" / "en" / "packs" / f"{pack}-en.pdf"
        screen_pages, texts = len(PdfReader(screen).pages), page_texts(printed)
        fillers = -(screen_pages + 1) % 4
        assert len(texts) == screen_pages + fillers + 1 and len(texts) % 4 == 0, pack
        assert texts[:screen_pages - 1] == page_texts(screen)[:screen_pages - 1]
        assert all(text == "" for text in texts[screen_pages:-1])  # blank fillers
        (entry,) = released.files(path=f"en/packs/{pack}-en.pdf")
        assert entry["reference"] in texts[-1] and "Test Organisation" in texts[-1]  # the back cover
    assert len(page_texts(released.folder / "print/en/packs/maritime-seminar-en.pdf")) == 8  # 6 + 1 + back


@pytest.mark.slow
def test_packs_are_in_the_release_set_with_their_reference_codes(released):
    references = {"maritime-seminar": "COM/HB/2026-11/SEA-01", "financial-course": "COM/HB/2026-11/FIC-02"}
    packs = released.files(kind="pack")
    assert sorted((f["set"], f["format"], f["path"]) for f in packs) == sorted(
        [("screen", fmt, f"en/packs/{p}-en.{fmt}") for p in PACK_IDS for fmt in ("pdf", "docx")]
        + [(variant, "pdf", f"{variant}/en/packs/{p}-en.pdf") for p in PACK_IDS for variant in ("print", "archive")])
    for f in packs:
        assert f["reference"] == references[f["path"].split("/")[-1].removesuffix("-en." + f["format"])]
        if f["format"] == "pdf":
            assert f["pages"] == len(PdfReader(released.folder / f["path"]).pages)
    (bundle,) = released.files(kind="bundle")
    with zipfile.ZipFile(released.folder / bundle["path"]) as archive:
        assert {f"en/packs/{p}-en.{fmt}" for p in PACK_IDS for fmt in ("pdf", "docx")} <= set(archive.namelist())
    readme = (released.folder / "README.txt").read_text(encoding="utf-8")
    assert re.search(r"  print/en/packs/maritime-seminar-en\.pdf +Maritime security +COM/HB/2026-11/SEA-01 +8 p\.",
                     readme)
    with pikepdf.open(released.folder / "archive/en/packs/financial-course-en.pdf") as pdf:
        assert "COM/HB/2026-11/FIC-02" in pdf.Root.Metadata.read_bytes().decode()


@pytest.mark.slow
def test_pack_command_writes_the_same_bytes_as_the_parallel_build_and_the_build_is_current(released, tmp_path):
    out = tmp_path / "pack.pdf"
    result = invoke("--content", PACKS, "--build-dir", tmp_path / "b", "pack", "financial-course", "--lang", "en",
                    "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (released.folder / "en/packs/financial-course-en.pdf").read_bytes()
    again = invoke("--content", PACKS, "--build-dir", released.build, "build", "--lang", "en", "--no-factsheets")
    assert again.stdout.splitlines()[-1].startswith("0 built, 6 up to date"), again.output


@pytest.mark.slow
def test_french_pack_references_and_links_to_published_factsheets(packs_copy, packs_project, tmp_path):
    """French, with the edition giving the factsheets' address: page references as in
    English; each outside area links to its factsheet, in the PDF and the DOCX."""
    edit(packs_copy / "edition.yaml", "packs:\n",
         "factsheet_address: https://www.example.org/briefings/{lang}/{id}.pdf\npacks:\n")
    project = load_project(packs_copy)
    doc = compose_pack(project, "fr", "financial-course")
    base = ("--content", packs_copy, "--build-dir", tmp_path / "b", "pack", "financial-course", "--lang", "fr")
    for fmt in ("pdf", "docx"):
        result = invoke(*base, "-o", tmp_path / f"pack.{fmt}")
        assert result.exit_code == 0, result.output
    pdf = tmp_path / "pack.pdf"
    assert check_pdf_references(pdf, doc) == {"Blanchiment d’argent": 4, "Escroquerie": 6, "Corruption d’agents": 7}
    with pikepdf.open(pdf) as opened:
        uris = [str(a.A.URI) for page in opened.pages for a in page.obj.get("/Annots", [])
                if a.Subtype == "/Link" and "/A" in a and a.A.S == "/URI"]
    assert sorted(uris) == ["https://www.example.org/briefings/fr/ports.pdf",
                            "https://www.example.org/briefings/fr/smuggling.pdf", "mailto:test-unit@example.org"]
    document = open_docx(str(tmp_path / "pack.docx"))
    outside = [p for p in document.paragraphs if p.text in ("Contrebande maritime", "Criminalité portuaire")]
    targets = [document.part.rels[link.get(f"{{{link.nsmap['r']}}}id")].target_ref
               for p in outside for link in p._p.findall(f"{W}hyperlink")]
    assert targets == ["https://www.example.org/briefings/fr/smuggling.pdf",
                       "https://www.example.org/briefings/fr/ports.pdf"]


@pytest.mark.slow
def test_preview_shows_a_pack(tmp_path):
    from pipeline.preview.session import PreviewSession, Target

    with PreviewSession(PACKS, Target("pack", "maritime-seminar"), ["fr"], workers=1) as session:
        session.refresh()
        state = session.snapshot()
    assert state["document"] == "pack maritime-seminar" and state["errors"] == []
    assert len(state["pages"]["fr"]["images"]) == 6
