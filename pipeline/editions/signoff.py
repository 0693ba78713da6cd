"""Sign-off: who approved which text of each language, and whether it still stands.

`pipeline signoff --lang fr --by NAME [--role R] [--doc ID]...` appends a record to the
committed `content/signoffs.yaml` (read and checked with the content, schema
`pipeline.content.schema.SignOff`): the date, the fingerprint of every approved
document (`pipeline.content.fingerprints`), the language's fingerprint for a whole-
language sign-off, and the git commit of the signed text when it was committed (so the
status can show what changed since, word by word).

A document is *signed* while a sign-off's fingerprint for it is its fingerprint now,
*stale* once edited after its last sign-off, *unsigned* if never signed (a topic added
later). A language is signed off when every one of its documents is. The release
refuses a set whose languages are not (`gate_problems`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from pipeline.content import schema
from pipeline.content.fingerprints import document_names, language_fingerprint, language_fingerprints
from pipeline.content.loader import EDITION_FILE, SIGNOFF_FILE, format_loc
from pipeline.content.project import Project
from pipeline.editions import gitsource
from pipeline.editions.diff import CHANGED, UNCHANGED, DocChange, compare_language
from pipeline.editions.log import LOG_FILE
from pipeline.editions.sources import EditionText, from_git
from pipeline.errors import PipelineError, display_path
from pipeline.files.output import write_atomic

SIGNED, STALE, UNSIGNED = "signed", "stale", "unsigned"

HEADER = """\
# Sign-offs: who approved which text of each language, oldest first. Written by
# `pipeline signoff`; `pipeline signoff --status` shows what still stands. Commit it; do not edit it by hand.
"""
# The files of the content folder that record its history rather than make its text.
RECORD_FILES = (SIGNOFF_FILE, LOG_FILE)


@dataclass(frozen=True)
class DocState:
    """One document of one language: signed, stale or unsigned, and by which sign-off."""

    doc: str
    state: str
    signoff: schema.SignOff | None  # the current one if signed, the last covering it if stale


@dataclass(frozen=True)
class LanguageState:
    lang: str
    docs: list[DocState]

    @property
    def signed(self) -> bool:
        return all(d.state == SIGNED for d in self.docs)

    def of(self, state: str) -> list[DocState]:
        return [d for d in self.docs if d.state == state]


def signoff_path(project: Project) -> Path:
    return project.root / SIGNOFF_FILE


# --- recording ------------------------------------------------------------------------


def sign(project: Project, lang: str, by: str, role: str | None, docs: list[str] | None,
         today: dt.date | None = None) -> schema.SignOff:
    """Record that `by` approved `docs` (default: every document) of `lang` as they are now."""
    fingerprints = language_fingerprints(project, lang)
    unknown = [d for d in docs or [] if d not in fingerprints]
    if unknown:
        raise PipelineError(f"--doc {unknown[0]}: not a document of {lang}; choose from: {', '.join(fingerprints)}")
    chosen = list(dict.fromkeys(docs)) if docs else list(fingerprints)
    try:  # the record is checked as the content loader will check it, before it is written
        entry = schema.SignOff(
            lang=lang, by=by.strip(), role=(role or "").strip() or None, date=today or dt.date.today(),
            commit=_committed(project, lang, chosen),
            fingerprint=None if docs else language_fingerprint(fingerprints),
            documents={doc: fingerprints[doc] for doc in chosen})
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PipelineError(f"--{error['loc'][0]}: {str(error['msg']).removeprefix('Value error, ')}") from None
    _write(project, [*project.signoffs, entry])
    return entry


def _committed(project: Project, lang: str, docs: list[str]) -> str | None:
    """HEAD when the signed documents are as committed there, so their text can be found again."""
    repo = gitsource.find_repo(project.root)
    if repo is None:
        return None
    commit = gitsource.head(repo)
    files = {f"{lang}/{doc}.yaml" for doc in docs}
    if commit is None or files & set(gitsource.changed_paths(repo, project.root)):
        return None
    return commit


def _write(project: Project, signoffs: list[schema.SignOff]) -> None:
    data = schema.SignOffs(signoffs=signoffs).model_dump(mode="json", exclude_none=True)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9, default_flow_style=False)
    write_atomic(signoff_path(project), (HEADER + body).encode("utf-8"))


# --- status -------------------------------------------------------------------------------


def language_state(project: Project, lang: str) -> LanguageState:
    fingerprints = language_fingerprints(project, lang)
    mine = [s for s in project.signoffs if s.lang == lang]
    docs = []
    for doc, fp in fingerprints.items():
        current = [s for s in mine if s.documents.get(doc) == fp]
        covering = [s for s in mine if doc in s.documents]
        if current:
            docs.append(DocState(doc, SIGNED, current[-1]))
        elif covering:
            docs.append(DocState(doc, STALE, covering[-1]))
        else:
            docs.append(DocState(doc, UNSIGNED, None))
    return LanguageState(lang, docs)


def status_lines(project: Project, langs: list[str], diff: bool = True) -> list[str]:
    """`pipeline signoff --status`: per language, what is signed, stale (with what changed
    since, word by word, when the signed text is in git) and unsigned."""
    lines: list[str] = []
    old_texts: dict[str, EditionText] = {}
    for lang in langs:
        state = language_state(project, lang)
        signed = state.of(SIGNED)
        if state.signed:
            whole = [d.signoff for d in signed if d.signoff and d.signoff.fingerprint == language_fingerprint(
                language_fingerprints(project, lang))]
            who = _who(whole[-1]) if whole else "every document signed"
            lines.append(f"{lang}: signed off ({who})")
            continue
        lines.append(f"{lang}: not signed off: {len(signed)} signed, {len(state.of(STALE))} stale, "
                     f"{len(state.of(UNSIGNED))} unsigned")
        directory = project.languages[lang].directory
        for doc_state in state.docs:
            path = display_path(directory / f"{doc_state.doc}.yaml")
            if doc_state.state == UNSIGNED:
                lines.append(f"  {path}: unsigned: never signed off")
            elif doc_state.state == STALE:
                assert doc_state.signoff is not None
                lines.append(f"  {path}: stale: changed since {_who(doc_state.signoff)}")
                if diff:
                    lines += _stale_diff(project, lang, doc_state, old_texts)
    return lines


def _who(signoff: schema.SignOff) -> str:
    role = f", {signoff.role}" if signoff.role else ""
    return f"signed off by {signoff.by}{role} on {signoff.date.isoformat()}"


def _stale_diff(project: Project, lang: str, doc_state: DocState, cache: dict[str, EditionText]) -> list[str]:
    signoff = doc_state.signoff
    assert signoff is not None
    if signoff.commit is None:
        return ["      (no diff: the signed text was not committed when it was signed off)"]
    try:
        if signoff.commit not in cache:
            cache[signoff.commit] = from_git(project.root, signoff.commit)
        old = cache[signoff.commit].languages.get(lang, {})
    except PipelineError as exc:
        return [f"      (no diff: {exc.message})"]
    language = project.languages[lang]
    doc = doc_state.doc
    new_data = (language.files.get(doc) or language.sources[doc]).data
    (change,) = compare_language(lang, {doc: old.get(doc)}, {doc: new_data}, [doc])
    return field_lines(project, change, indent="      ")


def field_lines(project: Project, change: DocChange, indent: str = "    ") -> list[str]:
    """Each changed field of a document as a located line and its word diff."""
    if change.state not in (CHANGED, UNCHANGED):
        return []
    language = project.languages.get(change.lang)
    loaded = None
    if language is not None:
        loaded = language.files.get(change.doc) or language.sources.get(change.doc)
    lines = []
    for f in change.fields:
        where = display_path(loaded.path) if loaded else f"{change.lang}/{change.doc}.yaml"
        line = f":{loaded.line_of(f.path)}" if loaded else ""
        text = f.diff if f.state == CHANGED else (f.new.text if f.new else f.old.text if f.old else "")
        lines.append(f"{indent}{where}{line}: {format_loc(f.path)}: {f.state}: {text}")
    return lines


# --- the release gate -------------------------------------------------------------------------


def gate_problems(project: Project, langs: list[str], allow_unsigned: bool) -> list[str]:
    """One located line per released language that is not signed off.

    A final edition never goes out unsigned; `--allow-unsigned` is for a draft set only.
    """
    problems = []
    final = project.edition.status == "final"
    if allow_unsigned and final:
        line = project.edition_source.line_of(("status",)) if project.edition_source else 1
        problems.append(f"{display_path(project.root / EDITION_FILE)}:{line}: status: the edition is 'final'; "
                        "--allow-unsigned is for draft sets only: sign off every language (pipeline signoff)")
        allow_unsigned = False
    if allow_unsigned:
        return problems
    for lang in langs:
        state = language_state(project, lang)
        if state.signed:
            continue
        problems.append(f"{_location(project, lang)}: {lang}: not signed off: {_summary(state)}; sign it off: "
                        f"pipeline signoff --lang {lang} --by NAME"
                        + ("" if final else " (or pass --allow-unsigned for a draft set)"))
    return problems


def _location(project: Project, lang: str) -> str:
    source = project.signoffs_source
    path = display_path(signoff_path(project))
    indexes = [i for i, s in enumerate(project.signoffs) if s.lang == lang]
    if source is None or not indexes:
        return f"{path}:1"
    return f"{path}:{source.line_of(('signoffs', indexes[-1]))}"


def _summary(state: LanguageState, shown: int = 3) -> str:
    if not state.of(SIGNED) and not state.of(STALE):
        return "never signed off"
    parts = []
    for kind, words in ((STALE, "changed since signed off"), (UNSIGNED, "never signed off")):
        docs = [d.doc for d in state.of(kind)]
        if docs:
            more = f" and {len(docs) - shown} more" if len(docs) > shown else ""
            parts.append(f"{', '.join(docs[:shown])}{more} {words}")
    return "; ".join(parts)


def current_records(project: Project, langs: list[str]) -> list[schema.SignOff]:
    """The sign-offs that stand for the released languages, for the manifest and the log."""
    found = []
    for lang in langs:
        names = document_names(project.languages[lang], project.topic_ids)
        fingerprints = language_fingerprints(project, lang)
        found += [s for s in project.signoffs if s.lang == lang
                  and any(s.documents.get(d) == fingerprints[d] for d in names)]
    return found
