"""Anchors in the DOCX: which content field each text came from, for `pipeline review`.

A reviewer edits the DOCX in Word or LibreOffice with Track Changes on and sends it
back; `pipeline review` maps every change to the YAML field it belongs to. For that,
the DOCX says where each text came from, invisibly:

- every text of the document model that carries an `Origin` (a title, a paragraph, a
  list item, a table cell, a figure's alt text...) sits inside a *hidden bookmark*
  (Word hides bookmarks whose name starts with `_`, as it does its own `_Toc`) named
  `_F` + the fingerprint of the text as built + the document + the field's path, e.g.
  `_Fk3x9zq01s0b1lm2` (see `field_name`);
- generated text (labels such as "Key figure", the edition date, the contents, the
  ", p. 13" of cross-references, every header and footer line) sits inside an
  `_X<n>` bookmark: a change there is reported, never applied;
- `docProps/custom.xml` names the edition, language and document, the documents the
  anchors refer to, and a fingerprint of all the content.

Why bookmarks and not content controls (`w:sdt` with `w:tag`): LibreOffice Writer 7.4
keeps a bookmark's name through a DOCX round trip but drops the tag and alias of a
content control (tried: the control comes back as a bare `w:sdt`). Bookmarks also
change nothing for a reader: no box, no placeholder, nothing in the printout.

Word accepts bookmark names of at most 40 letters, digits and underscores, so a path
is written compactly: each YAML key as a letter (`KEY_CODES`), each index in digits
(`j` between two indexes in a row), e.g. ("sections", 0, "blocks", 1, "table", "rows",
4, 2) is `s0b1pn4j2`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pipeline.content.model import Document, Origin, Span, markup, origin_of
from pipeline.render.typography import strip_bidi_controls

FIELD_PREFIX, GENERATED_PREFIX = "_F", "_X"
FORMAT_VERSION = "1"
FINGERPRINT_LENGTH = 6
BOOKMARK_MAX = 40
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"

# Each key of a content file's path, as one letter (`z` starts the two-letter codes of
# the front matter's keys; `j` separates two indexes in a row).
KEY_CODES = {
    "title": "t", "lead": "d", "intro": "i", "sections": "s", "heading": "h", "blocks": "b",
    "subsections": "u", "list": "l", "items": "m", "focus": "f", "body": "y", "quote": "q",
    "text": "x", "attribution": "a", "source": "o", "key_figure": "k", "value": "v", "figure": "g",
    "alt": "e", "caption": "c", "credit": "r", "table": "p", "header": "w", "rows": "n",
    "subtitle": "zs", "organisation": "zo", "unit": "zu", "foreword": "zf", "contact": "zc",
}
_KEYS = {code: key for key, code in KEY_CODES.items()}
_PATH_TOKEN = re.compile(r"z[a-z]|[a-ik-y]|j?\d+")
_FIELD_NAME = re.compile(rf"{FIELD_PREFIX}(?P<fp>[0-9a-z]{{{FINGERPRINT_LENGTH}}})(?P<doc>[0-9a-z]{{2}})"
                         r"(?P<path>[0-9a-z]+)(?:_(?P<n>\d+))?")

# docProps/custom.xml: the names of our document properties.
PROPERTIES = {
    "format": "PipelineAnchors",
    "edition": "PipelineEdition",
    "language": "PipelineLanguage",
    "document": "PipelineDocument",
    "content": "PipelineContent",
    "sources": "PipelineSources",
}
# Word keeps at most 255 characters of a text property: longer values are split.
PROPERTY_MAX = 255
CUSTOM_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id Office gives user-defined properties.
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def text_markup(value: object) -> str:
    """A text of the model in our markup: an inline sequence with its emphasis and links,
    a plain text (a title, an alt text) as it is."""
    if isinstance(value, str):
        return markup((Span(str(value)),))
    return markup(value)  # type: ignore[arg-type]


def fingerprint(text: str) -> str:
    """Six base-36 digits of a text's SHA-256, directional isolates left out (the DOCX
    turns them into runs of their own, see docx_bidi)."""
    number = int.from_bytes(hashlib.sha256(strip_bidi_controls(text).encode()).digest()[:8], "big")
    digits = []
    for _ in range(FINGERPRINT_LENGTH):
        number, rest = divmod(number, 36)
        digits.append(_DIGITS36[rest])
    return "".join(digits)


def encode_path(path: tuple[str | int, ...]) -> str | None:
    """The compact form of a field's path, or None for a key without a code."""
    out, after_index = [], False
    for part in path:
        if isinstance(part, int):
            out.append(("j" if after_index else "") + str(part))
            after_index = True
        elif part in KEY_CODES:
            out.append(KEY_CODES[part])
            after_index = False
        else:
            return None
    return "".join(out)


def decode_path(code: str) -> tuple[str | int, ...] | None:
    """The path of a compact form (`s0b1pn4j2`), or None when it is not one."""
    tokens = _PATH_TOKEN.findall(code)
    if "".join(tokens) != code:
        return None
    path: list[str | int] = []
    for token in tokens:
        if token[0] in "j0123456789":
            path.append(int(token.lstrip("j")))
        elif token in _KEYS:
            path.append(_KEYS[token])
        else:
            return None
    return tuple(path)


def source_entry(origin: Origin) -> tuple[str, tuple[str | int, ...]]:
    """The entry of the document table (`PipelineSources`) and the path left for the
    bookmark name. A path with a key that has no code (a briefing pack's id in
    `_strings.yaml`: `packs.<id>.title`) keeps that part in the entry: `_strings:packs.<id>`."""
    unnamed = [i for i, part in enumerate(origin.path) if isinstance(part, str) and part not in KEY_CODES]
    if not unnamed:
        return origin.doc, origin.path
    cut = unnamed[-1] + 1
    return f"{origin.doc}:{'.'.join(map(str, origin.path[:cut]))}", origin.path[cut:]


