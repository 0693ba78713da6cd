"""The optional contact and source lines of the front matter, on the built documents.

The tiny fixture gives both (an example.org address and a source line, in English and
French); the real content gives neither, since the unit has supplied no address. With
them, the handbook's imprint, the print-mode back cover and every factsheet print them,
in the PDF and the DOCX alike; without them, no label is printed either.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from pipeline.content.project import load_project
from pipeline.render.compose import compose_factsheet, compose_handbook

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
LANGS = ("en", "fr")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [squash(page) for page in out.split("\f")[:-1]]


def docx_paragraphs(path: Path) -> list[tuple[str, str, etree._Element]]:
    """(style, text, element) of each body paragraph."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    out = []
    for p in root.iterfind(".//w:body/w:p", NS):
        style = p.find("w:pPr/w:pStyle", NS)
        text = "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        out.append((style.get(f"{{{W}}}val") if style is not None else "Normal", text, p))
    return out


def link_target(path: Path, paragraph) -> str:
    """Where the external hyperlink in `paragraph` points, from the document's relationships."""
    rel_id = paragraph.find(".//w:hyperlink", NS).get(f"{{{R}}}id")
    rels = etree.fromstring(zipfile.ZipFile(path).read("word/_rels/document.xml.rels"))
    rel = next(r for r in rels if r.get("Id") == rel_id)
    assert rel.get("TargetMode") == "External"
    return rel.get("Target")


@pytest.fixture(scope="session")
def fixture_project():
    return load_project(FIXTURE)


