"""Translation status: which fields of each language are current, stale, missing or obsolete.

The library behind `pipeline translations` (the table and the `--diff` listing), the
build's one-line warning per language, and the refusal to build a `final` edition
whose languages disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.content.loader import Loaded
from pipeline.content.project import Project, format_loc
from pipeline.errors import PipelineError, Problem, display_path
from pipeline.translations.align import CURRENT, MISSING, OBSOLETE, STALE, STATES, Match, align
from pipeline.translations.fields import Field, docs_of, fields_of, is_placeholder, loaded_doc
from pipeline.translations.record import Record, load_record


@dataclass
class DocStatus:
    """The matches of one document of one language against the reference language."""

    lang: str
    doc: str
    english: Loaded
    other: Loaded
    matches: list[Match]
    english_fields: list[Field] = field(default_factory=list)
    other_fields: list[Field] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for m in self.matches if m.state == state)

    @property
    def pending(self) -> list[Match]:
        """Everything that is not current."""
        return [m for m in self.matches if m.state != CURRENT]


def reference(project: Project) -> str:
    """The reference language: the first in `edition.yaml`."""
    return project.edition.languages[0]


def translated_languages(project: Project) -> list[str]:
    return [code for code in project.edition.languages[1:] if code in project.languages]


def all_docs(project: Project) -> list[str]:
    """Documents a `--topic` option may name: the language files and every topic."""
    return docs_of(project.languages[reference(project)], project.topic_ids)


def language_status(project: Project, lang: str, docs: list[str] | None = None,
                    record: Record | None = None) -> list[DocStatus]:
    """Status of every document (or `docs`) of one language, in document order."""
    ref = reference(project)
    english_lang = project.languages[ref]
    other_lang = project.languages[lang]
    if record is None:
        record = load_record(project.root, lang, ref)
    result = []
    for doc in docs_of(english_lang, project.topic_ids):
        if docs is not None and doc not in docs:
            continue
        english = loaded_doc(english_lang, doc)
        other = loaded_doc(other_lang, doc)
        e_fields, o_fields = fields_of(doc, english.data), fields_of(doc, other.data)
        result.append(DocStatus(lang, doc, english, other, align(e_fields, o_fields, record.get(doc, [])),
                                e_fields, o_fields))
    return result


def problem(status: DocStatus, match: Match) -> Problem:
    """A non-current match as a located line: `file:line: field: message`."""
    english_at = ""
    if match.english is not None:
        english_at = f"{display_path(status.english.path)}:{status.english.line_of(match.english.path)}"
    if match.other is None:
        assert match.english is not None
        return Problem(status.english.path, status.english.line_of(match.english.path),
                       format_loc(match.english.path), f"missing in {status.lang}: not translated yet")
    where = (status.other.path, status.other.line_of(match.other.path), format_loc(match.other.path))
    if match.state == STALE:
        return Problem(*where, f"stale: its {reference_name(status)} changed since it was translated ({english_at})")
    if match.state == MISSING and is_placeholder(match.other.text):
        return Problem(*where, f"missing: still the placeholder of 'pipeline new'; translate {english_at}")
    if match.state == MISSING:
        return Problem(*where, f"missing: never accepted as a translation of {english_at}")
    return Problem(*where, f"obsolete: its {reference_name(status)} was deleted; remove it")


def reference_name(status: DocStatus) -> str:
    return status.english.path.parent.name


def counts(statuses: list[DocStatus]) -> dict[str, int]:
    return {state: sum(s.count(state) for s in statuses) for state in STATES}


def summary(lang: str, totals: dict[str, int]) -> str:
    """`fr: 2 stale, 1 missing`: the non-current counts of a language."""
    parts = [f"{totals[state]} {state}" for state in (STALE, MISSING, OBSOLETE) if totals[state]]
    return f"{lang}: {', '.join(parts)}"


def table(statuses: list[DocStatus]) -> list[str]:
    """The status table: one row per language and document, then a total per language."""
    header = ("language", "document", *STATES)
    rows: list[tuple[str, ...]] = [header]
    langs = list(dict.fromkeys(s.lang for s in statuses))
    for lang in langs:
        mine = [s for s in statuses if s.lang == lang]
        rows += [(lang, s.doc, *(str(s.count(state)) for state in STATES)) for s in mine]
        totals = counts(mine)
        rows.append((lang, "(total)", *(str(totals[state]) for state in STATES)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in
                      enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]


def details(statuses: list[DocStatus], diff: bool = False) -> list[str]:
    """One located line per field that is not current; with `diff`, then/now for stale fields
    and a note for current fields whose English moved (they need no translation)."""
    lines: list[str] = []
    for status in statuses:
        ref = reference_name(status)
        for match in status.matches:
            if match.state != CURRENT:
                lines.append(str(problem(status, match)))
            elif diff and match.moved and match.english is not None and match.other is not None:
                lines.append(f"{display_path(status.other.path)}:{status.other.line_of(match.other.path)}: "
                             f"{format_loc(match.other.path)}: note: moved in {ref} (now "
                             f"{format_loc(match.english.path)}); current, its place here is unchanged")
            if diff and match.state == STALE and match.entry is not None and match.english is not None:
                rows = [(f"{ref} then:", match.entry.source), (f"{ref} now:", match.english.text),
                        ("changes:", word_diff(match.entry.source, match.english.text)),
                        (f"{status.lang}:", match.other.text if match.other else "")]
                width = max(len(label) for label, _ in rows) + 1
                lines += [f"    {label.ljust(width)}{text}" for label, text in rows]
    return lines


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> str:
    """A word-level diff in git's style: `[-removed-]{+added+}`."""
    import difflib

    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"[-{''.join(a[i1:i2])}-]")
        if j2 > j1:
            out.append(f"{{+{''.join(b[j1:j2])}+}}")
    return "".join(out)


class TranslationsNotCurrent(PipelineError):
    """A final edition with stale, missing or obsolete translations: nothing is built."""

    def __init__(self, lines: list[str], langs: list[str]):
        count = len(lines)
        options = " ".join(f"--lang {lang}" for lang in langs)
        lines = [*lines, f"{count} translation{'s' if count != 1 else ''} not current: a final edition needs "
                 f"every language in step (see: pipeline translations {options} --diff)"]
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message


def check_build(project: Project, langs: list[str]) -> list[str]:
    """Warnings for the languages about to be built; raise for a final edition.

    A draft builds with one warning line per language that is not current; a `final`
    edition refuses, naming every field, because it must never print two languages
    that disagree.
    """
    warnings: list[str] = []
    problems: list[str] = []
    bad_langs: list[str] = []
    for lang, totals, lines in _not_current(project, langs):
        bad_langs.append(lang)
        warnings.append(f"warning: translations {summary(lang, totals)} (list them: pipeline translations "
                        f"--lang {lang})")
        problems += lines
    if problems and project.edition.status == "final":
        raise TranslationsNotCurrent(problems, bad_langs)
    return warnings


def pending_problems(project: Project, langs: list[str]) -> list[str]:
    """Every field of `langs` that is not current, one located line each (release gate)."""
    return [line for _, _, lines in _not_current(project, langs) for line in lines]


def _not_current(project: Project, langs: list[str]):
    """(lang, counts, located lines) for each of `langs` whose translations are not all current."""
    for lang in langs:
        if lang not in translated_languages(project):
            continue
        statuses = language_status(project, lang)
        totals = counts(statuses)
        if totals[CURRENT] != sum(totals.values()):
            yield lang, totals, [str(problem(s, m)) for s in statuses for m in s.pending]
