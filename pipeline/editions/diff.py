"""What changed between two editions' text: documents, then fields, then words.

A field is a value of a document named by its path in the YAML, as the translations
name it (`pipeline.translations.fields.Field`): every translatable text, and here also
the settings that change what is printed (related topics, a figure's file and width, a
table's alignment, a language's typography). Fields are aligned in file order by kind
and text, so a paragraph inserted at the top shows as one added field, not as every
later one changed; fields of the same kind replaced in place are *changed*, with a
word-level diff of their old and new text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.content.loader import Loc
from pipeline.translations.fields import Field, fields_of
from pipeline.translations.status import word_diff

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class FieldChange:
    """One field added, removed or changed."""

    state: str
    old: Field | None
    new: Field | None

    @property
    def path(self) -> Loc:
        """Where the field is now (or was, if removed)."""
        found = self.new or self.old
        assert found is not None
        return found.path

    @property
    def words(self) -> list[tuple[str, str]]:
        """The change word by word: (state, text) runs, state one of equal, del, ins."""
        return word_runs(self.old.text if self.old else "", self.new.text if self.new else "")

    @property
    def diff(self) -> str:
        """git's word-diff style: `[-removed-]{+added+}`, as `pipeline translations --diff` shows it."""
        return word_diff(self.old.text if self.old else "", self.new.text if self.new else "")


@dataclass
class DocChange:
    """One document of one language and how it changed."""

    lang: str
    doc: str
    state: str
    fields: list[FieldChange] = field(default_factory=list)


def compare_language(lang: str, old: dict[str, Any], new: dict[str, Any], order: list[str]) -> list[DocChange]:
    """Every document of a language, old against new, in `order` (removed ones last)."""
    docs = [*(d for d in order if d in new or d in old), *(d for d in old if d not in order)]
    out = []
    for doc in dict.fromkeys(docs):
        before, after = old.get(doc), new.get(doc)
        if before is None and after is not None:
            out.append(DocChange(lang, doc, ADDED))
        elif after is None and before is not None:
            out.append(DocChange(lang, doc, REMOVED))
        elif before == after:
            out.append(DocChange(lang, doc, UNCHANGED))
        else:
            changes = compare_fields(all_fields(doc, before), all_fields(doc, after))
            out.append(DocChange(lang, doc, CHANGED if changes else UNCHANGED, changes))
    return out


def all_fields(doc: str, data: Any) -> list[Field]:
    """The translatable fields of a document, then every other value that is printed or
    shapes the print (as text), each once."""
    texts = fields_of(doc, data)
    seen = {f.path for f in texts}
    others = [Field(doc, path, _as_text(value)) for path, value in _leaves(data, ())
              if path not in seen and path[:1] != ("id",)]
    return [*texts, *others]


def _leaves(value: Any, path: Loc) -> Iterator[tuple[Loc, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        if not value:
            yield path, value
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "[]" if value == [] else str(value)


def compare_fields(old: list[Field], new: list[Field]) -> list[FieldChange]:
    """Align two field lists by kind and text; unmatched fields of one kind replaced in
    place are changes, the rest additions and removals."""
    a = [(f.kind, f.text) for f in old]
    b = [(f.kind, f.text) for f in new]
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        j = 0
        for before in olds:
            match = next((k for k in range(j, len(news)) if news[k].kind == before.kind), None)
            if match is None:
                out.append(FieldChange(REMOVED, before, None))
                continue
            out += [FieldChange(ADDED, None, added) for added in news[j:match]]
            out.append(FieldChange(CHANGED, before, news[match]))
            j = match + 1
        out += [FieldChange(ADDED, None, added) for added in news[j:]]
    return out


def word_runs(old: str, new: str) -> list[tuple[str, str]]:
    """`old` into `new` word by word: (equal|del|ins, text) runs, deletions before insertions."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", "".join(b[j1:j2])))
    return runs
