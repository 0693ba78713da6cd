"""`pipeline fmt [--check]`: the house quoting and indentation, never a change of meaning (issue 26, part 3)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.fmt.canonical import canonical
from pipeline.fmt.rewrite import content_files

ROOT = Path(__file__).resolve().parent.parent
TREES = [ROOT / "content", *sorted(p for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir())]
ALL_FILES = [path for tree in TREES for path in content_files(tree)]


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_our_content_and_fixtures_are_canonical_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert canonical(text).text == text


def _messed_up(text: str) -> str:
    """The same data with other indentation and quoting: ruamel.yaml's round trip, with
    mappings and lists indented by 4 (lists flush with their key) and its own quoting."""
    from ruamel.yaml import YAML

    writer = YAML(typ="rt")
    writer.width = 10**9
    writer.allow_unicode = True
    writer.indent(mapping=4, sequence=4, offset=0)
    out = io.StringIO()
    writer.dump(writer.load(text), out)
    return out.getvalue()


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_formatting_a_messed_up_file_keeps_every_value(path):
    text = path.read_text(encoding="utf-8")
    messed = _messed_up(text)
    result = canonical(messed).text
    assert result is not None
    assert yaml.load(result, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.CSafeLoader)
    assert canonical(result).text == result  # formatting twice changes nothing more


MESSY = """\
# A topic typed in a hurry.\r
id: alpha   \r
title: 'Alpha crime'\r
lead: *Alpha* is a test topic.\r
intro:\r
- Alpha affects everyone; is it "serious"? Yes!\r
sections:\r
    -   heading: The problem\r
        # the blocks\r
        blocks:\r
            - [Alpha networks](https://example.org/alpha) earn 90% of their income.\r
            - Note: they work through three levers.\r
            - list:\r
                  intro: "It works through three levers:"\r
                  items:\r
                  - information sharing\r
                  - training  # the second lever\r
                  - operational support\r
            - key_figure:\r
                  value: Over\u00a090%\r
                  text: of test goods\r
                      travel by sea.\r
related: [beta]\r
"""

CANONICAL = """\
# A topic typed in a hurry.
id: alpha
title: "Alpha crime"
lead: "*Alpha* is a test topic."
intro:
  - Alpha affects everyone; is it "serious"? Yes!
sections:
  - heading: The problem
    # the blocks
    blocks:
      - "[Alpha networks](https://example.org/alpha) earn 90% of their income."
      - "Note: they work through three levers."
      - list:
          intro: "It works through three levers:"
          items:
            - information sharing
            - training  # the second lever
            - operational support
      - key_figure:
          value: "Over\\u00A090%"
          text: of test goods
              travel by sea.
related: [beta]
"""


def test_fmt_quotes_misread_texts_and_indents_the_house_way(fixture_copy, run_cli):
    path = fixture_copy / "en" / "alpha.yaml"
    path.write_bytes(MESSY.encode("utf-8"))
    before = run_cli("--content", fixture_copy, "validate")
    assert before.exit_code == 1
    result = run_cli("--content", fixture_copy, "fmt")
    assert result.exit_code == 0, result.output
    assert path.read_bytes().decode("utf-8") == CANONICAL
    assert result.stdout.splitlines() == [
        f"{path}:4: put a misread text in double quotes",
        f"{path}:11: put a misread text in double quotes",
        f"{path}:12: put a misread text in double quotes",
        f"formatted {path}",
        "1 formatted, 9 content files already in canonical form",
    ]
    after = run_cli("--content", fixture_copy, "validate")
    assert after.exit_code == 0, after.output
    again = run_cli("--content", fixture_copy, "fmt")
    assert again.stdout == "10 content files already in canonical form\n"
    assert path.read_bytes().decode("utf-8") == CANONICAL


def test_check_lists_the_files_and_writes_nothing(fixture_copy, run_cli):
    path = fixture_copy / "en" / "alpha.yaml"
    path.write_bytes(MESSY.encode("utf-8"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in fixture_copy.rglob("*") if p.is_file()}
    result = run_cli("--content", fixture_copy, "fmt", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"would format {path}",
        "Error: 1 file not in canonical form: run 'pipeline fmt' and commit the result",
    ]
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in fixture_copy.rglob("*") if p.is_file()}
    assert after == before


def test_check_passes_on_canonical_content_and_fmt_then_changes_no_byte(tmp_path, run_cli):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    check = run_cli("--content", content, "fmt", "--check")
    assert check.exit_code == 0, check.output
    assert run_cli("--content", content, "fmt").exit_code == 0
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before


def test_a_file_fmt_cannot_read_is_named_and_left_alone(fixture_copy, run_cli):
    broken = fixture_copy / "en" / "beta.yaml"
    text = broken.read_text(encoding="utf-8").replace("related: [alpha]", "related: [alpha")
    broken.write_text(text, encoding="utf-8")
    messy = fixture_copy / "en" / "alpha.yaml"
    messy.write_bytes(MESSY.encode("utf-8"))
    result = run_cli("--content", fixture_copy, "fmt")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{broken}:17: this text starts with [ and YAML looks for its closing ] in vain: close it, or, if it is "
        "text, put the whole text in double quotes",
        "Error: 1 file not formatted: fix the problems above by hand, then run 'pipeline fmt' again",
    ]
    assert broken.read_text(encoding="utf-8") == text
    assert messy.read_bytes().decode("utf-8") == CANONICAL  # the other files are formatted


def test_the_translation_record_is_not_a_content_file(fixture_copy):
    files = content_files(fixture_copy)
    assert fixture_copy / "translations" / "fr.yaml" not in files
    assert fixture_copy / "edition.yaml" in files and fixture_copy / "fr" / "_strings.yaml" in files
