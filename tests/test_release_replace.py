"""A release never silently replaces a set already in `dist/` (issue 26, part 5).

Same files: nothing to do, exit 0. Other files: refused, the old set untouched, unless
--replace; then the new set is swapped in whole. The unit tests drive `write_set` with
small files; one slow test runs the real command twice on the fixture and reads the PDFs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.files import output
from pipeline.release.assemble import Entry, ReleaseRefused, write_set

# Its releases lay their DOCX out in the session's LibreOffice (tests/session_outputs.py).
pytestmark = pytest.mark.needs_office


def _entries(text: str) -> list[Entry]:
    return [Entry("en/factsheets/alpha-en.pdf", "factsheet", "screen", "pdf", "en", text.encode()),
            Entry("en/handbook-en.docx", "handbook", "screen", "docx", "en", b"docx")]


def _write(out: Path, text: str, replace: bool = False):
    return write_set(out, "2026-11-24", _entries(text), {"files": []}, "README\n", replace=replace)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_same_set_again_is_nothing_to_do(tmp_path):
    first = _write(tmp_path, "one")
    assert first.action == "written"
    stamps = {p: p.stat().st_mtime_ns for p in first.path.rglob("*")}
    again = _write(tmp_path, "one")
    assert again.action == "unchanged"
    assert again.line() == f"{first.path} already holds this set, file for file: nothing to do"
    assert {p: p.stat().st_mtime_ns for p in first.path.rglob("*")} == stamps


def test_a_different_set_is_refused_and_the_old_one_kept(tmp_path):
    first = _write(tmp_path, "one")
    (first.path / "notes.txt").write_text("added by hand", encoding="utf-8")
    before = _snapshot(first.path)
    with pytest.raises(ReleaseRefused) as refused:
        _write(tmp_path, "two")
    assert refused.value.problems == [
        f"{first.path}: a set with other files is already there (changed: SHA256SUMS; changed: "
        "en/factsheets/alpha-en.pdf; extra: notes.txt): pass --replace to replace it, or --out for another folder"]
    assert _snapshot(first.path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["2026-11-24"]


@pytest.mark.parametrize("swap", [True, False], ids=["atomic-swap", "rename-aside"])
def test_replace_swaps_the_whole_set_in(tmp_path, monkeypatch, swap):
    if not swap:  # a system without renameat2's exchange: rename aside, then in
        monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    first = _write(tmp_path, "one")
    (first.path / "notes.txt").write_text("added by hand", encoding="utf-8")
    done = _write(tmp_path, "two", replace=True)
    assert done.action == "replaced" and done.line() == f"replaced {first.path}"
    files = _snapshot(done.path)
    assert files["en/factsheets/alpha-en.pdf"] == b"two"
    assert "notes.txt" not in files
    assert [p.name for p in tmp_path.iterdir()] == ["2026-11-24"]  # no staging or old folder left


def test_a_failed_swap_puts_the_old_set_back(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_exchange", lambda first, second: False)
    first = _write(tmp_path, "one")
    before = _snapshot(first.path)
    real_rename = Path.rename

    def failing_rename(self, target):
        if Path(target) == first.path and self.name.startswith(".2026-11-24.part-"):
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError, match="disk full"):
        _write(tmp_path, "two", replace=True)
    assert _snapshot(first.path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["2026-11-24"]


@pytest.mark.slow
def test_release_twice_then_changed_content_needs_replace(fixture_copy, tmp_path, run_cli):
    out, build = tmp_path / "dist", tmp_path / "build"
    args = ("--content", fixture_copy, "--build-dir", build, "release", "--out", out,
            "--allow-draft", "--allow-unsigned", "--lang", "en")
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    (folder,) = list(out.iterdir())
    assert first.stdout.strip().endswith(f"released {folder}")
    before = _snapshot(folder)

    same = run_cli(*args)
    assert same.exit_code == 0, same.output
    assert same.stdout.strip().endswith(f"{folder} already holds this set, file for file: nothing to do")
    assert _snapshot(folder) == before

    lead = fixture_copy / "en" / "alpha.yaml"
    lead.write_text(lead.read_text(encoding="utf-8").replace("Alpha is a test topic.",
                                                              "Alpha is a revised test topic."), encoding="utf-8")
    refused = run_cli(*args)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0].startswith(f"Error: {folder}: a set with other files is already there "
                                                     "(changed: COM-2026-11-24-draft-en.zip; changed: SHA256SUMS;")
    assert refused.stderr.splitlines()[0].endswith(": pass --replace to replace it, or --out for another folder")
    assert refused.stderr.splitlines()[-1] == "release refused: 1 problem"
    assert _snapshot(folder) == before

    replaced = run_cli(*args, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert replaced.stdout.strip().endswith(f"replaced {folder}")
    text = PdfReader(folder / "en" / "factsheets" / "alpha-en.pdf").pages[0].extract_text()
    assert "revised test topic" in text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["draft"] is True
    assert run_cli("release", "--verify", folder).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [folder.name]
    shutil.rmtree(build)
