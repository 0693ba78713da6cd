"""`pipeline review` of DOCX files reviewed in LibreOffice Writer (issue 23).

LibreOffice is started once for the module's session (`office`) and driven through UNO by
tests/lo_review.py under Debian's python3 (python3-uno), as pipeline/release/lo_layout.py
does: it opens the DOCX the pipeline built, edits it with change recording on, comments
it, and saves it as DOCX, as a reviewer would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from session_outputs import office_command

from pipeline.release.docx_pages import UNO_PYTHON

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "lo_review.py"
FIXTURES = HERE / "fixtures"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """A headless LibreOffice listening on a pipe, for the whole session; ended at its end."""
    if shutil.which("soffice") is None or not Path(UNO_PYTHON).exists():
        pytest.fail("LibreOffice and python3-uno are needed (make deps-test)")
    profile = tmp_path_factory.mktemp("lo-profile")
    pipe = f"pipeline_review_{os.getpid()}"
    process = subprocess.Popen(office_command(profile, pipe), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield pipe
    subprocess.run([UNO_PYTHON, str(SCRIPT), "stop", pipe], capture_output=True, timeout=60, check=False)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def in_writer(office: str, source: Path, target: Path, edits: list[dict], tmp_path: Path,
              author: str = "Ann Reviewer") -> Path:
    job = tmp_path / f"{target.stem}.json"
    job.write_text(json.dumps({"source": str(source), "target": str(target), "author": author, "edits": edits}))
    result = subprocess.run([UNO_PYTHON, str(SCRIPT), "edit", office, str(job)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0 and target.exists(), result.stderr
    return target


@pytest.mark.parametrize("content,lang,topic", [
    ("valid", "en", "alpha"), ("valid", "fr", "alpha"), ("rich", "en", "ports"), ("rich", "fr", "networks"),
    ("valid", "fr", None),
])
def test_anchors_survive_a_libreoffice_round_trip(office, run_cli, tmp_path, content, lang, topic):
    """Opened and saved in Writer, the DOCX still says where every text came from: the
    review finds no change at all (no field, no untracked edit, no missing anchor)."""
    folder = FIXTURES / content
    built = tmp_path / "built.docx"
    args = ["factsheet", topic] if topic else ["handbook"]
    assert run_cli("--content", folder, *args, "--lang", lang, "-o", built).exit_code == 0
    saved = in_writer(office, built, tmp_path / "saved.docx", [], tmp_path)
    result = run_cli("--content", folder, "review", saved)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "0 field(s) changed, 0 conflict(s), 0 refused, 0 change(s) outside the fields, 0 comment(s)"]


def test_a_review_in_libreoffice_goes_into_the_yaml_and_the_rebuilt_pdf(office, run_cli, fixture_copy, tmp_path):
    content = fixture_copy
    built = tmp_path / "alpha-en.docx"
    assert run_cli("--content", content, "factsheet", "alpha", "--lang", "en", "-o", built).exit_code == 0
    reviewed = in_writer(office, built, tmp_path / "reviewed.docx", [
        {"op": "insert", "in": "Alpha is a test topic.", "before": "test topic", "text": "small "},
        {"op": "delete", "in": "three levers", "text": "three "},
        {"op": "replace", "in": "beta activities", "text": "beta", "with": "gamma"},
        {"op": "append", "in": "travel by sea", "text": " and air"},
        {"op": "comment", "in": "Over 90%", "text": "Over 90%", "note": "Is this still true?",
         "date": "2026-11-30T10:15:00"},
    ], tmp_path)
    before = (content / "en" / "alpha.yaml").read_text()

    result = run_cli("--content", content, "review", reviewed, "--apply")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "alpha.yaml:3: lead: applied (changed)" in out
    assert "    change:   inserted 'small ' by Ann Reviewer (" in out
    assert "comment: Ann Reviewer (2026-11-30T10:15:00Z): Is this still true?" in out
    assert "applied 4 field(s)" in out
    after = (content / "en" / "alpha.yaml").read_text()
    assert after == (before.replace("lead: Alpha is a test topic.", "lead: Alpha is a small test topic.")
                     .replace("through three levers", "through levers").replace("*beta*", "*gamma*")
                     .replace("text: of test goods travel by sea.", "text: of test goods travel by sea. and air"))

    pdf = tmp_path / "alpha-en.pdf"
    assert run_cli("--content", content, "factsheet", "alpha", "--lang", "en", "-o", pdf).exit_code == 0
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for printed in ("Alpha is a small test topic.", "income from gamma activities", "It works through levers:",
                    "of test goods travel by sea. and air"):
        assert printed in text
    assert "beta activities" not in text and "three levers" not in text
