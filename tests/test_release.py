"""`pipeline release`: the distribution set, opened and checked file by file.

One release of the real edition is made per session (on top of the session's real
build) and shared; a second one from the then up-to-date build checks reproducibility.
Gate and verification tests use the tiny fixture project.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from PIL import Image
from pypdf import PdfReader

from pipeline.cli import cli
from pipeline.errors import BuildError
from pipeline.release.docx_pages import probe
from pipeline.render.pdf_finish import MARK_OFFSET_MM, SLUG_MM, mark_segments

# Its releases lay their DOCX out in the session's LibreOffice (tests/session_outputs.py).
pytestmark = pytest.mark.needs_office

CONTENT = Path(__file__).resolve().parent.parent / "content"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
MM = 72 / 25.4
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def release_into(build_dir: Path, out: Path, *extra: str, content: Path = CONTENT):
    return CliRunner().invoke(cli, ["--content", str(content), "--build-dir", str(build_dir), "release",
                                    "--out", str(out), *extra], catch_exceptions=False)


@pytest.fixture(scope="session")
def release_folder(real_build, shared) -> Path:
    """The real edition released once per session: `content/`, a copy of the real content
    with every language signed off, as a final release needs (the real content's
    sign-offs are the reviewers' to give; see docs/editions.md); `build/`, a copy of the
    session's real build (a release adds the print and archive variants to its build
    folder, and real_build is read-only); and `dist/`, the set."""

    def make(folder: Path) -> None:
        shutil.copytree(CONTENT, folder / "content")
        for lang in ("en", "fr"):
            result = CliRunner().invoke(cli, ["--content", str(folder / "content"), "signoff", "--lang", lang,
                                              "--by", "Test Reviser"], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        shutil.copytree(real_build, folder / "build")  # copy2 keeps the times the record checks
        result = release_into(folder / "build", folder / "dist", content=folder / "content")
        assert result.exit_code == 0, result.output

    return shared.folder("release", make)


@pytest.fixture(scope="session")
def released(release_folder) -> Path:
    """The released set of the real edition (screen documents already built by real_build)."""
    (folder,) = [p for p in (release_folder / "dist").iterdir()]
    return folder


@pytest.fixture(scope="session")
def manifest(released) -> dict:
    return json.loads((released / "manifest.json").read_text(encoding="utf-8"))


def files_of(manifest: dict, **match) -> list[dict]:
    return [f for f in manifest["files"] if all(f.get(k) == v for k, v in match.items())]


# --- the set -------------------------------------------------------------------------------


def test_set_is_named_for_the_edition_and_lists_both_languages(released, manifest, project):
    edition = project.edition
    assert released.name == edition.edition_date.isoformat()  # a final edition: no -draft
    assert manifest["status"] == "final" and manifest["draft"] is False
    assert manifest["languages"] == list(edition.languages)
    for lang in edition.languages:
        count = len(project.topic_ids) + 1
        assert len(files_of(manifest, language=lang, set="screen", format="pdf")) == count
        assert len(files_of(manifest, language=lang, format="docx")) == count
        assert len(files_of(manifest, language=lang, set="print")) == count
        assert len(files_of(manifest, language=lang, set="archive")) == count
        assert len(files_of(manifest, language=lang, kind="bundle")) == 1


def test_manifest_hashes_sizes_and_list_match_the_files(released, manifest):
    import hashlib

    listed = {f["path"] for f in manifest["files"]}
    present = {p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()}
    assert present - listed == {"manifest.json", "SHA256SUMS"}
    assert listed <= present
    for f in manifest["files"]:
        data = (released / f["path"]).read_bytes()
        assert f["bytes"] == len(data), f["path"]
        assert f["sha256"] == hashlib.sha256(data).hexdigest(), f["path"]
        if f["kind"] in ("handbook", "factsheet"):
            assert re.fullmatch(r"COM/(HB|FS)/\d{4}-\d{2}/[A-Z]+-\d{2}", f["reference"]), f


def test_sha256sum_accepts_the_checksums(released):
    result = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=released, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = result.stdout.count(": OK")
    assert checked == sum(1 for p in released.rglob("*") if p.is_file()) - 1  # all but SHA256SUMS


def test_zip_bundles_hold_exactly_the_loose_screen_files(released, manifest):
    for bundle in files_of(manifest, kind="bundle"):
        lang = bundle["language"]
        expected = sorted(f["path"] for f in files_of(manifest, language=lang, set="screen")
                          if f["format"] in ("pdf", "docx"))
        with zipfile.ZipFile(released / bundle["path"]) as archive:
            assert sorted(archive.namelist()) == expected == sorted(bundle["contains"])
            for name in archive.namelist():
                assert archive.read(name) == (released / name).read_bytes(), name
                assert archive.getinfo(name).date_time[:3] == (2026, 11, 24)


def test_page_counts_match_the_pdfs(released, manifest):
    for f in files_of(manifest, format="pdf"):
        assert f["pages"] == len(PdfReader(released / f["path"]).pages), f["path"]
    for f in files_of(manifest, format="docx"):
        assert f["pages"] >= 1


def test_readme_lists_every_file_in_each_language(released, manifest, project):
    text = (released / "README.txt").read_text(encoding="utf-8")
    for f in manifest["files"]:
        if f["path"] != "README.txt":
            assert f"  {f['path']}" in text, f["path"]
    for lang in manifest["languages"]:
        labels = project.languages[lang].strings.release
        for label in (labels.screen, labels.docx, labels.bundle, labels.print, labels.archive, labels.verify):
            assert label in text


def test_every_file_passes_qpdf_check(released, manifest):
    for f in files_of(manifest, format="pdf"):
        result = subprocess.run(["qpdf", "--check", str(released / f["path"])], capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, f"{f['path']}: {result.stdout}{result.stderr}"


# --- variants ----------------------------------------------------------------------------


def xmp(pdf: pikepdf.Pdf) -> str:
    return pdf.Root.Metadata.read_bytes().decode("utf-8")


def test_screen_pdfs_are_still_tagged_with_their_language(released, manifest):
    for f in files_of(manifest, set="screen", format="pdf"):
        with pikepdf.open(released / f["path"]) as pdf:
            assert str(pdf.Root.Lang).startswith(f["language"])
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
            assert "pdfuaid:part" in xmp(pdf)


def test_print_pdfs_are_pdf_x4_with_output_intent_and_boxes(released, manifest):
    for f in files_of(manifest, set="print"):
        with pikepdf.open(released / f["path"]) as pdf:
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
            assert intent.DestOutputProfile.N == 4  # a CMYK printing condition
            assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp(pdf)
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4" and pdf.docinfo.Trapped == "/False"
            for page in pdf.pages:
                trim = [float(v) for v in page.obj.TrimBox]
                bleed = [float(v) for v in page.obj.BleedBox]
                media = [float(v) for v in page.obj.MediaBox]
                assert bleed == pytest.approx([trim[0] - 3 * MM, trim[1] - 3 * MM, trim[2] + 3 * MM,
                                               trim[3] + 3 * MM], abs=0.01)
                assert media == pytest.approx([trim[0] - SLUG_MM * MM, trim[1] - SLUG_MM * MM,
                                               trim[2] + SLUG_MM * MM, trim[3] + SLUG_MM * MM], abs=0.01)
                assert "/Annots" not in page.obj


def test_archive_pdfs_are_pdf_a2u_with_fonts_and_edition_metadata(released, manifest):
    for f in files_of(manifest, set="archive"):
        with pikepdf.open(released / f["path"]) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "U"
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
            assert meta["dc:identifier"] == f["reference"]
            assert meta["dc:date"] == ["2026-11-24"]
            assert "2026" in meta["xmp:Label"]
            fonts = {}
            for page in pdf.pages:
                for font in page.Resources.Font.values():
                    for descendant in font.get("/DescendantFonts", [font]):
                        fonts[str(descendant.get("/BaseFont"))] = descendant.FontDescriptor
            assert fonts
            for name, descriptor in fonts.items():
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_print_handbook_pages_are_a_multiple_of_four(released, manifest):
    for f in files_of(manifest, set="print", kind="handbook"):
        assert f["pages"] % 4 == 0, f


# --- crop marks ----------------------------------------------------------------------------


def _lines(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """The straight lines the page's last content stream draws (our marks)."""
    contents = page.obj.Contents
    last = contents[len(contents) - 1] if isinstance(contents, pikepdf.Array) else contents
    ops = pikepdf.parse_content_stream(last)
    lines, start = [], None
    for operands, op in ops:
        if str(op) == "m":
            start = tuple(float(v) for v in operands)
        elif str(op) == "l":
            lines.append((*start, *(float(v) for v in operands)))
    return lines


