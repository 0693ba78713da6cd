"""The editions log, `content/editions.yaml`: every final edition released, oldest first.

`pipeline release` of a final edition appends (or, released again, replaces) its
record: the edition date and set name, the git commit of the content when the content
was committed, the reference code of each document, the fingerprint of each document
of each language (`pipeline.content.fingerprints`) and the sign-offs current at the
release. A draft release records nothing. Commit the file with the release: it is
what `pipeline changes` compares with by default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from pipeline.content.loader import load_yaml
from pipeline.content.project import validate_model
from pipeline.errors import ContentError, Problem, display_path
from pipeline.files.output import write_atomic

LOG_FILE = "editions.yaml"

HEADER = """\
# Editions log: every final edition released, oldest first. Written by `pipeline release`;
# `pipeline changes` compares with the last one. Commit it with the release; do not edit it by hand.
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanguageRecord(_Strict):
    fingerprint: str
    documents: dict[str, str]


class SignOffRecord(_Strict):
    lang: str
    by: str
    role: str | None = None
    date: dt.date


class Edition(_Strict):
    """One released edition."""

    edition: dt.date
    set: str
    commit: str | None = None
    references: dict[str, str] = Field(default_factory=dict)
    languages: dict[str, LanguageRecord]
    signoffs: list[SignOffRecord] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.edition.isoformat()


class Log(_Strict):
    editions: list[Edition] = Field(default_factory=list)


def log_path(content: Path) -> Path:
    return content / LOG_FILE


def load_log(content: Path) -> list[Edition]:
    """The recorded editions, oldest first (none when the file does not exist)."""
    path = log_path(content)
    if not path.exists():
        return []
    loaded = load_yaml(path)
    if loaded.data is None:
        return []
    problems: list[Problem] = []
    log = validate_model(loaded, Log, problems)
    if problems or log is None:
        raise ContentError(problems)
    return log.editions


def find(editions: list[Edition], name: str) -> Edition | None:
    return next((e for e in reversed(editions) if e.name == name or e.set == name), None)


def previous(editions: list[Edition], before: str | None = None) -> Edition | None:
    """The last edition recorded, or the last one before the edition named `before`."""
    earlier = [e for e in editions if before is None or e.name < before]
    return earlier[-1] if earlier else None


def record(content: Path, edition: Edition) -> Path:
    """Add `edition` to the log, replacing a record of the same edition; atomically."""
    editions = [e for e in load_log(content) if e.name != edition.name]
    editions.append(edition)
    editions.sort(key=lambda e: e.edition)
    data = Log(editions=editions).model_dump(mode="json", exclude_none=True)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9, default_flow_style=False)
    path = log_path(content)
    write_atomic(path, (HEADER + body).encode("utf-8"))
    return path


def listing(editions: list[Edition]) -> list[str]:
    """`pipeline editions`: one line per edition, newest last."""
    if not editions:
        return ["no edition recorded yet (a final `pipeline release` records one)"]
    rows = [("edition", "set", "commit", "languages", "signed off")]
    for e in editions:
        signed = ", ".join(f"{s.lang}: {s.by}" for s in e.signoffs) or "-"
        rows.append((e.name, e.set, (e.commit or "-")[:12], ", ".join(e.languages), signed))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def where(content: Path) -> str:
    return display_path(log_path(content))
