"""Content fingerprints and the sign-offs that are still current.

A *document* of a language is one of its YAML files: `_strings`, `_frontmatter` or a
topic id. Its fingerprint is the SHA-256 of its parsed data (keys sorted), so a change
of comments, quoting or line wrapping changes nothing, and any change of text or
settings does. A whole language's fingerprint hashes its documents' fingerprints by
name. The editions log, the release manifest and the sign-off records store these;
a sign-off is *current* for a document while that document's fingerprint is the one
it approved (`pipeline.editions.signoff` writes the records and reports their state).

Pictures are files of their own: a document's fingerprint covers the digest of each
picture it shows, in the language's version, so replacing a picture invalidates a
sign-off as an edit of the text would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pipeline.content import model, schema
from pipeline.content.loader import FRONT_FILE, STRINGS_FILE
from pipeline.content.project import Language, Project

STRINGS_DOC = STRINGS_FILE.removesuffix(".yaml")
FRONT_DOC = FRONT_FILE.removesuffix(".yaml")


def fingerprint(data: Any, pictures: Mapping[str, str] | None = None) -> str:
    """SHA-256 of parsed YAML data (and the digests of the pictures it shows, by name)."""
    payload: Any = data if not pictures else {"data": data, "pictures": dict(sorted(pictures.items()))}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def language_fingerprint(documents: Mapping[str, str]) -> str:
    """One fingerprint for every document of a language (name -> fingerprint)."""
    return fingerprint(dict(documents))


def document_names(language: Language, order: Iterable[str]) -> list[str]:
    """A language's documents: strings, front matter, then its topics in edition order."""
    return [STRINGS_DOC, FRONT_DOC, *(topic for topic in order if topic in language.sources)]


def document_data(language: Language, order: Iterable[str]) -> dict[str, Any]:
    """The parsed data of each document of a language, by name, in document order."""
    return {doc: (language.files[doc] if doc in language.files else language.sources[doc]).data
            for doc in document_names(language, order)}


_CACHE: dict[int, tuple[Language, dict[str, str]]] = {}


def language_fingerprints(project: Project, lang: str) -> dict[str, str]:
    """Each document of a language with its fingerprint (computed once per loaded language)."""
    language = project.languages[lang]
    cached = _CACHE.get(id(language))
    if cached is not None and cached[0] is language:
        return cached[1]
    result = {doc: fingerprint(data, _pictures(project, lang, data))
              for doc, data in document_data(language, project.topic_ids).items()}
    if len(_CACHE) >= 16:
        _CACHE.clear()
    _CACHE[id(language)] = (language, result)
    return result


def _pictures(project: Project, lang: str, data: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for src in _figure_sources(data):
        asset = project.assets.get((lang, src))
        if asset is not None:
            found[src] = asset.digest
    return found


def _figure_sources(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        figure = value.get("figure")
        if isinstance(figure, dict) and isinstance(figure.get("src"), str):
            yield figure["src"]
        for item in value.values():
            yield from _figure_sources(item)
    elif isinstance(value, list):
        for item in value:
            yield from _figure_sources(item)


# --- sign-offs -----------------------------------------------------------------------


def is_current(signoff: schema.SignOff, fingerprints: Mapping[str, str], docs: Iterable[str]) -> bool:
    """Whether `signoff` covers some of `docs` and approved the text each of them has now."""
    covered = [doc for doc in docs if doc in signoff.documents]
    return bool(covered) and all(signoff.documents[doc] == fingerprints.get(doc) for doc in covered)


def current_signoffs(project: Project, lang: str, docs: Iterable[str] | None = None) -> list[schema.SignOff]:
    """The sign-offs of `lang` still current for `docs` (default: every document), oldest first."""
    fingerprints = language_fingerprints(project, lang)
    wanted = list(fingerprints) if docs is None else list(docs)
    return [s for s in project.signoffs if s.lang == lang and is_current(s, fingerprints, wanted)]


def approvals(project: Project, lang: str, docs: Iterable[str],
              line: Callable[[schema.SignOff], str]) -> tuple[model.Approval, ...]:
    """The current sign-offs bearing on a document made of `docs`, for its model;
    `line` words each one for the imprint ("Approved: Reviser, 2026-11-20")."""
    whole = language_fingerprint(language_fingerprints(project, lang))
    return tuple(
        model.Approval(by=s.by, role=s.role, date=s.date,
                       fingerprint=s.fingerprint or language_fingerprint(s.documents),
                       whole_language=s.fingerprint == whole, line=line(s))
        for s in current_signoffs(project, lang, docs))