def test_crop_marks_are_drawn_outside_the_bleed_on_every_print_page(released, manifest):
    for f in files_of(manifest, set="print"):
        with pikepdf.open(released / f["path"]) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                trim = [float(v) for v in page.obj.TrimBox]
                bleed = [float(v) for v in page.obj.BleedBox]
                lines = _lines(page)
                flat = [v for line in sorted(lines) for v in line]
                expected = [v for line in sorted(mark_segments(trim)) for v in line]
                assert flat == pytest.approx(expected, abs=0.01), (f["path"], number)
                for x1, y1, x2, y2 in lines:
                    for x, y in ((x1, y1), (x2, y2)):
                        outside = x < bleed[0] or x > bleed[2] or y < bleed[1] or y > bleed[3]
                        assert outside, (f["path"], number, x, y)


def _render(pdf: Path, page: int, dpi: int, tmp_path: Path) -> Image.Image:
    stem = tmp_path / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png").convert("L")


@pytest.mark.parametrize("what", ["handbook cover", "factsheet"])
def test_crop_marks_are_visible_in_the_slug(released, tmp_path, what):
    """Rasterised with the MediaBox: the marks show dark on white paper beside the trim,
    also beside the navy cover, whose colour stops at the bleed."""
    path = released / ("print/en/handbook-en.pdf" if what == "handbook cover" else
                       "print/en/factsheets/corruption-en.pdf")
    dpi = 144
    image = _render(path, 1, dpi, tmp_path)
    px = dpi / 25.4
    slug = SLUG_MM * px
    mid = (MARK_OFFSET_MM + 3) * px  # the middle of a mark: its offset plus half its 6 mm length
    width, height = image.size
    # Top-left corner: the horizontal mark lies on the trim's top edge, left of the bleed.
    assert image.getpixel((round(slug - mid), round(slug))) < 128
    assert image.getpixel((round(slug), round(slug - mid))) < 128
    # Bottom-right corner too.
    assert image.getpixel((round(width - slug + mid), round(height - slug))) < 128
    # The slug beyond the bleed is white paper (not the cover's navy) where no mark is.
    assert image.getpixel((round(slug - mid), round(slug - mid))) > 240
    assert image.getpixel((round(slug - 5 * px), round(height / 2))) > 240  # beyond the 3 mm bleed
    if what == "handbook cover":
        # The navy reaches 3 mm beyond the trim: the bleed is printed, not white.
        assert image.getpixel((round(slug - 1.5 * px), round(height / 2))) < 100


