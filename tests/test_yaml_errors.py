"""Texts YAML misreads get a located message an editor can act on (issue 26, part 3).

Each case writes a text that starts with a character YAML reserves (or holds ': ' or
' #') where the fixture has a paragraph or a value, runs `pipeline validate`, and
checks the exact message and the line where the text starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIX = "put it all in double quotes, or run 'pipeline fmt'"

# alpha.yaml of tests/fixtures/valid: line 3 is `lead: ...`, line 5 the intro's paragraph,
# line 9 the first block of the first section, line 14 a list item.
PLACES = {
    "lead": (3, "lead: Alpha is a test topic.", "lead: {}"),
    "intro": (5, '  - Alpha affects everyone; is it "serious"? Yes!', "  - {}"),
    "block": (9, "      - Alpha networks earn 90% of their income from *beta* activities.", "      - {}"),
    "item": (14, "            - training", "            - {}"),
}

CASES = [
    # (case id, text written, message)
    ("star", "*Operation First Light* targets call centres.",
     f"quote this text: a text that starts with * is read as a YAML alias; {FIX}"),
    ("star-alone", "*italic*",
     f"quote this text: a text that starts with * is read as a YAML alias; {FIX}"),
    ("ampersand", "&co. are listed below.",
     f"quote this text: a text that starts with & is read as a YAML anchor; {FIX}"),
    ("link", "[The annual report](https://example.org/report) says so.",
     "quote this text: a text that starts with [ is read as a YAML list (a link [text](https://...) must be "
     f"quoted); {FIX}"),
    ("brace", "{Draft} Text to come.",
     f"quote this text: a text that starts with {{ is read as a YAML mapping; {FIX}"),
    ("bang", "!Important: read this first.",
     f"quote this text: a text that starts with ! is read as a YAML tag (unsupported YAML tag !Important:); {FIX}"),
    ("percent", "%50 of the cases go unreported.",
     f"quote this text: a text that starts with % is refused by YAML (% is reserved); {FIX}"),
    ("at", "@interpol_hq posts the notices.",
     f"quote this text: a text that starts with @ is refused by YAML (@ is reserved); {FIX}"),
    ("quote", '"Lone wolves" act alone.',
     'quote this text: a text that starts with " ends at its second " for YAML (inside double quotes, '
     f'write " as \\"); {FIX}'),
    ("colon", "Note: this matters.",
     f"quote this text: ': ' inside a text, or ':' at its end, is read as a YAML key and value; {FIX}"),
    ("colon-end", "It works through three levers:",
     f"quote this text: ': ' inside a text, or ':' at its end, is read as a YAML key and value; {FIX}"),
    ("hash", "The unit ranks #1 in the region.",
     "quote this text: the part after ' #' is read as a YAML comment and dropped; put the whole text in "
     "double quotes (or, if it is a comment, put two spaces before #)"),
]


def _write(content, place: str, text: str) -> int:
    line, old, template = PLACES[place]
    path = content / "en" / "alpha.yaml"
    source = path.read_text(encoding="utf-8")
    assert source.splitlines()[line - 1] == old, "fixture changed"
    path.write_text(source.replace(old, template.format(text), 1), encoding="utf-8")
    return line


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_misread_text_is_named_at_its_line_with_the_fix(case, place, fixture_copy, run_cli):
    _, text, message = case
    line = _write(fixture_copy, place, text)
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    path = fixture_copy / "en" / "alpha.yaml"
    assert result.stderr.splitlines() == [f"Error: {path}:{line}: {message}", "1 content problem found"]


def test_an_unclosed_bracket_is_named_where_it_opens_not_where_yaml_gives_up(fixture_copy, run_cli):
    line = _write(fixture_copy, "block", "[Draft: figures to come")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    path = fixture_copy / "en" / "alpha.yaml"
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}:{line}: this text starts with [ and YAML looks for its closing ] in vain: close it, "
        "or, if it is text, put the whole text in double quotes")


def test_a_text_continued_on_the_next_line_is_named_where_it_starts(fixture_copy, run_cli):
    path = fixture_copy / "en" / "alpha.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("  - Alpha affects everyone;", '  - "Alpha" affects\n    everyone;'),
                    encoding="utf-8")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.stderr.splitlines()[0].startswith(f"Error: {path}:5: quote this text: a text that starts with \"")


def test_every_misread_text_of_a_file_is_reported_at_once(fixture_copy, run_cli):
    _write(fixture_copy, "lead", "*Alpha* is a test topic.")
    _write(fixture_copy, "block", "[A link](https://example.org) opens the section.")
    _write(fixture_copy, "item", "Step 2: training")
    result = run_cli("--content", fixture_copy, "validate")
    path = fixture_copy / "en" / "alpha.yaml"
    lines = result.stderr.splitlines()
    assert [line.split(": quote this text")[0].removeprefix("Error: ") for line in lines[:-1]] == [
        f"{path}:3", f"{path}:9", f"{path}:14"]
    assert lines[-1] == "3 content problems found"


def test_quoted_texts_comments_and_flow_lists_are_not_misreadings(fixture_copy, run_cli):
    """What the content legitimately writes: quoted texts with every reserved start, a
    comment set off by two spaces, a flow list, a key inside a list item."""
    _write(fixture_copy, "lead", '"*Alpha* is a test topic: [see](https://example.org) #1"  # a comment')
    _write(fixture_copy, "intro", "'&co. are listed below.'")
    _write(fixture_copy, "item", '"Note: training"')
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 0, result.output


# --- docs/content-format.md teaches what parses ---------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "content-format.md"


def test_every_yaml_example_of_the_content_format_reads_as_written():
    from pipeline.content.loader import parse_text

    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 6
    for block in blocks:
        reading = parse_text(block)
        assert (reading.misreadings, reading.error) == ([], None), block


def test_the_yaml_rules_box_names_every_character_the_loader_explains():
    from pipeline.content.misread import STARTS

    text = DOC.read_text(encoding="utf-8")
    box = text[text.index("> **YAML rules"):]
    box = box[: box.index("\n\n", box.index("pipeline fmt"))]
    starts = box[box.index("**starts with**"): box.index("**contains**")]
    missing = [char for char in STARTS if f"`{char}`" not in starts and f"`` {char} ``" not in starts]
    assert missing == []
    assert "`: `" in box and "` #`" in box


def test_a_tab_in_the_indentation_says_to_indent_with_spaces(fixture_copy, run_cli):
    path = fixture_copy / "en" / "alpha.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      - list:\n", "\t- list:\n"), encoding="utf-8")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}:10: invalid YAML: a tab in the indentation; indent with spaces only")


def test_a_file_of_misread_texts_is_read_a_bounded_number_of_times():
    """Each misread text costs a parse of its file: past MAX_MISREADINGS the next
    problem is named as YAML reports it, so a hostile file cannot cost n² parses."""
    from pipeline.content.loader import MAX_MISREADINGS, parse_text

    reading = parse_text("".join(f"- *x{i}* text\n" for i in range(2000)))
    assert len(reading.misreadings) == MAX_MISREADINGS
    assert reading.error == (MAX_MISREADINGS + 1,
                             "invalid YAML: expected alphabetic or numeric character, but found '*'")