@pytest.fixture(scope="session")
def credited_build(shared) -> Path:
    """The fixture (contact and source given) built once per session: screen PDFs and
    DOCX, plus the print-mode handbook PDFs under print/."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    def make(build_dir: Path) -> None:
        # A final edition, so that no draft mark prints on the padding page.
        content = build_dir / "content"
        shutil.copytree(FIXTURE, content)
        edition = content / "edition.yaml"
        edition.write_text(edition.read_text(encoding="utf-8").replace("status: draft", "status: final"),
                           encoding="utf-8")
        for extra in ([], ["--print", "--format", "pdf", "--no-factsheets"]):
            # Screen files go to <build>/<lang>/, print files (--print) to <build>/print/<lang>/.
            result = CliRunner().invoke(cli, ["--content", str(content), "--build-dir", str(build_dir), "-q",
                                              "build", "--jobs", "2", *extra], catch_exceptions=False)
            assert result.exit_code == 0, result.output

    return shared.folder("credited-build", make)


# --- given: printed everywhere ---------------------------------------------------------------


def test_fixture_gives_contact_and_source(fixture_project):
    for lang in LANGS:
        credits = compose_handbook(fixture_project, lang).credits
        assert credits.contact == "test-unit@example.org"
        assert credits.source and credits.contact_href == "mailto:test-unit@example.org"


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_prints_contact_and_source_on_imprint_back_cover_and_factsheets(credited_build, fixture_project,
                                                                             lang):
    doc = compose_handbook(fixture_project, lang)
    contact, source, label = doc.credits.contact, squash(doc.credits.source), doc.labels["contact"]
    handbook = credited_build / lang / f"handbook-{lang}.pdf"
    imprint = pdf_pages(handbook)[1]
    assert f"{label} {contact}" in imprint and source in imprint
    # The address is a link a reader can follow.
    uris = [annot.get_object().get("/A", {}).get("/URI") for page in PdfReader(handbook).pages
            for annot in page.get("/Annots", []) if annot.get_object().get("/Subtype") == "/Link"]
    assert "mailto:test-unit@example.org" in uris
    # Print mode: 6 pages of content + the back cover = 7, padded to 8 with one blank page.
    printed = pdf_pages(credited_build / "print" / lang / f"handbook-{lang}.pdf")
    assert len(printed) == 8 and printed[6] == ""
    assert f"{label} {contact}" in printed[7]
    for topic in fixture_project.topic_ids:
        text = " ".join(pdf_pages(credited_build / lang / "factsheets" / f"{topic}-{lang}.pdf"))
        # After the related areas, in the factsheet's free space; the label in capitals.
        related = squash(compose_factsheet(fixture_project, lang, topic).labels["related"].upper())
        assert text.index(f"{label.upper()} {contact}") > text.find(related)
        assert source in text


@pytest.mark.parametrize("lang", LANGS)
def test_docx_prints_contact_and_source_on_imprint_and_factsheets(credited_build, fixture_project, lang):
    doc = compose_handbook(fixture_project, lang)
    contact, source, label = doc.credits.contact, doc.credits.source, doc.labels["contact"]
    handbook = credited_build / lang / f"handbook-{lang}.docx"
    paragraphs = docx_paragraphs(handbook)
    styles = [(style, text) for style, text, _ in paragraphs]
    at = styles.index(("ImprintLabel", label))
    assert styles[at + 1] == ("ImprintValue", contact)
    assert link_target(handbook, paragraphs[at + 1][2]) == "mailto:" + contact
    assert ("ImprintSource", source) in styles
    for topic in fixture_project.topic_ids:
        path = credited_build / lang / "factsheets" / f"{topic}-{lang}.docx"
        paragraphs = docx_paragraphs(path)
        credits = [(text, p) for style, text, p in paragraphs if style == "Credits"]
        assert [text for text, _ in credits] == [f"{label} {contact}", source]
        assert link_target(path, credits[0][1]) == "mailto:" + contact
        # The last paragraphs of the factsheet, after the related areas.
        assert [style for style, _, _ in paragraphs[-2:]] == ["Credits", "Credits"]


# --- absent (the real content): no orphan label -----------------------------------------------


@needs_poppler
def test_real_content_prints_no_contact_label(project, real_build):
    for lang in project.edition.languages:
        doc = compose_handbook(project, lang)
        assert not doc.credits
        label = doc.labels["contact"]
        assert label not in pdf_pages(real_build / lang / f"handbook-{lang}.pdf")[1]
        styles = [(style, text) for style, text, _ in docx_paragraphs(real_build / lang / f"handbook-{lang}.docx")]
        assert ("ImprintLabel", label) not in styles
        assert not any(style == "ImprintSource" for style, _ in styles)
        for topic in project.topic_ids:
            text = " ".join(pdf_pages(real_build / lang / "factsheets" / f"{topic}-{lang}.pdf"))
            assert label.upper() not in text and label not in text
            path = real_build / lang / "factsheets" / f"{topic}-{lang}.docx"
            assert not any(style == "Credits" for style, _, _ in docx_paragraphs(path))


# --- validation --------------------------------------------------------------------------------


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("rel", "old", "new", "expected"), [
    ("en/_frontmatter.yaml", "contact: test-unit@example.org", 'contact: "Enquiries: Test Unit"',
     "en/_frontmatter.yaml:5: contact: must be an e-mail address (name@example.org) or a web address "
     "(https://...)"),
    ("fr/_frontmatter.yaml", "contact: test-unit@example.org", "contact: http://example.org/contact",
     "fr/_frontmatter.yaml:5: contact: must be an e-mail address"),
    ("fr/_frontmatter.yaml", "contact: test-unit@example.org\n", "",
     "fr/_frontmatter.yaml:1: contact: missing: content/en/_frontmatter.yaml gives a contact, "
     "so every language must"),
    ("en/_frontmatter.yaml", "source: ", "sources: ",
     "en/_frontmatter.yaml:6: sources: unknown key (check its spelling)"),
])
def test_bad_contact_or_missing_translation_is_located(fixture_copy, run_cli, rel, old, new, expected):
    edit(fixture_copy, rel, old, new)
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_web_address_is_a_valid_contact(fixture_copy, run_cli):
    for lang in LANGS:
        edit(fixture_copy, f"{lang}/_frontmatter.yaml", "contact: test-unit@example.org",
             "contact: https://example.org/contact")
    assert run_cli("--content", fixture_copy, "validate").exit_code == 0
    credits = compose_factsheet(load_project(fixture_copy), "fr", "alpha").credits
    assert credits.contact_href == "https://example.org/contact"


def test_contact_and_source_are_optional(fixture_copy, run_cli):
    for lang in LANGS:
        path = fixture_copy / lang / "_frontmatter.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(("contact:", "source:"))),
                        encoding="utf-8")
    assert run_cli("--content", fixture_copy, "validate").exit_code == 0
    assert not compose_handbook(load_project(fixture_copy), "en").credits