# --- DOCX for partners ---------------------------------------------------------------------


def _stored_toc(path: Path) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """Our TOC lines (text, page) and the stored PAGEREF results by bookmark."""
    body = open_docx(str(path)).element.body
    toc = []
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val", "").startswith("TOC") and style.get(f"{W}val") != "TOCHeading":
            text = "".join(t.text or "" for t in p.iter(f"{W}t"))
            page = re.search(r"(\d+)$", text).group(1)
            toc.append((text[: -len(page)], page))
    refs: dict[str, set[str]] = {}
    instr, result, mode = None, [], None
    for el in body.iter(f"{W}fldChar", f"{W}instrText", f"{W}t"):
        if el.tag == f"{W}fldChar":
            kind = el.get(f"{W}fldCharType")
            if kind == "begin":
                instr, result, mode = "", [], "instr"
            elif kind == "separate":
                mode = "result"
            elif kind == "end" and instr is not None:
                match = re.match(r"\s*PAGEREF (\S+)", instr)
                if match and result:
                    refs.setdefault(match.group(1), set()).add("".join(result).strip())
                instr, mode = None, None
        elif el.tag == f"{W}instrText" and mode == "instr":
            instr += el.text or ""
        elif el.tag == f"{W}t" and mode == "result":
            result.append(el.text or "")
    return toc, refs


def test_handbook_docx_has_no_update_fields_setting(released):
    for path in sorted(released.glob("*/handbook-*.docx")):
        with zipfile.ZipFile(path) as package:
            settings = package.read("word/settings.xml").decode()
            document = package.read("word/document.xml").decode()
        assert "updateFields" not in settings, path
        assert 'w:dirty="true"' not in document, path


def test_handbook_docx_page_numbers_agree_with_libreoffice_layout(released, tmp_path):
    """LibreOffice updates every index and field of the released handbooks; the numbers it
    computes are the ones we stored."""
    paths = sorted(released.glob("*/handbook-*.docx"))
    assert paths
    reports = probe(paths, tmp_path)
    for path in paths:
        report = reports[path]
        toc, refs = _stored_toc(path)
        theirs = [page for _text, page in report["toc"]]
        assert theirs == [page for _text, page in toc], path.name
        assert len(toc) > 10
        for bookmark, page in report["pagerefs"]:
            assert refs[bookmark] == {page}, (path.name, bookmark)
        assert refs


