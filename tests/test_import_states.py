"""XLIFF import names the units a translator changed but left `state="initial"` (issue 26, part 6).

A translator who edits `<target>` in a text editor and leaves the segment's state as
exported imports nothing; the import must say which units and how to mark them.
"""

from __future__ import annotations

from pathlib import Path


def _stale_export(content: Path, tmp_path: Path, run_cli) -> Path:
    """Change two English texts, export what is stale (both units `initial`)."""
    alpha = content / "en" / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("title: Alpha crime", "title: Alpha crimes")
                     .replace("Alpha is a test topic.", "Alpha is a changed test topic."), encoding="utf-8")
    xlf = tmp_path / "fr.xlf"
    result = run_cli("--content", content, "translations", "export", "--lang", "fr", "--only-stale", "-o", xlf)
    assert result.exit_code == 0, result.output
    text = xlf.read_text(encoding="utf-8")
    assert text.count('state="initial"') == 2 and "<target>Alpha est un thème de test.</target>" in text
    return xlf


def _edit_lead(xlf: Path, state: str | None = None) -> None:
    text = xlf.read_text(encoding="utf-8").replace("<target>Alpha est un thème de test.</target>",
                                                   "<target>Alpha est un thème de test modifié.</target>")
    if state is not None:
        lead = text.index('<unit id="alpha:lead"')
        text = text[:lead] + text[lead:].replace('state="initial"', f'state="{state}"', 1)
    xlf.write_text(text, encoding="utf-8")


def test_a_changed_target_left_initial_is_named_with_how_to_mark_it(fixture_copy, tmp_path, run_cli):
    xlf = _stale_export(fixture_copy, tmp_path, run_cli)
    _edit_lead(xlf)
    french = fixture_copy / "fr" / "alpha.yaml"
    before = french.read_bytes()
    result = run_cli("--content", fixture_copy, "translations", "import", xlf)
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 0 units into fr (no file changed); 2 not marked translated\n"
    # The title was left as exported (initial, target unchanged): not named.
    assert result.stderr == (
        f'{xlf}: not imported, as still state="initial" although the target was changed: alpha:lead (1 unit); '
        'set state="translated" on the <segment> of each (a CAT tool does so when you confirm a segment), '
        "then import again\n")
    assert french.read_bytes() == before


def test_marked_translated_the_same_unit_imports(fixture_copy, tmp_path, run_cli):
    xlf = _stale_export(fixture_copy, tmp_path, run_cli)
    _edit_lead(xlf, state="translated")
    result = run_cli("--content", fixture_copy, "translations", "import", xlf)
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 1 unit into fr (alpha.yaml); 1 not marked translated\n"
    assert result.stderr == ""
    assert "lead: Alpha est un thème de test modifié." in (fixture_copy / "fr" / "alpha.yaml").read_text("utf-8")


def test_a_target_added_to_a_missing_unit_counts_as_changed(fixture_copy, tmp_path, run_cli):
    """A unit exported with no target (the English gained a paragraph) that the
    translator filled in, but left initial."""
    beta = fixture_copy / "en" / "beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "          - Beta is often linked to alpha.\n",
        "          - Beta is often linked to alpha.\n          - Beta also has a new paragraph.\n"), encoding="utf-8")
    xlf = tmp_path / "fr.xlf"
    result = run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "--only-stale", "-o", xlf)
    assert result.exit_code == 0, result.output
    text = xlf.read_text(encoding="utf-8")
    source = "<source>Beta also has a new paragraph.</source>\n"
    assert source in text and "<target>" not in text
    xlf.write_text(text.replace(source, source + "        <target>Bêta a aussi un nouveau paragraphe.</target>\n"),
                   encoding="utf-8")
    result = run_cli("--content", fixture_copy, "translations", "import", xlf)
    assert result.exit_code == 0, result.output
    assert ("although the target was changed: beta:sections.0.subsections.0.blocks.1 (1 unit)"
            in result.stderr)
