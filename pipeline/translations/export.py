"""Export a language's fields as XLIFF 2.0 for a translator's CAT tool."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.content.project import Project
from pipeline.errors import PipelineError
from pipeline.files.output import write_atomic
from pipeline.translations.align import CURRENT, STALE, Match
from pipeline.translations.fields import is_placeholder
from pipeline.translations.status import DocStatus, language_status, reference
from pipeline.translations.xliff import FileUnits, Unit, write_xliff


def glossary_notes(project: Project, lang: str):
    """A function giving, for an English text, the glossary notes of the terms it contains."""
    ref = reference(project)
    terms = [(re.compile(rf"(?<!\w){re.escape(entry[ref])}(?!\w)", re.IGNORECASE), entry[ref], entry[lang])
             for entry in project.glossary if ref in entry and lang in entry]

    def notes(text: str) -> list[tuple[str, str]]:
        return [("glossary", f"{en} = {other}") for pattern, en, other in terms if pattern.search(text)]

    return notes


def unit_of(match: Match, notes) -> Unit:
    """One XLIFF unit for an English field and what the translation has for it."""
    assert match.english is not None
    english = match.english
    target = match.other.text if match.other is not None and not is_placeholder(match.other.text) else None
    extra = []
    if match.state == STALE and match.entry is not None:
        extra.append(("previous-source", match.entry.source))
    state = "final" if match.state == CURRENT else "initial"
    return Unit(english.name, english.text, target, state, match.state, [*extra, *notes(english.text)])


def export_units(project: Project, lang: str, docs: list[str] | None, only_stale: bool) -> list[FileUnits]:
    """The files and units to export, in document order (obsolete fields have no English: left out)."""
    notes = glossary_notes(project, lang)
    files = []
    for status in language_status(project, lang, docs):
        units = [unit_of(m, notes) for m in status.matches
                 if m.english is not None and not (only_stale and m.state == CURRENT)]
        if units:
            files.append(FileUnits(status.doc, _original(status), units))
    return files


def _original(status: DocStatus) -> str:
    return f"{status.other.path.parent.name}/{status.other.path.name}"


def export(project: Project, lang: str, output: Path, docs: list[str] | None = None,
           only_stale: bool = False) -> int:
    """Write the XLIFF file atomically; the number of units written."""
    files = export_units(project, lang, docs, only_stale)
    text = write_xliff(reference(project), lang, files)
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise PipelineError(f"cannot write {output}: {exc.strerror}") from None
    return sum(len(f.units) for f in files)