def test_wrong_stored_page_numbers_are_settled_by_libreoffice_layout(released, manifest, project, tmp_path):
    """A handbook DOCX whose stored numbers are all wrong (as an estimate can be, e.g. a
    chapter longer than it thinks): LibreOffice's layout corrects them in our own file,
    which ends up byte-identical to the released one."""
    from pipeline.release.docx_pages import LayoutCache, settle
    from pipeline.render.compose import compose_handbook
    from pipeline.render.docx import render_docx

    shipped = (released / "en" / "handbook-en.docx").read_bytes()
    names = {el.get(f"{W}name") for el in open_docx(io.BytesIO(shipped)).element.body.iter(f"{W}bookmarkStart")}
    doc = compose_handbook(project, "en")
    wrong = render_docx(doc, bookmark_pages=dict.fromkeys(names, 99))
    assert wrong != shipped and "99" in _stored_toc_bytes(wrong)
    settled, layouts = settle({"en": wrong}, lambda _name, pages: render_docx(doc, pages),
                              LayoutCache(tmp_path, "test"))
    assert settled["en"] == shipped
    (entry,) = files_of(manifest, path="en/handbook-en.docx")
    assert layouts["en"].pages == entry["pages"]


@pytest.mark.slow
def test_a_wrong_office_connection_is_named(tmp_path, monkeypatch):
    """`PIPELINE_OFFICE` names the office to lay the files out in: a value that is no
    UNO connection is one line naming it (an office that does not answer is named after
    20 s of asking: tried by hand, not here)."""
    monkeypatch.setenv("PIPELINE_OFFICE", "bogus")
    with pytest.raises(BuildError) as refused:
        probe([tmp_path / "any.docx"], tmp_path)
    assert str(refused.value) == ("LibreOffice could not lay out the DOCX files: bogus is not a UNO connection: "
                                  "write it as pipe,name=NAME or socket,host=HOST,port=PORT")


