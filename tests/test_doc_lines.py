"""Line numbers the docs quote from `pipeline new`'s skeletons are the ones the tool reports.

Issue 26 found "a README example gives line 6 where the skeleton has line 7": the
French skeleton's title is on line 7 (the English one's on line 6, its lead on line 7). This test starts a
topic as the docs do, writes its English, and checks every `content/<lang>/new-topic.yaml:N:
field:` quoted in README.md and docs/ against what `validate` and `translations` print.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
QUOTED = re.compile(r"(content/[a-z-]+/new-topic\.yaml):(\d+): ([\w\[\].]+):")


def _reported(tmp_path: Path, monkeypatch) -> dict[tuple[str, str], int]:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> str:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False).output

    assert "registered new-topic" in run("new", "new-topic", "--code", "NEW", "--title", "New topic")
    printed = run("validate")
    english = tmp_path / "content" / "en" / "new-topic.yaml"
    english.write_text(re.sub(r'"TO WRITE: ([^"]*)"', r'"Written: \1."', english.read_text(encoding="utf-8")),
                       encoding="utf-8")
    printed += run("translations", "--lang", "fr", "--topic", "new-topic")
    return {(path, field): int(line) for path, line, field in QUOTED.findall(printed)}


def _quoted_in_docs() -> list[tuple[str, str, str, int]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path, line, field in QUOTED.findall(doc.read_text(encoding="utf-8")):
            found.append((doc.name, path, field, int(line)))
    return found


def test_the_tool_reports_the_skeleton_lines(tmp_path, monkeypatch):
    reported = _reported(tmp_path, monkeypatch)
    assert reported[("content/en/new-topic.yaml", "lead")] == 7
    assert reported[("content/fr/new-topic.yaml", "title")] == 7


def test_the_docs_quote_the_lines_the_tool_reports(tmp_path, monkeypatch):
    """Failed on the README before its rewrite (it quoted `content/fr/new-topic.yaml:6: title:`)."""
    reported = _reported(tmp_path, monkeypatch)
    wrong = [(doc, path, field, line, reported.get((path, field))) for doc, path, field, line in _quoted_in_docs()
             if reported.get((path, field)) != line]
    assert wrong == []
