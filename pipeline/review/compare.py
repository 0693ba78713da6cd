"""A reviewed DOCX against today's content: what changed in which field, and what conflicts.

Order of work (`read_review`), everything read before anything is judged:

1. the package, defensively (`package.py`); its document properties must say the
   pipeline made it, for this edition and a language of it (else refused);
2. the body, every header and footer, and the comments, as streams of pieces
   (`reader.py`, `comments.py`), each piece given to its field (`mapping.py`);
3. per field (a field shown twice, such as a chapter title also listed as a related
   area, is judged once): the text as built is the anchor's fingerprint; today's YAML
   composed the same way tells whether the field changed since the DOCX was built
   (a *conflict* when the reviewer changed it too); the text with the changes
   rejected tells whether someone typed with Track Changes off (an *untracked change*).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.content.loader import Loc, format_loc
from pipeline.content.model import SourcedText, Span, markup, origin_of
from pipeline.content.project import Project
from pipeline.errors import display_path
from pipeline.render.compose import compose_handbook, compose_pack
from pipeline.render.docx_anchors import (
    FORMAT_VERSION,
    PROPERTIES,
    FieldAnchor,
    content_fingerprint,
    fingerprint,
    is_generated_name,
    parse_field_name,
    source_of,
    text_markup,
)
from pipeline.render.typography import strip_bidi_controls
from pipeline.review.comments import Comment, read_comments
from pipeline.review.mapping import Change, FieldText, map_stream, part_changes
from pipeline.review.package import FOOTER, HEADER, Package
from pipeline.review.reader import read_part
from pipeline.translations.fields import LANGUAGE_DOCS, loaded_doc

CHANGED, UNTRACKED, CONFLICT, REFUSED, COMMENTED = "changed", "untracked change", "conflict", "refused", "comments"
ALREADY = "already in the YAML"


@dataclass
class FieldReview:
    """What the review found in one field."""

    doc: str
    path: Loc
    file: Path
    line: int
    plain: bool  # a plain-text field (a title, an alt text): no emphasis, no links
    built: str  # the text the DOCX was built from (our markup, typography applied)
    original: str  # the text in the DOCX with every tracked change rejected
    accepted: str  # ... and accepted
    accepted_spans: tuple[Span, ...]
    state: str
    message: str = ""
    now: str | None = None  # for a conflict: the field's text in today's YAML
    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{display_path(self.file)}:{self.line}: {format_loc(self.path)}"

    def refuse(self, message: str) -> None:
        self.state, self.message = REFUSED, message


@dataclass
class Review:
    name: str
    edition: str
    lang: str
    document: str
    fields: list[FieldReview]
    generated: list[Change]
    outside: list[Change]
    loose_comments: list[Comment]
    warnings: list[str]

    @property
    def to_apply(self) -> list[FieldReview]:
        return [f for f in self.fields if f.state in (CHANGED, UNTRACKED)]


def read_review(project: Project, path: Path, lang: str | None = None) -> Review:
    """Everything a reviewed DOCX says, against today's content; ReviewError if refused."""
    package = Package(path)
    try:
        props = package.custom_properties()
        doc_lang, docs = _identity(project, package, props, lang)
        body = read_part(package, package.main, _is_anchor)
        mapped = map_stream(body, _is_field)
        generated = list(mapped.generated)
        for part in [*package.related(HEADER), *package.related(FOOTER)]:
            generated += part_changes(read_part(package, part, _is_anchor))
        comments = read_comments(package)
    finally:
        package.close()
    current = current_texts(project, doc_lang)
    fields = _judge(project, doc_lang, docs, mapped.fields, comments, current, package)
    warnings = []
    if _content_print(body.bookmarks_seen) != props.get(PROPERTIES["content"]):
        warnings.append(f"{package.name}: some anchors are missing or were renamed (text deleted with Track "
                        "Changes off?); changes there are reported as outside any field")
    loose = [comments[i] for i in mapped.loose_comments if i in comments and comments[i].parent is None]
    return Review(package.name, props[PROPERTIES["edition"]], doc_lang, props.get(PROPERTIES["document"], ""),
                  fields, generated, mapped.outside, loose, warnings)


def _is_anchor(name: str) -> bool:
    return name.startswith("_F") or is_generated_name(name)


def _is_field(name: str | None) -> bool:
    return name is not None and name.startswith("_F")


def _base(name: str) -> str:
    """An anchor's name without its occurrence number (`_2` on a field shown twice)."""
    return name.rsplit("_", 1)[0] if name.count("_") > 1 else name


def _content_print(names: list[str]) -> str:
    """The content fingerprint of the field anchors found (see `Anchors.content_fingerprint`)."""
    return content_fingerprint([_base(name) for name in names if _is_field(name)])