def _stored_toc_bytes(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("word/document.xml").decode()


# --- reproducibility and verification ---------------------------------------------------------


def test_a_second_release_is_byte_identical(released, release_folder, tmp_path):
    build = tmp_path / "build"
    shutil.copytree(release_folder / "build", build)  # up to date: every variant was built
    result = release_into(build, tmp_path, content=release_folder / "content")
    assert result.exit_code == 0, result.output
    again = tmp_path / released.name
    first = {p.relative_to(released): p.read_bytes() for p in released.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_verify_accepts_the_set_and_names_a_tampered_file(released, tmp_path, run_cli):
    ok = run_cli("release", "--verify", released)
    assert ok.exit_code == 0, ok.output
    copy = tmp_path / "set"
    shutil.copytree(released, copy)
    target = copy / "en" / "factsheets" / "corruption-en.pdf"
    target.write_bytes(target.read_bytes() + b"\n% changed after sign-off\n")
    (copy / "fr" / "handbook-fr.docx").unlink()
    (copy / "print" / "notes.txt").write_text("extra", encoding="utf-8")
    result = run_cli("release", "--verify", copy)
    assert result.exit_code == 1
    assert "Error: changed: en/factsheets/corruption-en.pdf" in result.stderr
    assert "Error: missing: fr/handbook-fr.docx" in result.stderr
    assert "Error: extra: print/notes.txt" in result.stderr


# --- gates (tiny fixture) ---------------------------------------------------------------------


def _set_status(content: Path, status: str) -> None:
    edition = content / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8").replace("status: final", f"status: {status}"),
                       encoding="utf-8")


@pytest.fixture(scope="session")
def draft_release(shared) -> Path:
    """The tiny fixture as a draft (`content/`) and its build folder (`build/`) after one
    `release --allow-draft`: every variant built and laid out once per session."""

    def make(folder: Path) -> None:
        shutil.copytree(FIXTURE, folder / "content")
        _set_status(folder / "content", "draft")
        result = release_into(folder / "build", folder / "dist", "--allow-draft", "--allow-unsigned",
                              content=folder / "content")
        assert result.exit_code == 0, result.output

    return shared.folder("release-draft-fixture", make)


@pytest.fixture
def draft_copy(draft_release, tmp_path) -> Path:
    """A copy of `draft_release`'s content and build folder: a test's own release finds
    what it did not change up to date."""
    for name in ("content", "build"):
        shutil.copytree(draft_release / name, tmp_path / name)  # copy2 keeps the times the record checks
    return tmp_path / "content"


def test_a_draft_is_refused_without_allow_draft_and_nothing_is_left(draft_copy, tmp_path, run_cli):
    out = tmp_path / "dist"
    result = run_cli("--content", draft_copy, "--build-dir", tmp_path / "build", "release", "--out", out,
                     "--allow-unsigned")
    assert result.exit_code == 1
    assert re.search(r"edition\.yaml:4: status: the edition is 'draft'; .*--allow-draft", result.stderr)
    assert "release refused: 1 problem" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_every_cause_is_named_at_once(draft_copy, tmp_path, run_cli):
    """Draft status and a document that fails to build, in one refusal."""
    path = draft_copy / "en" / "beta.yaml"
    long_paragraph = " ".join(f"Sentence number {i} of a deliberately overlong beta text." for i in range(60))
    extra = "".join(f"          - Paragraph {n}. {long_paragraph}\n" for n in range(3))
    path.write_text(path.read_text(encoding="utf-8").replace(
        "          - Beta is often linked to alpha.\n", "          - Beta is often linked to alpha.\n" + extra),
        encoding="utf-8")
    fr = draft_copy / "fr" / "beta.yaml"
    fr.write_text(fr.read_text(encoding="utf-8").replace(
        "          - Bêta est souvent lié à alpha.\n",
        "          - Bêta est souvent lié à alpha.\n" + extra.replace("Paragraph", "Paragraphe")), encoding="utf-8")
    out = tmp_path / "dist"
    result = run_cli("--content", draft_copy, "--build-dir", tmp_path / "build", "release", "--out", out,
                     "--lang", "en", "--allow-unsigned")
    assert result.exit_code == 1
    assert "status: the edition is 'draft'" in result.stderr
    assert "en/factsheets/beta-en.pdf: factsheet COM/FS/2026-11/BET-02 (en, a4) runs to" in result.stderr
    assert "print/en/factsheets/beta-en.pdf: factsheet COM/FS/2026-11/BET-02 (en, a4, print) runs to" \
        in result.stderr
    # The DOCX is not written when the PDF of the same document fails (issue 19).
    assert "en/factsheets/beta-en.docx: not written: en/factsheets/beta-en.pdf failed" in result.stderr
    assert "release refused: 5 problems" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_content_problems_and_draft_status_together(fixture_copy, tmp_path, run_cli):
    _set_status(fixture_copy, "draft")
    (fixture_copy / "fr" / "beta.yaml").unlink()
    result = run_cli("--content", fixture_copy, "--build-dir", tmp_path / "build", "release",
                     "--out", tmp_path / "dist")
    assert result.exit_code == 1
    assert "beta" in result.stderr and "status: the edition is 'draft'" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_allow_draft_marks_the_set(draft_copy, tmp_path, run_cli):
    out = tmp_path / "dist"
    result = run_cli("--content", draft_copy, "--build-dir", tmp_path / "build", "release", "--out", out,
                     "--allow-draft", "--allow-unsigned")
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert folder.name == "2026-11-24-draft"
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["status"] == "draft" and data["draft"] is True
    assert (folder / "COM-2026-11-24-draft-en.zip").exists()
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "DRAFT: not for distribution." in readme and "PROJET : ne pas diffuser." in readme


# --- PDF/UA-1 (issue 22) ---------------------------------------------------------------------------


def test_every_released_pdf_is_pdfua(released, manifest):
    """Screen, print and archive files, both languages: our checker and the `pdfua`
    package find nothing."""
    from pdfua_support import problems

    pdfs = [released / f["path"] for f in manifest["files"] if f["path"].endswith(".pdf")]
    assert {f["set"] for f in manifest["files"] if f["path"].endswith(".pdf")} == {"screen", "print", "archive"}
    assert problems(pdfs) == []


def test_archive_pdfs_are_pdf_a2u_and_pdf_ua1_at_once(released, manifest):
    for f in files_of(manifest, set="archive"):
        with pikepdf.open(released / f["path"]) as pdf:
            meta = pdf.open_metadata()
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("2", "U", "1")
            # PDF/A admits the pdfuaid property only with its schema described.
            assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp(pdf)
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
