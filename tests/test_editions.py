"""Editions (issue 24): the editions log, `pipeline changes`, the redline PDF and sign-off.

Content in git is a temporary repository holding a copy of the tiny fixture
(tests/fixtures/valid); one final release of it (signed off in both languages) is made
per module and copied by the tests that edit it. Everything is checked on what the
commands print and write: the log, the manifest, README.txt, the archive PDFs' XMP and
the redline PDF's text and colours.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from click.testing import CliRunner
from docx import Document as open_docx
from PIL import Image
from session_outputs import without_session_office

from pipeline.cli import cli
from pipeline.content.model import Span
from pipeline.editions.diff import ADDED, CHANGED, compare_fields
from pipeline.editions.redline import DEL_COLOUR, INS_COLOUR, mark
from pipeline.translations.fields import Field

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
TODAY = dt.date.today().isoformat()


def run(content: Path, *args: object):
    return CliRunner().invoke(cli, ["--content", str(content), *(str(a) for a in args)], catch_exceptions=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def make_repo(where: Path) -> Path:
    """A git repository holding a copy of the fixture content; returns its content folder."""
    repo = where / "repo"
    content = repo / "content"
    shutil.copytree(FIXTURE, content)
    (repo / ".gitignore").write_text("build/\ndist/\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "editions@test.invalid")
    git(repo, "config", "user.name", "Editions Test")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "fixture")
    return content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def copy_repo(content: Path, tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(content.parent, target)
    return target / "content"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """(content, release set) of a final edition signed off in both languages, released and committed."""
    tmp = tmp_path_factory.mktemp("editions")
    content = make_repo(tmp)
    edit(content / "edition.yaml", "status: draft", "status: final")
    git(content.parent, "commit", "-qam", "final")
    for lang, by, role in (("en", "Sam Lee", "Reviser"), ("fr", "Claire Dubois", "Réviseure")):
        result = run(content, "signoff", "--lang", lang, "--by", by, "--role", role)
        assert result.exit_code == 0, result.output
    git(content.parent, "add", "-A")
    git(content.parent, "commit", "-qm", "signed off")
    # This release starts a LibreOffice of its own, as a release does by default (the
    # other modules' releases use the session's office: tests/session_outputs.py).
    with without_session_office():
        result = run(content, "--build-dir", content.parent / "build", "release", "--out", content.parent / "dist")
    assert result.exit_code == 0, result.output
    git(content.parent, "add", "-A")
    git(content.parent, "commit", "-qm", "released")
    return content, content.parent / "dist" / "2026-11-24"


# --- the editions log and the release set ----------------------------------------------------


@pytest.mark.slow
def test_a_final_release_is_recorded_in_the_editions_log(released):
    content, _ = released
    log = (content / "editions.yaml").read_text(encoding="utf-8")
    commit = git(content.parent, "log", "-1", "--format=%H", "--", "content/edition.yaml")  # "final"
    assert "- edition: '2026-11-24'" in log and f"commit: {commit.strip()}" in log
    assert "alpha: COM/FS/2026-11/ALP-01" in log and "handbook: COM/HB/2026-11/ALL-01" in log
    listing = run(content, "editions")
    assert listing.exit_code == 0
    assert re.search(r"2026-11-24\s+2026-11-24\s+[0-9a-f]{12}\s+en, fr\s+en: Sam Lee, fr: Claire Dubois",
                     listing.output), listing.output


@pytest.mark.slow
def test_manifest_readme_and_archive_xmp_carry_the_signoffs(released):
    _, folder = released
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    signed = {s["lang"]: s for s in manifest["signoffs"]}
    assert signed["en"]["by"] == "Sam Lee" and signed["en"]["role"] == "Reviser" and signed["en"]["date"] == TODAY
    assert signed["fr"]["fingerprint"] == manifest["content"]["fr"]["fingerprint"]
    assert set(manifest["content"]["en"]["documents"]) == {"_strings", "_frontmatter", "alpha", "beta"}
    assert any(f["path"] == "snapshot.json" for f in manifest["files"])
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert f"Signed off: Sam Lee (Reviser), {TODAY}" in readme
    assert f"Validé : Claire Dubois (Réviseure), {TODAY}" in readme
    assert "First recorded edition." in readme and "Première édition enregistrée." in readme
    for lang, who in (("en", "Sam Lee; Reviser"), ("fr", "Claire Dubois; Réviseure")):
        for path in (folder / "archive" / lang).rglob("*.pdf"):
            with pikepdf.open(path) as pdf:
                (record,) = pdf.open_metadata()["dc:contributor"]
            assert record == f"{who}; {TODAY}; sha256:{signed[lang]['fingerprint']}", path
    with pikepdf.open(folder / "en" / "handbook-en.pdf") as pdf:  # a screen file carries no record
        assert "dc:contributor" not in pdf.open_metadata()


# --- pipeline changes ------------------------------------------------------------------------


@pytest.mark.slow
def test_an_edit_is_named_field_by_field_and_the_french_twin_is_stale(released, tmp_path):
    content = copy_repo(released[0], tmp_path)
    edit(content / "en" / "alpha.yaml", "lead: Alpha is a test topic.", "lead: Alpha is a sample topic.")
    result = run(content, "changes", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["since"]["label"] == "2026-11-24"
    en, fr = data["languages"]["en"], data["languages"]["fr"]
    (doc,) = en["changed"]
    assert (doc["document"], doc["state"], doc["title"]) == ("alpha", CHANGED, "Alpha crime")
    (field,) = doc["fields"]
    assert field == {"field": "lead", "state": CHANGED, "line": 3, "old": "Alpha is a test topic.",
                     "new": "Alpha is a sample topic.", "diff": "Alpha is a [-test-]{+sample+} topic."}
    assert en["unchanged"] == ["_strings", "_frontmatter", "beta"]
    assert fr["changed"] == [] and "alpha" in fr["unchanged"]
    (stale,) = fr["translation_not_in_step"]
    assert re.fullmatch(r".*fr/alpha\.yaml:3: lead: stale: its en changed since it was translated "
                        r"\(.*en/alpha\.yaml:3\)", stale)
    text = run(content, "changes", "--lang", "en")
    assert "en/alpha.yaml:3: lead: changed: Alpha is a [-test-]{+sample+} topic." in text.output
    assert "en: 1 changed, 0 added, 0 removed, 3 unchanged" in text.output


@pytest.mark.slow
def test_a_topic_added_or_removed_is_listed(released, tmp_path):
    content = copy_repo(released[0], tmp_path)
    edit(content / "edition.yaml", "{id: beta, code: BET, revision: 2}", "{id: gamma, code: GAM, revision: 1}")
    for lang in ("en", "fr"):
        beta = content / lang / "beta.yaml"
        text = beta.read_text(encoding="utf-8").replace("id: beta", "id: gamma").replace("title: ", "title: Gamma ")
        (content / lang / "gamma.yaml").write_text(text, encoding="utf-8")
        beta.unlink()
        edit(content / lang / "alpha.yaml", "related: [beta]", "related: [gamma]")
    result = run(content, "changes", "--lang", "en", "--format", "json")
    assert result.exit_code == 0, result.output
    states = {d["document"]: (d["state"], [f["field"] for f in d["fields"]])
              for d in json.loads(result.output)["languages"]["en"]["changed"]}
    assert states == {"alpha": (CHANGED, ["related[0]"]), "gamma": (ADDED, []), "beta": ("removed", [])}
    text = run(content, "changes", "--lang", "en").output
    assert "en/gamma.yaml: added (Gamma Beta crime)" in text and "en/beta.yaml: removed (Beta crime)" in text


@pytest.mark.slow
def test_changes_outside_git_work_from_the_release_set(released, tmp_path):
    content, folder = released
    outside = tmp_path / "content"
    shutil.copytree(content, outside)
    edit(outside / "fr" / "beta.yaml", "lead: Bêta est le second thème de test.",
         "lead: Bêta est le deuxième thème de test.")
    refused = run(outside, "changes", "--since", "HEAD~1")
    assert refused.exit_code == 1 and "is not in a git repository" in refused.output
    result = run(outside, "changes", "--since", folder, "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "fr/beta.yaml:3: lead: changed: Bêta est le [-second-]{+deuxième+} thème de test." in result.output
    tampered = tmp_path / "set"
    shutil.copytree(folder, tampered)
    snapshot = tampered / "snapshot.json"
    snapshot.write_text(snapshot.read_text(encoding="utf-8").replace("second", "premier"), encoding="utf-8")
    bad = run(outside, "changes", "--since", tampered)
    assert bad.exit_code == 1
    assert bad.output.strip().endswith("snapshot.json: changed since the release (its SHA-256 is not the manifest's)")


def test_changes_without_an_edition_say_what_to_name(tmp_path):
    content = make_repo(tmp_path)
    result = run(content, "changes")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {content / 'editions.yaml'}: no edition recorded yet; compare with a git commit or a release "
        "set: pipeline changes --since REF|DIR"]
    edit(content / "en" / "beta.yaml", "Beta is often linked to alpha.", "Beta is sometimes linked to alpha.")
    since_head = run(content, "changes", "--since", "HEAD", "--lang", "en")
    assert "sections[0].subsections[0].blocks[0]: changed: Beta is [-often-]{+sometimes+} linked" in since_head.output
    unknown = run(content, "changes", "--since", "no-such-ref")
    assert unknown.exit_code == 1 and "'no-such-ref' is neither an edition" in unknown.output


# --- sign-off ----------------------------------------------------------------------------------


def test_a_signoff_followed_by_an_edit_is_stale_with_the_diff(tmp_path):
    content = make_repo(tmp_path)
    signed = run(content, "signoff", "--lang", "en", "--by", "Sam Lee", "--role", "Reviser")
    assert signed.exit_code == 0, signed.output
    assert run(content, "signoff", "--status", "--lang", "en").output.startswith(
        f"en: signed off (signed off by Sam Lee, Reviser on {TODAY})")
    edit(content / "en" / "alpha.yaml", "lead: Alpha is a test topic.", "lead: Alpha is a sample topic.")
    status = run(content, "signoff", "--status")
    assert status.exit_code == 1
    lines = status.output.splitlines()
    assert lines[0] == "en: not signed off: 3 signed, 1 stale, 0 unsigned"
    assert lines[1].endswith(f"en/alpha.yaml: stale: changed since signed off by Sam Lee, Reviser on {TODAY}")
    assert lines[2].endswith("en/alpha.yaml:3: lead: changed: Alpha is a [-test-]{+sample+} topic.")
    assert lines[3] == "fr: not signed off: 0 signed, 0 stale, 4 unsigned"


def test_signoff_of_some_documents_and_its_refusals(fixture_copy, run_cli):
    done = run_cli("--content", fixture_copy, "signoff", "--lang", "fr", "--by", "Claire", "--doc", "alpha")
    assert done.exit_code == 0, done.output
    assert "signed off fr: alpha by Claire" in done.output and "text not committed" in done.output
    status = run_cli("--content", fixture_copy, "signoff", "--status", "--lang", "fr").output
    assert "fr: not signed off: 1 signed, 0 stale, 3 unsigned" in status
    bad_doc = run_cli("--content", fixture_copy, "signoff", "--lang", "fr", "--by", "Claire", "--doc", "gamma")
    assert bad_doc.exit_code == 1
    assert bad_doc.stderr.strip() == ("Error: --doc gamma: not a document of fr; choose from: _strings, "
                                      "_frontmatter, alpha, beta")
    no_name = run_cli("--content", fixture_copy, "signoff", "--lang", "fr", "--by", " ")
    assert no_name.exit_code == 2 and "--by NAME" in no_name.stderr
    control = run_cli("--content", fixture_copy, "signoff", "--lang", "fr", "--by", "Cla\x01ire")
    assert control.exit_code == 1 and control.stderr.strip() == "Error: --by: contains control character U+0001"
    bad_lang = run_cli("--content", fixture_copy, "signoff", "--lang", "de", "--by", "X")
    assert bad_lang.exit_code == 2 and "unknown language 'de'" in bad_lang.stderr
    assert "Traceback" not in bad_doc.output + no_name.output + bad_lang.output
    (record,) = [s for s in (fixture_copy / "signoffs.yaml").read_text(encoding="utf-8").split("- lang: ")[1:]]
    assert "by: Claire" in record and "fingerprint:" not in record  # one document: no language fingerprint


def test_a_malformed_signoff_file_is_a_located_content_error(fixture_copy, run_cli):
    (fixture_copy / "signoffs.yaml").write_text(
        "signoffs:\n  - lang: en\n    by: Sam\n    date: someday\n    documents: {alpha: x}\n", encoding="utf-8")
    result = run_cli("--content", fixture_copy, "signoff", "--status")
    assert result.exit_code == 1
    assert re.search(r"signoffs\.yaml:4: signoffs\[0\]\.date: .*date", result.stderr), result.stderr
    assert re.search(r"signoffs\.yaml:5: signoffs\[0\]\.documents\.alpha: ", result.stderr), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_next_release_notes_say_what_changed_since_the_last_edition(released, tmp_path):
    from pipeline.content.project import load_project
    from pipeline.editions import notes

    content = copy_repo(released[0], tmp_path)
    edit(content / "edition.yaml", "edition_date: 2026-11-24", "edition_date: 2027-02-10")
    edit(content / "en" / "alpha.yaml", "lead: Alpha is a test topic.", "lead: Alpha is a sample topic.")
    edit(content / "fr" / "alpha.yaml", "lead: Alpha est un thème de test.", "lead: Alpha est un thème d'essai.")
    git(content.parent, "commit", "-qam", "next edition")
    project = load_project(content)
    before, since = notes.history(project, ["en", "fr"])
    assert before is not None and before.name == "2026-11-24"
    assert notes.readme_notes(project, "en", before, since)[:2] == [
        "Changes since November 2026", "  Alpha crime · 1 change(s)"]
    assert notes.readme_notes(project, "fr", before, since)[:2] == [
        "Modifications depuis novembre 2026", "  Criminalité alpha · 1 modification(s)"]


@pytest.mark.slow
def test_a_final_release_is_refused_without_current_signoffs_naming_each_language(released, tmp_path):
    content = copy_repo(released[0], tmp_path)
    shutil.copytree(released[0].parent / "build", tmp_path / "build")
    edit(content / "fr" / "alpha.yaml", "lead: Alpha est un thème de test.", "lead: Alpha est un thème d'essai.")
    signoffs = yaml.safe_load((content / "signoffs.yaml").read_text(encoding="utf-8"))
    signoffs["signoffs"] = [s for s in signoffs["signoffs"] if s["lang"] == "fr"]  # en never signed off
    (content / "signoffs.yaml").write_text(yaml.safe_dump(signoffs, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "dist"
    before = (content / "editions.yaml").read_text(encoding="utf-8")
    result = run(content, "--build-dir", tmp_path / "build", "release", "--out", out)
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if "not signed off" in line]
    assert len(problems) == 2, result.output
    assert re.fullmatch(r".*signoffs\.yaml:\d+: en: not signed off: never signed off; sign it off: "
                        r"pipeline signoff --lang en --by NAME", problems[0])
    assert re.fullmatch(r".*signoffs\.yaml:\d+: fr: not signed off: alpha changed since signed off; sign it off: "
                        r"pipeline signoff --lang fr --by NAME", problems[1])
    assert "release refused: 2 problems" in result.output
    unsigned = run(content, "--build-dir", tmp_path / "build", "release", "--out", out, "--allow-unsigned")
    assert unsigned.exit_code == 1
    assert re.search(r"edition\.yaml:\d+: status: the edition is 'final'; --allow-unsigned is for draft sets only",
                     unsigned.output)
    assert not out.exists() or list(out.iterdir()) == []
    assert (content / "editions.yaml").read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_the_imprint_prints_the_approval_when_the_edition_asks(fixture_copy, tmp_path):
    for lang, role in (("en", "Reviser"), ("fr", "Réviseure")):
        assert run(fixture_copy, "signoff", "--lang", lang, "--by", "A. Person", "--role", role).exit_code == 0
    texts = {}
    for setting in ("", "imprint: {approval: true}\n"):
        (fixture_copy / "edition.yaml").write_text(
            (FIXTURE / "edition.yaml").read_text(encoding="utf-8") + setting, encoding="utf-8")
        for lang in ("en", "fr"):
            out = tmp_path / f"{lang}{len(setting)}.pdf"
            result = run(fixture_copy, "--build-dir", tmp_path / "build", "handbook", "--lang", lang,
                         "--format", "pdf", "-o", out)
            assert result.exit_code == 0, result.output
            texts[lang, bool(setting)] = pdftotext(out)
    docx_out = tmp_path / "fr.docx"
    assert run(fixture_copy, "--build-dir", tmp_path / "build", "handbook", "--lang", "fr", "--format", "docx",
               "-o", docx_out).exit_code == 0
    paragraphs = [p.text.replace("\u00a0", " ") for p in open_docx(docx_out).paragraphs]
    assert f"Approuvé : Réviseure, {TODAY}" in paragraphs  # the Word file's imprint too
    assert f"Approved: Reviser, {TODAY}" in texts["en", True]
    assert f"Approuvé : Réviseure, {TODAY}" in texts["fr", True]
    assert "Approved" not in texts["en", False] and "Approuvé" not in texts["fr", False]


# --- the redline PDF -----------------------------------------------------------------------------


def pdftotext(path: Path, *args: str) -> str:
    text = subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def word_boxes(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points, from pdftotext's bounding boxes."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def close(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(p - c) <= tolerance for p, c in zip(pixel[:3], colour, strict=True))


def ruled(image: Image.Image, box, colour, rows: range) -> bool:
    """Whether one pixel row of `rows` is `colour` across most of the word's width: a rule
    (underline or strike-through), not glyphs, which never fill a row."""
    x0, x1 = int(box[1] * SCALE) + 1, int(box[3] * SCALE) - 1
    return any(sum(close(image.getpixel((x, y)), colour) for x in range(x0, x1)) >= 0.85 * (x1 - x0) for y in rows)


def margin_pixels(image: Image.Image, width: int, colour, tolerance: int) -> list[tuple[int, int]]:
    """(x, y) of every pixel left of `width` that is `colour`; white paper, most of a
    margin, is passed over (it is not `colour`) without comparing."""
    white = (255, 255, 255)
    assert not close(white, colour, tolerance)
    raw = image.crop((0, 0, width, image.height)).tobytes()  # RGB, row after row
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return [(i % width, i // width) for i, pixel in enumerate(pixels)
            if pixel != white and close(pixel, colour, tolerance)]


SCALE = 150 / 72  # pixels per point at 150 dpi


@pytest.mark.slow
@pytest.mark.parametrize("lang, inserted, deleted, heading", [
    ("en", "small", "their", "Changes since November 2026"),
    ("fr", "petit", "leurs", "Modifications depuis novembre 2026"),
])
def test_the_redline_underlines_insertions_and_strikes_deletions(released, tmp_path, lang, inserted, deleted,
                                                                  heading):
    content = copy_repo(released[0], tmp_path)
    alpha = content / lang / "alpha.yaml"
    if lang == "en":
        edit(alpha, "Alpha is a test topic.", "Alpha is a small test topic.")
        edit(alpha, "90% of their income", "90% of income")
    else:
        edit(alpha, "Alpha est un thème de test.", "Alpha est un petit thème de test.")
        edit(alpha, "de leurs revenus", "de revenus")
    out = tmp_path / "redline"
    result = run(content, "changes", "--lang", lang, "--pdf-dir", out)
    assert result.exit_code == 0, result.output
    pdf_path = out / f"changes-{lang}.pdf"
    first = pdftotext(pdf_path, "-f", "1", "-l", "1")
    assert heading in first and ("Alpha crime" in first or "Criminalité alpha" in first)
    body = pdftotext(pdf_path, "-f", "2", "-l", "2")
    assert inserted in body and deleted in body
    with pikepdf.open(pdf_path) as pdf:  # a review copy: no PDF/A or PDF/X claim
        xmp = pdf.open_metadata()
        assert "pdfaid:part" not in xmp and "/GTS_PDFXVersion" not in pdf.docinfo
        assert "/OutputIntents" not in pdf.Root
        assert str(pdf.docinfo.Title).startswith(heading)
    subprocess.run(["pdftoppm", "-r", "150", "-f", "2", "-l", "2", "-png", str(pdf_path), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    words = word_boxes(pdf_path, 2)
    new = next(w for w in words if w[0] == inserted)
    gone = next(w for w in words if w[0] == deleted)
    height = new[4] - new[2]
    # The underline: just under the baseline; the strike: across the middle of the word.
    assert ruled(image, new, rgb(INS_COLOUR), range(int((new[4] - 0.3 * height) * SCALE), int((new[4] + 2) * SCALE)))
    middle = (gone[2] + gone[4]) / 2
    assert ruled(image, gone, rgb(DEL_COLOUR), range(int((middle - 0.25 * height) * SCALE),
                                                     int((middle + 0.25 * height) * SCALE)))
    assert not ruled(image, gone, rgb(INS_COLOUR), range(int(gone[2] * SCALE), int((gone[4] + 2) * SCALE)))
    # The change bar: in the outer margin (page 2 is a left-hand page: the left margin).
    text_left = min(w[1] for w in words) - 2
    bar = margin_pixels(image, int(text_left * SCALE), rgb(INS_COLOUR), 30)
    assert len({y for _, y in bar}) > 20, "no change bar in the outer margin"
    bar_rows = {y / SCALE for _, y in bar}
    assert min(bar_rows) <= new[4] and max(bar_rows) >= new[2]  # beside the changed line


# --- the diff itself (pure functions) ---------------------------------------------------------------


def test_an_inserted_paragraph_is_one_added_field_not_every_later_one_changed():
    old = [Field("t", ("intro", 0), "One."), Field("t", ("intro", 1), "Two.")]
    new = [Field("t", ("intro", 0), "Zero."), Field("t", ("intro", 1), "One."), Field("t", ("intro", 2), "Two!")]
    changes = compare_fields(old, new)
    assert [(c.state, c.old and c.old.text, c.new and c.new.text) for c in changes] == [
        (ADDED, None, "Zero."), (CHANGED, "Two.", "Two!")]


def test_mark_keeps_emphasis_and_puts_the_anchor_on_the_first_change():
    old = (Span("Networks earn "), Span("90%", bold=True), Span(" of income."))
    new = (Span("Networks earn "), Span("most", bold=True), Span(" of income."))
    marked = mark(old, new, anchor="change-1")
    assert [(s.text, s.bold, s.change, s.anchor) for s in marked] == [
        ("Networks earn ", False, None, None), ("90%", True, "del", "change-1"), ("most", True, "ins", None),
        (" of income.", False, None, None)]
