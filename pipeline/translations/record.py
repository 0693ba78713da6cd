"""The translation record: for every text of a language, the English it was translated from.

One committed file per non-reference language, `content/translations/<lang>.yaml`:

    alpha:
      - en: Alpha is a test topic.
        fr: Alpha est un thème de test.
      - en: ...

Per document (`_strings`, `_frontmatter`, topic ids), a list of entries in the order of
the translated file, each the reference text (`en`) a translation was made from and
that translation as it was accepted (`fr`). Why both texts and no paths:

- the reference text is what status compares with today's English (and what
  `--diff` shows as "then"), so it is stored in full, not as a hash;
- the translation identifies which translated field an entry belongs to, by content
  rather than by position, so inserting, deleting or moving a block (in either
  language) shifts no entry and changes one entry in the diff, not every later one;
- a plain list of two strings is readable in a code review.

The file is written only by `pipeline translations accept` and `... import`; a
language without a record has every field "missing" until it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.content.limits import CONTENT_FILE_BYTES
from pipeline.content.loader import Loaded, load_yaml, outside
from pipeline.errors import ContentError, Problem
from pipeline.files.output import write_atomic

RECORD_DIR = "translations"

HEADER = """\
# Translation record for {lang}: for each {lang} text, the {ref} text it was translated from.
# Written by `pipeline translations accept --lang {lang}` and `pipeline translations import`;
# `pipeline translations` compares it with today's {ref}. Review its changes, do not edit it by hand.
"""


@dataclass(frozen=True)
class Entry:
    """One recorded translation: the reference text `source` and its translation `target`."""

    source: str
    target: str


Record = dict[str, list[Entry]]


def record_path(root: Path, lang: str) -> Path:
    return root / RECORD_DIR / f"{lang}.yaml"


def load_record(root: Path, lang: str, ref: str) -> Record:
    """The record of `lang` (empty when the file does not exist); ContentError when malformed."""
    path = record_path(root, lang)
    if not path.exists():
        return {}
    problem = outside(root, path)
    if problem is not None:
        raise ContentError([problem])
    data = _fast_load(path) if path.stat().st_size <= CONTENT_FILE_BYTES else None
    if data is None:  # something is wrong (its size too): the strict loader says what, and where
        loaded = load_yaml(path)
        data = loaded.data if loaded.data is not None else {}
    else:
        loaded = Loaded(path, data, {})
    problems: list[Problem] = []
    record: Record = {}
    if not isinstance(data, dict):
        raise ContentError([Problem(path, 1, "", "expected a mapping of documents to lists of entries")])
    for doc, entries in data.items():
        if not isinstance(entries, list):
            problems.append(Problem(path, loaded.line_of((doc,)), str(doc), "expected a list of entries"))
            continue
        record[doc] = []
        for i, entry in enumerate(entries):
            if (not isinstance(entry, dict) or set(entry) != {ref, lang}
                    or not all(isinstance(v, str) for v in entry.values())):
                problems.append(Problem(path, loaded.line_of((doc, i)), f"{doc}[{i}]",
                                        f"an entry is a mapping of two texts, '{ref}' and '{lang}'"))
                continue
            record[doc].append(Entry(entry[ref], entry[lang]))
    if problems:
        raise ContentError(problems)
    return record


def _fast_load(path: Path) -> object | None:
    """The record parsed by libyaml when it is plain (no anchors, aliases or tags); else None.

    The record is read by every status, build and validate, and is as large as all the
    English and translated text together: the C parser reads it ~10x faster than the
    line-tracking loader, which is kept for reporting problems.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) or (
                    isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None)):
                return None
        return yaml.load(text, Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def dump_record(record: Record, lang: str, ref: str, order: list[str]) -> str:
    """The record as YAML text: documents in `order`, then any others, in a stable layout."""
    docs = [doc for doc in order if record.get(doc)] + sorted(d for d in record if d not in order and record[d])
    data = {doc: [{ref: e.source, lang: e.target} for e in record[doc]] for doc in docs}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=10**9,
                     default_flow_style=False) if data else "{}\n"
    return HEADER.format(lang=lang, ref=ref) + body


def save_record(root: Path, record: Record, lang: str, ref: str, order: list[str]) -> bool:
    """Write the record atomically; False (nothing written) when it is unchanged."""
    path = record_path(root, lang)
    text = dump_record(record, lang, ref, order)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomic(path, text.encode("utf-8"))
    return True