def _identity(project: Project, package: Package, props: dict[str, str], lang: str | None) -> tuple[str, list[str]]:
    """The DOCX's language and the documents its anchors name; refused unless it is ours,
    of this edition, and in a language of it."""
    if props.get(PROPERTIES["format"]) is None:
        raise package.refused("it was not made by the pipeline (no PipelineAnchors document property); "
                              "review a DOCX built by 'pipeline build' or a release")
    if props[PROPERTIES["format"]] != FORMAT_VERSION:
        raise package.refused(f"its anchors are in format {props[PROPERTIES['format']]!r}, "
                              f"this pipeline reads format {FORMAT_VERSION!r}")
    edition = props.get(PROPERTIES["edition"], "")
    ours = project.edition.edition_date.isoformat()
    if edition != ours:
        raise package.refused(f"it was built for the edition of {edition or '(none)'}; the content is the "
                              f"edition of {ours}")
    doc_lang = props.get(PROPERTIES["language"], "")
    if doc_lang not in project.languages:
        raise package.refused(f"it is in '{doc_lang}', not a language of this edition "
                              f"({', '.join(project.edition.languages)})")
    if lang is not None and doc_lang != lang:
        raise package.refused(f"it is in '{doc_lang}', not '{lang}'")
    sources = " ".join(value for name, value in sorted(props.items()) if name.startswith(PROPERTIES["sources"]))
    docs = sources.split()
    language = project.languages[doc_lang]
    unknown = [d for d in docs if d.partition(":")[0] not in LANGUAGE_DOCS
               and d.partition(":")[0] not in language.topics]
    if unknown:
        raise package.refused(f"it holds text of {', '.join(unknown)}, not in the {doc_lang} content")
    return doc_lang, docs


def current_texts(project: Project, lang: str) -> dict[tuple[str, Loc], object]:
    """Every sourced text of the language as built today, by (document, path)."""
    found: dict[tuple[str, Loc], object] = {}

    def walk(value: object) -> None:
        origin = origin_of(value)
        if origin is not None:
            found.setdefault((origin.doc, origin.path), value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)

    walk(compose_handbook(project, lang))
    for pack_id in project.pack_ids:  # a pack's title, subtitle and foreword are its own
        walk(compose_pack(project, lang, pack_id))
    return found


def _judge(project: Project, lang: str, docs: list[str], texts: dict[str, FieldText],
           comments: dict[str, Comment], current: dict[tuple[str, Loc], object], package: Package
           ) -> list[FieldReview]:
    groups: dict[tuple[str, Loc], list[tuple[FieldAnchor, FieldText]]] = {}
    for name, text in texts.items():
        anchor = parse_field_name(_base(name))
        if anchor is None or anchor.doc_index >= len(docs):
            continue
        groups.setdefault(source_of(docs[anchor.doc_index], anchor.path), []).append((anchor, text))
    language = project.languages[lang]
    out = []
    for (doc, path), occurrences in groups.items():
        loaded = loaded_doc(language, doc)
        now = current.get((doc, path))
        review = _field(doc, path, loaded.path, loaded.line_of(path), occurrences, now)
        review.comments = [comments[i] for _, t in occurrences for i in t.comments
                           if i in comments and comments[i].parent is None]
        if review.state or review.comments:
            review.state = review.state or COMMENTED
            out.append(review)
    return out


def _field(doc: str, path: Loc, file: Path, line: int, occurrences: list[tuple[FieldAnchor, FieldText]],
           now: object | None) -> FieldReview:
    """One field judged from its occurrences in the DOCX and its text today (None: gone)."""
    built_print = occurrences[0][0].fingerprint
    plain = isinstance(now, SourcedText) or now is None
    views = [(_markup(t.original, plain), _markup(t.accepted, plain), t) for _, t in occurrences]
    changed = [v for v in views if v[1] != v[0] or fingerprint(v[0]) != built_print] or views[:1]
    original, accepted, text = changed[0]
    now_markup = strip_bidi_controls(text_markup(now)) if now is not None else None
    built = now_markup if now_markup is not None and fingerprint(now_markup) == built_print else original
    review = FieldReview(doc, path, file, line, plain, built, original,
                         accepted, tuple(text.accepted), "", changes=[c for _, t in occurrences for c in t.changes])
    if accepted == built and fingerprint(original) == built_print:
        return review
    if len({v[1] for v in changed}) > 1:
        review.refuse("shown in several places and changed differently in them: change it in one place only")
    elif now_markup == accepted:
        review.state = ALREADY  # applied before (the same DOCX reviewed twice)
    elif now_markup is None or fingerprint(now_markup) != built_print:
        review.state, review.now = CONFLICT, now_markup
        review.message = ("changed in the YAML since this DOCX was built" if now_markup is not None
                          else "no longer in the YAML")
    else:
        review.state = UNTRACKED if fingerprint(original) != built_print else CHANGED
    return review


def _markup(spans: list[Span], plain: bool) -> str:
    """Spans in our markup; a plain-text field's link is the renderer's (the contact's
    mailto:), not part of its text."""
    if plain:
        spans = [Span(s.text, s.bold, s.italic) for s in spans]
    return strip_bidi_controls(markup(tuple(spans)))
