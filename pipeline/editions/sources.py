"""An edition's whole text as data, wherever it is kept.

`EditionText` holds, per language, the parsed data of each document (`_strings`,
`_frontmatter`, topic ids) and the topics' edition order. It comes from today's
content (`current`), from a git commit (`from_git`: one `git archive`, parsed in memory)
or from a release set's snapshot (`from_set`, checked against the set's manifest), so
`pipeline changes` compares any two of them the same way.

Old content is parsed, not validated: an edition made under an older schema must still
be comparable, and the comparison needs only its text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.content.fingerprints import FRONT_DOC, STRINGS_DOC, document_data, fingerprint
from pipeline.content.loader import EDITION_FILE, FRONT_FILE, STRINGS_FILE
from pipeline.content.project import Project
from pipeline.editions import gitsource
from pipeline.errors import PipelineError, display_path
from pipeline.render.compose import date_label

SNAPSHOT = "snapshot.json"
MANIFEST = "manifest.json"


@dataclass
class EditionText:
    """The text of an edition: documents' data per language, topics in edition order."""

    label: str  # how messages name it: an edition date, a commit, a release set
    order: list[str]
    languages: dict[str, dict[str, Any]]
    commit: str | None = None
    edition: str | None = None  # the edition date, when known
    edition_label: dict[str, str] = field(default_factory=dict)  # per language, e.g. "November 2026"

    def fingerprints(self, lang: str) -> dict[str, str]:
        return {doc: fingerprint(data) for doc, data in self.languages.get(lang, {}).items()}


def current(project: Project) -> EditionText:
    """Today's content, as loaded and validated."""
    languages = {code: document_data(language, project.topic_ids) for code, language in project.languages.items()}
    return EditionText("now", list(project.topic_ids), languages, edition=project.edition.edition_date.isoformat())


def from_git(content: Path, ref: str, label: str | None = None) -> EditionText:
    """The content folder at a git commit (`ref`: a commit, tag or branch)."""
    repo = gitsource.find_repo(content)
    if repo is None:
        raise PipelineError(f"{display_path(content)} is not in a git repository: compare with a release set "
                            "instead (--since dist/<edition>)")
    commit = gitsource.resolve(repo, ref)
    files = gitsource.yaml_files(repo, commit)
    edition = _parse(files.get(EDITION_FILE), f"{ref}:{EDITION_FILE}") or {}
    order = [t.get("id") for t in edition.get("topics", []) if isinstance(t, dict)]
    languages: dict[str, dict[str, Any]] = {}
    for name in sorted(files):
        parts = name.split("/")
        if len(parts) != 2 or parts[1] != STRINGS_FILE:
            continue
        lang = parts[0]
        docs = {STRINGS_DOC: _parse(files[name], f"{ref}:{name}"),
                FRONT_DOC: _parse(files.get(f"{lang}/{FRONT_FILE}"), f"{ref}:{lang}/{FRONT_FILE}")}
        topics = {n.split("/")[1].removesuffix(".yaml"): n for n in files
                  if n.startswith(f"{lang}/") and n.count("/") == 1 and not n.split("/")[1].startswith("_")}
        for topic in [*(t for t in order if t in topics), *sorted(t for t in topics if t not in order)]:
            docs[topic] = _parse(files[topics[topic]], f"{ref}:{topics[topic]}")
        languages[lang] = docs
    date = edition.get("edition_date")
    return EditionText(label or ref, order, languages, commit=commit,
                       edition=date.isoformat() if hasattr(date, "isoformat") else None)


def _parse(data: bytes | None, where: str) -> Any:
    if data is None:
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data.decode("utf-8"), Loader=loader)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PipelineError(f"{where}: cannot read the old content: {exc}") from None


# --- release set snapshots -------------------------------------------------------------


def snapshot(project: Project, langs: list[str]) -> bytes:
    """The text of the released languages as JSON, for a release set (`snapshot.json`).

    With the set's manifest (which hashes it) it lets `pipeline changes` compare with this
    edition where the content is not kept in git. Deterministic: same content, same bytes.
    """
    text = current(project)
    data = {"edition": project.edition.edition_date.isoformat(), "order": text.order,
            "edition_label": {lang: date_label(project.languages[lang].strings, project.edition.edition_date)
                              for lang in langs},
            "languages": {lang: text.languages[lang] for lang in langs}}
    return (json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


def from_set(set_dir: Path) -> EditionText:
    """The text a release set was made from: its snapshot, checked against its manifest."""
    manifest_path = set_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{display_path(manifest_path)}: cannot read the manifest: {exc}") from None
    path = set_dir / SNAPSHOT
    if SNAPSHOT not in listed or not path.is_file():
        raise PipelineError(f"{display_path(set_dir)}: this release set has no {SNAPSHOT} (made before releases "
                            "kept their text); compare with a git commit instead")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != listed[SNAPSHOT]:
        raise PipelineError(f"{display_path(path)}: changed since the release (its SHA-256 is not the manifest's)")
    try:
        loaded = json.loads(data)
        return EditionText(display_path(set_dir), list(loaded["order"]), dict(loaded["languages"]),
                           commit=manifest.get("commit"), edition=loaded["edition"],
                           edition_label=dict(loaded.get("edition_label", {})))
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{display_path(path)}: not a snapshot of a release: {exc}") from None
