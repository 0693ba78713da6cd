"""Word counts and edit dates of the content, for `pipeline validate` and `pipeline list`."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from pipeline.content.links import LINK
from pipeline.content.project import Project

_WORD = re.compile(r"\w+(?:[’'-]\w+)*")
# Keys whose values are not read as text: ids, links to topics, a figure's file, a table's alignment.
_NOT_WORDS = ("id", "related", "src", "align")


def _texts(value: object):
    if isinstance(value, str):
        yield LINK.sub(lambda m: m.group("text"), value)  # a link counts its text, not its address
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_WORDS:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def count_words(data: object) -> int:
    """Words in every text value of a parsed YAML file (ids, topic links, file names and
    link addresses excluded)."""
    return sum(len(_WORD.findall(text)) for text in _texts(data))


def words_per_language(project: Project) -> dict[str, int]:
    return {
        code: sum(count_words(loaded.data) for loaded in project.languages[code].sources.values())
        for code in project.edition.languages
    }


def last_modified(paths: list[Path]) -> dict[Path, dt.date]:
    """Last commit date of each file (git), or its modification time when git has none.

    A fresh clone gives every file the clone time as mtime, so in git the commit date
    is the truth; a file with uncommitted changes, or outside git, has its mtime.
    """
    dates: dict[Path, dt.date] = {}
    if paths:
        try:
            cwd = paths[0].parent
            top = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                                      check=True, cwd=cwd).stdout.strip())
            names = [str(p.resolve()) for p in paths]
            log = subprocess.run(["git", "log", "--format=@%cs", "--name-only", "--", *names],
                                 capture_output=True, text=True, check=True, cwd=cwd).stdout
            current = None
            for line in log.splitlines():
                if line.startswith("@"):
                    current = dt.date.fromisoformat(line[1:])
                elif line and current:
                    dates.setdefault((top / line).resolve(), current)
            dirty = subprocess.run(["git", "status", "--porcelain", "--no-renames", "--", *names],
                                   capture_output=True, text=True, check=True, cwd=cwd).stdout
            for line in dirty.splitlines():
                dates.pop((top / line[3:]).resolve(), None)
        except (OSError, subprocess.CalledProcessError, ValueError):
            pass
    result = {}
    for path in paths:
        result[path] = dates.get(path.resolve()) or dt.date.fromtimestamp(path.stat().st_mtime)
    return result


def topic_rows(project: Project) -> list[tuple[str, ...]]:
    """A table: topic id, then title, words and date for each language."""
    codes = list(project.edition.languages)
    paths = [project.languages[c].sources[t].path for c in codes for t in project.topic_ids]
    dates = last_modified(paths)
    header = ["topic"] + [f"{h} ({c})" for c in codes for h in ("title", "words", "modified")]
    rows = [tuple(header)]
    for topic_id in project.topic_ids:
        row = [topic_id]
        for code in codes:
            loaded = project.languages[code].sources[topic_id]
            row += [project.languages[code].topics[topic_id].title, str(count_words(loaded.data)),
                    dates[loaded.path].isoformat()]
        rows.append(tuple(row))
    return rows