def source_of(entry: str, path: tuple[str | int, ...]) -> tuple[str, tuple[str | int, ...]]:
    """The document and the whole path of a field, from its table entry and its bookmark's path."""
    doc, _, prefix = entry.partition(":")
    if not prefix:
        return doc, path
    return doc, (*(int(p) if p.isdigit() else p for p in prefix.split(".")), *path)


@dataclass(frozen=True)
class FieldAnchor:
    """What a field bookmark's name says: the fingerprint of the text as built, the index
    of its document in the `PipelineSources` property and the field's path."""

    fingerprint: str
    doc_index: int
    path: tuple[str | int, ...]


def field_name(anchor: FieldAnchor, occurrence: int = 1) -> str | None:
    """The bookmark name of a field (None when it cannot be written in 40 characters);
    a field shown twice (a chapter title as a related area) gets `_2`, `_3`..."""
    code = encode_path(anchor.path)
    if code is None or anchor.doc_index >= 36 * 36:
        return None
    doc = _DIGITS36[anchor.doc_index // 36] + _DIGITS36[anchor.doc_index % 36]
    name = f"{FIELD_PREFIX}{anchor.fingerprint}{doc}{code}" + (f"_{occurrence}" if occurrence > 1 else "")
    return name if len(name) <= BOOKMARK_MAX else None


def parse_field_name(name: str) -> FieldAnchor | None:
    """The anchor a bookmark name stands for, or None for any other bookmark."""
    match = _FIELD_NAME.fullmatch(name)
    if match is None:
        return None
    path = decode_path(match["path"])
    if path is None:
        return None
    doc = _DIGITS36.index(match["doc"][0]) * 36 + _DIGITS36.index(match["doc"][1])
    return FieldAnchor(match["fp"], doc, path)


def is_generated_name(name: str) -> bool:
    return re.fullmatch(rf"{GENERATED_PREFIX}\d+", name) is not None


class Anchors:
    """The anchors of one DOCX being built: bookmarks around runs, and what they cover.

    `next_id` gives bookmark ids unique in the document (shared with the renderer's
    own bookmarks).
    """

    def __init__(self, next_id: Callable[[], str]):
        self.next_id = next_id
        self.docs: list[str] = []
        self.names: Counter[str] = Counter()
        self.fingerprints: list[str] = []
        self.generated_count = 0

    def wrap(self, value: object, runs: list) -> list:
        """`runs` inside the anchor of `value`: its field's when it has an origin (see
        `model.origin_of`), else a generated one (a label, a date, a page number)."""
        if not runs:
            return runs
        origin = origin_of(value)
        name = self._field(origin, value) if origin is not None else None
        return self._bookmarked(name or self._generated_name(), runs)

    def generated(self, runs: list) -> list:
        """`runs` marked as generated text."""
        return self._bookmarked(self._generated_name(), runs) if runs else runs

    def _field(self, origin: Origin, value: object) -> str | None:
        entry, path = source_entry(origin)
        if entry not in self.docs:
            self.docs.append(entry)
        anchor = FieldAnchor(fingerprint(text_markup(value)), self.docs.index(entry), path)
        base = field_name(anchor)
        if base is None:
            return None
        self.names[base] += 1
        self.fingerprints.append(base)
        return field_name(anchor, self.names[base])

    def _generated_name(self) -> str:
        self.generated_count += 1
        return f"{GENERATED_PREFIX}{self.generated_count}"

    def _bookmarked(self, name: str, runs: list) -> list:
        # python-docx only here: `pipeline review` reads names and fingerprints without it.
        from pipeline.render.docx_fields import bookmark_marks

        start, end = bookmark_marks(self.next_id(), name)
        return [start, *runs, end]

    def properties(self, doc: Document) -> dict[str, str]:
        """The values of our document properties (docProps/custom.xml)."""
        kind = doc.kind if doc.kind == "handbook" else f"{doc.kind} {doc.chapters[0].topic_id}"
        values = {
            PROPERTIES["format"]: FORMAT_VERSION,
            PROPERTIES["edition"]: doc.meta.date.isoformat(),
            PROPERTIES["language"]: doc.meta.lang,
            PROPERTIES["document"]: kind,
            PROPERTIES["content"]: content_fingerprint(self.fingerprints),
        }
        chunks = _chunks(" ".join(self.docs))
        for i, chunk in enumerate(chunks, start=1):
            values[PROPERTIES["sources"] + (str(i) if i > 1 else "")] = chunk
        return values


def content_fingerprint(names: list[str]) -> str:
    """One hash of the names of every field anchor (each carries its text's fingerprint),
    whatever their order: it changes with any text, and with any anchor lost."""
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:16]


def _chunks(text: str) -> list[str]:
    """`text` (space-separated names) cut at spaces into values Word keeps whole."""
    chunks, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > PROPERTY_MAX:
            chunks.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*chunks, current] if current else chunks


def custom_properties_xml(values: dict[str, str]) -> bytes:
    """docProps/custom.xml holding `values` as text properties, in the order given."""
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{CUSTOM_PROPERTIES_NS}" xmlns:vt="{VT_NS}">{items}</Properties>').encode()


def add_custom_properties(document, values: dict[str, str]) -> None:
    """Add docProps/custom.xml to a python-docx document's package (related from the package)."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, custom_properties_xml(values), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)
