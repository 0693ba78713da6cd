"""What a release set says of the edition's history.

The release calls these: `manifest_record` (content fingerprints, git commit and
sign-offs, for manifest.json and the editions log), `readme_notes` (README.txt's "What
changed since <edition>" list and the sign-offs, per language, in its words), and
`record_release` (the editions log entry of a final release). The text snapshot a set
keeps is `pipeline.editions.sources.snapshot`.
"""

from __future__ import annotations

from typing import Any

from pipeline.content.fingerprints import language_fingerprint, language_fingerprints
from pipeline.content.project import Project
from pipeline.editions import gitsource
from pipeline.editions.changes import Changes, changes, resolve_base, title_of
from pipeline.editions.diff import ADDED, CHANGED, REMOVED
from pipeline.editions.log import Edition, LanguageRecord, SignOffRecord, load_log, previous, record
from pipeline.editions.signoff import RECORD_FILES, current_records
from pipeline.errors import PipelineError
from pipeline.render.compose import date_label, reference_code


def content_commit(project: Project) -> str | None:
    """The last commit that changed the content, when the content is exactly as committed
    there (its record files aside); None outside git or with uncommitted changes."""
    repo = gitsource.find_repo(project.root)
    if repo is None:
        return None
    if [p for p in gitsource.changed_paths(repo, project.root) if p not in RECORD_FILES]:
        return None
    return gitsource.last_commit(repo, RECORD_FILES)


def manifest_record(project: Project, langs: list[str], commit: str | None) -> dict[str, Any]:
    """The edition's record for manifest.json: the text's commit, fingerprints, sign-offs."""
    content = {}
    for lang in langs:
        documents = language_fingerprints(project, lang)
        content[lang] = {"fingerprint": language_fingerprint(documents), "documents": dict(documents)}
    signoffs = [s.model_dump(mode="json", exclude_none=True, include={"lang", "by", "role", "date", "fingerprint"})
                for s in current_records(project, langs)]
    return {"commit": commit, "content": content, "signoffs": signoffs}


def record_release(project: Project, set_name: str, data: dict[str, Any]) -> None:
    """Add a final release to the editions log (content/editions.yaml); `data` is its
    `manifest_record`."""
    references = {"handbook": reference_code(project, "handbook"),
                  **{topic: reference_code(project, "factsheet", topic) for topic in project.topic_ids}}
    record(project.root, Edition(
        edition=project.edition.edition_date, set=set_name, commit=data["commit"], references=references,
        languages={lang: LanguageRecord(**value) for lang, value in data["content"].items()},
        signoffs=[SignOffRecord(lang=s["lang"], by=s["by"], role=s.get("role"), date=s["date"])
                  for s in data["signoffs"]]))


def history(project: Project, langs: list[str]) -> tuple[Edition | None, Changes | None]:
    """The last edition released before this one, and what changed since (None when its
    text cannot be found: then the README says nothing of it)."""
    before = previous(load_log(project.root), project.edition.edition_date.isoformat())
    if before is None:
        return None, None
    try:
        return before, changes(project, resolve_base(project, before.name), langs)
    except PipelineError:
        return before, None


def readme_notes(project: Project, lang: str, before: Edition | None, since: Changes | None) -> list[str]:
    """README.txt lines for one language: what changed since the last edition, who signed off."""
    labels = project.languages[lang].strings.editions
    lines: list[str] = []
    if before is None:
        lines.append(labels.first_edition)
    elif since is not None:
        # Separators are the language-neutral middle dot: the labels carry all words and punctuation.
        lines.append(labels.since.format(edition=date_label(project.languages[lang].strings, before.edition)))
        found = next(lc for lc in since.languages if lc.lang == lang)
        shown = found.of(ADDED, REMOVED, CHANGED)
        words = {ADDED: labels.added, REMOVED: labels.removed}
        for change in shown:
            state = words.get(change.state) or labels.changed.format(count=len(change.fields))
            lines.append(f"  {title_of(project, since, lang, change.doc)} · {state}")
        if not shown:
            lines.append(f"  {labels.unchanged}")
    for s in current_records(project, [lang]):
        who = f"{s.by} ({s.role})" if s.role else s.by
        lines.append(labels.signed.format(by=who, date=s.date.isoformat()))
    return lines
