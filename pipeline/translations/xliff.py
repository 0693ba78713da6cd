"""XLIFF 2.0 for translators: write one unit per field, read the targets back, safely.

Export: one `<file>` per document (`original` is the translated YAML file), one
`<unit>` per English field, its id the field's path (`sections.0.blocks.1`), with
the English as `<source>`, the current translation as `<target>` and the status as
the XLIFF 2 segment `state` (`final` when current, `initial` when stale or missing,
with `subState` `briefings:stale` / `briefings:missing`). Notes carry the English
the translation was made from (`category="previous-source"`, stale units) and the
glossary terms that occur in the unit (`category="glossary"`).

Texts are the YAML texts as typed (plain spaces; typography is applied at build
time). Emphasis is an inline code, not asterisks: `*x*` is `<pc subType="xlf:i">x</pc>`,
`**x**` is `<pc subType="xlf:b">`, and a label placeholder such as `{page}` is
`<ph disp="{page}"/>`, so a CAT tool protects them. A link `[text](url)` is a
`<pc type="link">` around its text whose native code, with the URL, is kept in the
unit's `<originalData>` (`dataRefStart` `[`, `dataRefEnd` `](url)`): the translator
translates the text and cannot touch the address. A translated link keeps the URL
of its English link (by its code id); a translation with another URL than its
English can round-trip unchanged, but not be edited through XLIFF.

Reading parses with defusedxml and refuses any DOCTYPE: XLIFF needs none, and one is
how entity expansion ("billion laughs") and external entities (`file:///etc/passwd`)
get in.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from pipeline.content.model import Span
from pipeline.errors import PipelineError
from pipeline.render.typography import parse_inline

NS = "urn:oasis:names:tc:xliff:document:2.0"
SUBSTATE_PREFIX = "briefings"
_Q = f"{{{NS}}}"
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_SUBTYPES = {"xlf:b": "bold", "xlf:i": "italic"}
TRANSLATED_STATES = ("translated", "reviewed", "final")


class XliffError(PipelineError):
    """An XLIFF file that cannot be imported; the message is one line per problem."""


# --- inline codes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """One inline code of a unit's source: emphasis or a link (`pc`), or a placeholder (`ph`)."""

    id: str
    element: str  # "pc" | "ph"
    style: str = ""  # "bold" | "italic" | "link" for pc
    text: str = ""  # the placeholder itself for ph, the URL for a link

    @property
    def key(self) -> tuple[str, str]:
        """What makes two codes the same code: a link is its address."""
        return self.element, f"link:{self.text}" if self.style == "link" else (self.style or self.text)


def source_xml(text: str) -> tuple[str, dict[str, Code]]:
    """A YAML text as XLIFF inline content, and the codes it uses by id."""
    codes: dict[str, Code] = {}
    out: list[str] = []
    spans = parse_inline(text)
    i = 0
    while i < len(spans):
        href = spans[i].href
        if href is None:
            out.append(_emphasis_xml(spans[i], codes))
            i += 1
            continue
        link = Code(str(len(codes) + 1), "pc", "link", href)
        codes[link.id] = link
        inner = []
        while i < len(spans) and spans[i].href == href:
            inner.append(_emphasis_xml(spans[i], codes))
            i += 1
        out.append(f'<pc id="{link.id}" type="link" dataRefStart="{_data_id(link.id, "s")}" '
                   f'dataRefEnd="{_data_id(link.id, "e")}">{"".join(inner)}</pc>')
    return "".join(out), codes


def _emphasis_xml(span: Span, codes: dict[str, Code]) -> str:
    if span.bold or span.italic:
        code = Code(str(len(codes) + 1), "pc", "bold" if span.bold else "italic")
        codes[code.id] = code
        sub = "xlf:b" if span.bold else "xlf:i"
        return f'<pc id="{code.id}" type="fmt" subType="{sub}">{escape(span.text)}</pc>'
    return _with_placeholders(span.text, codes)


def _data_id(code_id: str, end: str) -> str:
    return f"d{code_id}{end}"


def original_data(*code_sets: dict[str, Code]) -> list[tuple[str, str]]:
    """The `<originalData>` entries (id, native code) of the links among `code_sets`."""
    entries: dict[str, str] = {}
    for codes in code_sets:
        for code in codes.values():
            if code.style == "link":
                entries[_data_id(code.id, "s")] = "["
                entries[_data_id(code.id, "e")] = f"]({code.text})"
    return list(entries.items())


def declared_codes(element: ET.Element, data: dict[str, str]) -> dict[str, Code]:
    """The inline codes an element itself declares (for a source we cannot match by id);
    a link's address comes from the unit's original data."""
    codes = {}
    for child in element.iter():
        tag = child.tag.rsplit("}", 1)[-1]
        ident = child.get("id", "")
        if tag == "pc" and child.get("type") == "link":
            native = re.fullmatch(r"\]\((.*)\)", data.get(child.get("dataRefEnd", ""), ""))
            codes[ident] = Code(ident, "pc", "link", native.group(1) if native else "")
        elif tag == "pc":
            codes[ident] = Code(ident, "pc", _SUBTYPES.get(child.get("subType", ""), ""))
        elif tag == "ph":
            codes[ident] = Code(ident, "ph", text=child.get("equiv") or "")
    return codes


