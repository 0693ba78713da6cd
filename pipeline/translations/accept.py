"""Accept: a translator confirms that a language's translations match today's English.

Nothing is accepted silently: only this command (and an import, for the units it
imports) writes the record. Every translated field that has an English partner is
recorded as translated from that English today; obsolete fields keep their old entry
(they stay obsolete until removed) and English fields without a translation stay missing,
as do fields still holding the `TO TRANSLATE` placeholder of `pipeline new`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.content.project import Project
from pipeline.translations.align import OBSOLETE
from pipeline.translations.fields import is_placeholder
from pipeline.translations.record import Entry, Record, load_record, save_record
from pipeline.translations.status import DocStatus, all_docs, language_status, reference


@dataclass
class Accepted:
    """What accept changed: fields newly recorded per document, and whether the file was written."""

    per_doc: dict[str, int]
    written: bool

    @property
    def total(self) -> int:
        return sum(self.per_doc.values())


def entries_for(status: DocStatus, chosen: dict[int, Entry]) -> list[Entry]:
    """The record entries of a document in the translated file's order.

    `chosen` gives new entries by field identity (`id(field)`); other fields keep the
    entry they were matched to, and fields with neither get none.
    """
    old = {id(m.other): m.entry for m in status.matches if m.other is not None}
    entries = []
    for f in status.other_fields:
        entry = chosen.get(id(f), old.get(id(f)))
        if entry is not None:
            entries.append(entry)
    return entries


def accept(project: Project, lang: str, docs: list[str] | None = None) -> Accepted:
    """Record every paired field of `lang` (in `docs`, default all) as current; write the record."""
    ref = reference(project)
    record: Record = load_record(project.root, lang, ref)
    per_doc: dict[str, int] = {}
    for status in language_status(project, lang, docs, record):
        paired = [m for m in status.matches
                  if m.other is not None and m.english is not None and not is_placeholder(m.other.text)]
        chosen = {id(m.other): Entry(m.english.text, m.other.text) for m in paired}
        per_doc[status.doc] = sum(1 for m in paired if m.state not in ("current", OBSOLETE))
        record[status.doc] = entries_for(status, chosen)
    written = save_record(project.root, record, lang, ref, all_docs(project))
    return Accepted(per_doc, written)
