"""`pipeline changes`: what changed, per language and document, since an edition.

The edition to compare with (`--since`) is, in this order: a release set folder (its
snapshot, checked against its manifest), an edition of the editions log (the git commit
its record names, or else the release set beside the content, `dist/<set>`), or any
git commit, tag or branch. Without `--since`, the last edition of the log.

For each language: the documents added, removed and changed (each changed field with
its old and new text and a word diff), the documents unchanged, and for translated
languages the fields that translation status finds not in step with the reference
language (a French field whose English changed is *stale* though its own text is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.content.fingerprints import FRONT_DOC, STRINGS_DOC
from pipeline.content.project import Project
from pipeline.editions.diff import ADDED, CHANGED, REMOVED, UNCHANGED, DocChange, compare_language
from pipeline.editions.log import Edition, find, load_log, previous, where
from pipeline.editions.signoff import field_lines
from pipeline.editions.sources import MANIFEST, EditionText, current, from_git, from_set
from pipeline.errors import PipelineError, display_path


@dataclass
class LanguageChanges:
    lang: str
    docs: list[DocChange]
    # Translated languages: each field not in step with the reference language, located.
    translation: list[str] = field(default_factory=list)

    def of(self, *states: str) -> list[DocChange]:
        return [d for d in self.docs if d.state in states]


@dataclass
class Changes:
    base: EditionText
    now: EditionText
    languages: list[LanguageChanges]


# --- which edition -------------------------------------------------------------------------


def resolve_base(project: Project, since: str | None) -> EditionText:
    """The edition text `--since` names (see the module docstring)."""
    editions = load_log(project.root)
    if since is None:
        last = previous(editions)
        if last is None:
            raise PipelineError(f"{where(project.root)}: no edition recorded yet; compare with a git commit or "
                                "a release set: pipeline changes --since REF|DIR")
        return _edition_text(project, last)
    folder = Path(since)
    if folder.is_dir() and (folder / MANIFEST).is_file():
        return from_set(folder)
    edition = find(editions, since)
    if edition is not None:
        return _edition_text(project, edition)
    return from_git(project.root, since)


def _edition_text(project: Project, edition: Edition) -> EditionText:
    if edition.commit is not None:
        text = from_git(project.root, edition.commit, label=edition.name)
    else:
        folder = project.root.parent / "dist" / edition.set
        if not (folder / MANIFEST).is_file():
            raise PipelineError(f"{where(project.root)}: edition {edition.name} was released from content not "
                                f"committed to git; compare with its release set: --since DIR (dist/{edition.set})")
        text = from_set(folder)
    text.label, text.edition = edition.name, edition.name
    return text


# --- comparing ---------------------------------------------------------------------------------


def changes(project: Project, base: EditionText, langs: list[str]) -> Changes:
    """Every language of `langs`, today's content against `base`."""
    now = current(project)
    order = [*now.order, *(t for t in base.order if t not in now.order)]
    order = [STRINGS_DOC, FRONT_DOC, *order]
    result = []
    for lang in langs:
        docs = compare_language(lang, base.languages.get(lang, {}), now.languages.get(lang, {}), order)
        result.append(LanguageChanges(lang, docs, _translation(project, lang)))
    return Changes(base, now, result)


def _translation(project: Project, lang: str) -> list[str]:
    from pipeline.translations.status import language_status, problem, reference

    if lang == reference(project) or lang not in project.languages:
        return []
    return [str(problem(s, m)) for s in language_status(project, lang) for m in s.pending]


def title_of(project: Project, changes: Changes, lang: str, doc: str) -> str:
    """A document's title in its language: a topic's title (as it now is, or was), or the
    language's name for its labels or front matter."""
    language = project.languages.get(lang)
    if language is not None and doc in (STRINGS_DOC, FRONT_DOC):
        labels = language.strings.editions
        return labels.strings_doc if doc == STRINGS_DOC else labels.front_doc
    for text in (changes.now, changes.base):
        data: Any = text.languages.get(lang, {}).get(doc)
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            return data["title"]
    return doc


# --- output ----------------------------------------------------------------------------------


def heading(changes: Changes) -> str:
    base = changes.base
    commit = f", commit {base.commit[:12]}" if base.commit and base.commit[:12] not in base.label else ""
    return f"changes since {base.label}{commit}"


def text_lines(project: Project, changes: Changes) -> list[str]:
    """The report for a terminal: located lines, one per document and per changed field."""
    lines = [heading(changes)]
    for lc in changes.languages:
        lines.append("")
        counts = {state: len(lc.of(state)) for state in (CHANGED, ADDED, REMOVED, UNCHANGED)}
        lines.append(f"{lc.lang}: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
        directory = project.languages[lc.lang].directory if lc.lang in project.languages else Path(lc.lang)
        for change in lc.of(ADDED, REMOVED, CHANGED):
            path = display_path(directory / f"{change.doc}.yaml")
            title = title_of(project, changes, lc.lang, change.doc)
            count = f": {len(change.fields)} field{'s' if len(change.fields) != 1 else ''}" if change.fields else ""
            lines.append(f"  {path}: {change.state} ({title}){count}")
            lines += field_lines(project, change, indent="    ")
        unchanged = [c.doc for c in lc.of(UNCHANGED)]
        if unchanged:
            lines.append(f"  unchanged: {', '.join(unchanged)}")
        if lc.translation:
            lines.append(f"  translation not in step ({len(lc.translation)}):")
            lines += [f"    {line}" for line in lc.translation]
    return lines


def json_data(project: Project, changes: Changes) -> dict[str, Any]:
    """The report for tools: the same facts, structured."""
    base = changes.base
    out: dict[str, Any] = {"since": {"label": base.label, "edition": base.edition, "commit": base.commit},
                           "languages": {}}
    for lc in changes.languages:
        language = project.languages.get(lc.lang)
        docs = []
        for change in lc.of(ADDED, REMOVED, CHANGED):
            loaded = (language.files.get(change.doc) or language.sources.get(change.doc)) if language else None
            docs.append({
                "document": change.doc, "state": change.state,
                "title": title_of(project, changes, lc.lang, change.doc),
                "file": display_path(loaded.path) if loaded else None,
                "fields": [{"field": _dotted(f.path), "state": f.state,
                            "line": loaded.line_of(f.path) if loaded and f.new else None,
                            "old": f.old.text if f.old else None, "new": f.new.text if f.new else None,
                            "diff": f.diff} for f in change.fields]})
        out["languages"][lc.lang] = {"changed": docs, "unchanged": [c.doc for c in lc.of(UNCHANGED)],
                                     "translation_not_in_step": lc.translation}
    return out


def _dotted(path: tuple) -> str:
    from pipeline.content.loader import format_loc

    return format_loc(path)