def _with_placeholders(text: str, codes: dict[str, Code]) -> str:
    out: list[str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        out.append(escape(text[pos : match.start()]))
        code = Code(str(len(codes) + 1), "ph", text=match.group())
        codes[code.id] = code
        out.append(f'<ph id="{code.id}" type="other" disp={quoteattr(code.text)} equiv={quoteattr(code.text)}/>')
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def markup_of(element: ET.Element, codes: dict[str, Code]) -> str:
    """A `<source>` or `<target>` element back as YAML text; ValueError names a broken code."""
    seen: list[str] = []
    spans: list[Span] = []
    _collect(element, codes, seen, spans, None, None)
    missing = [i for i in codes if i not in seen]
    if missing:
        raise ValueError(f"inline code {', '.join(missing)} missing")
    text = _markup(spans)
    expected = [s for s in spans if s.text]
    if _merge(parse_inline(text)) != _merge(tuple(expected)):
        if any("*" in s.text for s in spans):
            raise ValueError("'*' in the text would read as emphasis")
        raise ValueError("'[...](...)' in the text would read as a link")
    return text


def _collect(element: ET.Element, codes: dict[str, Code], seen: list[str], spans: list[Span],
             style: str | None, href: str | None) -> None:
    def add(text: str | None) -> None:
        if text:
            spans.append(Span(text, bold=style == "bold", italic=style == "italic", href=href))

    add(element.text)
    for child in element:
        tag = child.tag.removeprefix(_Q)
        code_id = child.get("id", "")
        if tag == "mrk":  # an annotation a CAT tool may add: keep its text
            _collect(child, codes, seen, spans, style, href)
        elif tag not in ("pc", "ph") or code_id not in codes or codes[code_id].element != tag:
            raise ValueError(f"unknown inline code <{tag} id='{code_id}'>")
        elif code_id in seen:
            raise ValueError(f"inline code {code_id} used twice")
        elif tag == "ph":
            seen.append(code_id)
            add(codes[code_id].text)
        elif codes[code_id].style == "link":
            if href is not None or child.get("type") != "link":
                raise ValueError(f"inline code {code_id} changed or nested in another link")
            seen.append(code_id)
            _collect(child, codes, seen, spans, style, codes[code_id].text)
        else:
            if style is not None:
                raise ValueError(f"inline code {code_id} nested in another")
            if _SUBTYPES.get(child.get("subType", "")) != codes[code_id].style:
                raise ValueError(f"inline code {code_id} changed its formatting")
            seen.append(code_id)
            _collect(child, codes, seen, spans, codes[code_id].style, href)
        add(child.tail)


def _markup(spans: list[Span]) -> str:
    """Spans as YAML text: emphasis in stars, the spans of one link in `[...](url)`."""
    out: list[str] = []
    i = 0
    while i < len(spans):
        href = spans[i].href
        j = i + 1
        while href is not None and j < len(spans) and spans[j].href == href:
            j += 1
        inner = "".join(_span_markup(s) for s in spans[i:j])
        out.append(inner if href is None else f"[{inner}]({href})")
        i = j
    return "".join(out)


def _span_markup(span: Span) -> str:
    if span.bold:
        return f"**{span.text}**"
    return f"*{span.text}*" if span.italic else span.text


def _merge(spans: tuple[Span, ...]) -> list[tuple[str, bool, bool, str | None]]:
    """Spans with neighbours of the same style and link joined, for comparing two parses."""
    merged: list[tuple[str, bool, bool, str | None]] = []
    for s in spans:
        if merged and merged[-1][1:] == (s.bold, s.italic, s.href):
            merged[-1] = (merged[-1][0] + s.text, s.bold, s.italic, s.href)
        else:
            merged.append((s.text, s.bold, s.italic, s.href))
    return merged


# --- writing ---------------------------------------------------------------------------


@dataclass
class Unit:
    """One unit to export."""

    id: str
    source: str
    target: str | None
    state: str  # XLIFF state
    sub_state: str
    notes: list[tuple[str, str]] = field(default_factory=list)  # (category, text)


@dataclass
class FileUnits:
    """One `<file>`: a document and its units."""

    id: str
    original: str
    units: list[Unit]


def write_xliff(src_lang: str, trg_lang: str, files: list[FileUnits]) -> str:
    """The XLIFF 2.0 document; written by hand so inline content keeps its exact whitespace."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<xliff xmlns="{NS}" version="2.0" srcLang={quoteattr(src_lang)} trgLang={quoteattr(trg_lang)}>']
    for f in files:
        lines.append(f'  <file id={quoteattr(f.id)} original={quoteattr(f.original)} canResegment="no">')
        for unit in f.units:
            lines.append(f'    <unit id={quoteattr(unit.id)} xml:space="preserve">')
            if unit.notes:
                lines.append("      <notes>")
                lines += [f"        <note category={quoteattr(c)}>{escape(t)}</note>" for c, t in unit.notes]
                lines.append("      </notes>")
            source, codes = source_xml(unit.source)
            target, target_codes = target_xml(unit.source, unit.target) if unit.target is not None else ("", {})
            data = original_data(codes, target_codes)
            if data:
                lines.append("      <originalData>")
                lines += [f"        <data id={quoteattr(i)}>{escape(native)}</data>" for i, native in data]
                lines.append("      </originalData>")
            lines.append(f'      <segment state="{unit.state}" subState="{SUBSTATE_PREFIX}:{unit.sub_state}">')
            lines.append(f"        <source>{source}</source>")
            if unit.target is not None:
                lines.append(f"        <target>{target}</target>")
            lines += ["      </segment>", "    </unit>"]
        lines.append("  </file>")
    lines.append("</xliff>")
    return "\n".join(lines) + "\n"


def target_xml(source: str, target: str) -> tuple[str, dict[str, Code]]:
    """A translation as inline content, using the source's code ids for the same codes,
    and its codes by those ids.

    The n-th emphasis of a kind in the translation gets the id of the n-th of that kind
    in the source, a placeholder the id of the same placeholder, and a link the id of
    the source's link to the same address; anything the source lacks gets a fresh id
    (import will then name it as a broken code).
    """
    _, codes = source_xml(source)
    xml, own = source_xml(target)
    by_kind: dict[tuple[str, str], list[str]] = {}
    for code in codes.values():
        by_kind.setdefault(code.key, []).append(code.id)
    fresh = len(codes)
    mapping: dict[str, str] = {}
    for code in own.values():
        ids = by_kind.get(code.key)
        if ids:
            mapping[code.id] = ids.pop(0)
        else:
            fresh += 1
            mapping[code.id] = f"x{fresh}"
    renamed = {mapping[i]: Code(mapping[i], c.element, c.style, c.text) for i, c in own.items()}

    def rename(match: re.Match[str]) -> str:
        old, new = match.group(2), mapping[match.group(2)]
        tag = match.group(0).replace(f'id="{old}"', f'id="{new}"')
        for end in "se":
            tag = tag.replace(f'"{_data_id(old, end)}"', f'"{_data_id(new, end)}"')
        return tag

    return re.sub(r'<(pc|ph) id="(\d+)"[^>]*', rename, xml), renamed


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadUnit:
    """A unit as read from a file: the elements stay for decoding against today's codes."""

    doc: str
    id: str
    state: str
    source: ET.Element
    target: ET.Element | None
    data: dict[str, str] = field(default_factory=dict)  # <originalData>: native codes by id


@dataclass
class ReadFile:
    src_lang: str
    trg_lang: str
    units: list[ReadUnit]


def read_xliff(data: bytes, name: str) -> ReadFile:
    """Parse an XLIFF 2.0 file safely; XliffError (one line) for anything malformed or hostile."""
    from pipeline.files.safexml import RefusedXML, parse

    try:
        root = parse(data)
    except RefusedXML as exc:
        if exc.kind == "doctype":
            raise XliffError(f"{name}: refused: the file has a DOCTYPE (entity declarations can expand "
                             "without limit or read local files); XLIFF needs none") from None
        if exc.kind == "entities":
            raise XliffError(f"{name}: refused: the file declares XML entities; XLIFF needs none") from None
        raise XliffError(f"{name}:{exc.line}: malformed XML: {exc.detail} (column {exc.column + 1})") from None
    if root.tag != f"{_Q}xliff" or not str(root.get("version", "")).startswith("2."):
        raise XliffError(f"{name}: not an XLIFF 2.0 file (root <{root.tag.removeprefix(_Q)}>, "
                         f"version {root.get('version')!r})")
    units = []
    for file_el in root.findall(f"{_Q}file"):
        doc = file_el.get("id", "")
        for unit_el in file_el.iter(f"{_Q}unit"):
            segments = unit_el.findall(f"{_Q}segment")
            unit_id = unit_el.get("id", "")
            if len(segments) != 1:
                raise XliffError(f"{name}: unit {doc}/{unit_id}: expected one segment, found {len(segments)}")
            segment = segments[0]
            source = segment.find(f"{_Q}source")
            if source is None:
                raise XliffError(f"{name}: unit {doc}/{unit_id}: no <source>")
            data = {d.get("id", ""): d.text or "" for d in unit_el.iterfind(f"{_Q}originalData/{_Q}data")}
            units.append(ReadUnit(doc, unit_id, segment.get("state", "initial"), source,
                                  segment.find(f"{_Q}target"), data))
    return ReadFile(root.get("srcLang", ""), root.get("trgLang", ""), units)
