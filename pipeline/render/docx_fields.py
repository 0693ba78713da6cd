"""The WordprocessingML that python-docx has no API for: fields, bookmarks, internal
hyperlinks, the draft watermark, and a reproducible zip.

Everything here builds plain `w:` elements; nothing decides layout or wording. Fields
are written as complex fields (begin / instruction / separate / result / end) with a
result already filled in, so a viewer that never updates fields still shows text
(the document does not set `w:updateFields`: see `docx.py`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import string
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import quoteattr

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from pipeline.files.zips import write_zip

# Word accepts bookmark names of at most 40 characters, letters, digits and
# underscores, starting with a letter (a leading underscore marks a hidden bookmark).
BOOKMARK_MAX = 40
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


# --- runs -------------------------------------------------------------------------

def text_run(text: str, *, bold: bool = False, italic: bool = False, style: str | None = None):
    """A `w:r` holding `text` verbatim; emphasis and a character style are the only
    run properties the renderer ever sets."""
    run = OxmlElement("w:r")
    if style or bold or italic:
        rpr = OxmlElement("w:rPr")
        if style:
            rstyle = OxmlElement("w:rStyle")
            rstyle.set(qn("w:val"), style)
            rpr.append(rstyle)
        if bold:
            rpr.append(OxmlElement("w:b"))
        if italic:
            rpr.append(OxmlElement("w:i"))
        run.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def tab_run():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:tab"))
    return run


def break_run():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


# --- fields -----------------------------------------------------------------------

def _fld_char(kind: str, dirty: bool = False):
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def field_begin(instruction: str, *, dirty: bool = False) -> list:
    """The runs that open a field and start its result (begin, code, separate)."""
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    return [_fld_char("begin", dirty), instr_run, _fld_char("separate")]


def field_end():
    return _fld_char("end")


def field(instruction: str, result: str | Sequence, *, dirty: bool = False, style: str | None = None) -> list:
    """A whole complex field whose cached result is `result` (text or runs); with
    `style`, every run of the field carries that character style (Word formats an
    updated result like the field's first run)."""
    runs = [text_run(result)] if isinstance(result, str) else list(result)
    runs = [*field_begin(instruction, dirty=dirty), *runs, field_end()]
    if style:
        for run in runs:
            rpr = run.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                run.insert(0, rpr)
            if rpr.find(qn("w:rStyle")) is None:
                rstyle = OxmlElement("w:rStyle")
                rstyle.set(qn("w:val"), style)
                rpr.insert(0, rstyle)
    return runs


def quoted(argument: str) -> str:
    """A field argument in double quotes (field syntax escapes `"` and `\\`)."""
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


def label_tokens(label: str) -> Iterator[tuple[str, str]]:
    """Split a label such as `Page {page} of {pages}` into ("text", ...) and
    ("field", name) tokens, so the words stay the translator's and only the numbers
    become fields."""
    for literal, name, _spec, _conv in string.Formatter().parse(label):
        if literal:
            yield "text", literal
        if name is not None:
            yield "field", name


# --- bookmarks and links -----------------------------------------------------------

class Bookmarks:
    """Maps model anchors to unique, Word-valid bookmark names and numbers the
    bookmarks in document order, so output is deterministic."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._next_id = 0

    def name(self, anchor: str) -> str:
        if anchor not in self._names:
            base = _NOT_NAME.sub("_", anchor).strip("_") or "anchor"
            if not base[0].isalpha():
                base = "b" + base
            base = base[:BOOKMARK_MAX]
            candidate, n = base, 1
            taken = set(self._names.values())
            while candidate in taken:
                n += 1
                suffix = f"_{n}"
                candidate = base[: BOOKMARK_MAX - len(suffix)] + suffix
            self._names[anchor] = candidate
        return self._names[anchor]

    def __contains__(self, anchor: str) -> bool:
        return anchor in self._names

    def next_id(self) -> str:
        """A bookmark id not given yet (ids are unique in the whole document)."""
        self._next_id += 1
        return str(self._next_id - 1)

    def wrap(self, paragraph, anchor: str) -> str:
        """Put a bookmark around the whole content of `paragraph` (a `w:p`)."""
        name = self.name(anchor)
        start, end = bookmark_marks(self.next_id(), name)
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph.insert(0, start)
        paragraph.append(end)
        return name


def bookmark_marks(ident: str, name: str) -> tuple:
    """The `w:bookmarkStart` and `w:bookmarkEnd` of bookmark `name` with id `ident`."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), ident)
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), ident)
    return start, end


def external_link(rel_id: str, runs: Iterable, tooltip: str | None = None):
    """A `w:hyperlink` to the external target of relationship `rel_id` (web or mailto)."""
    return _hyperlink("r:id", rel_id, runs, tooltip)


def internal_link(bookmark: str, runs: Iterable, tooltip: str | None = None):
    """A `w:hyperlink` to a bookmark in the same document."""
    return _hyperlink("w:anchor", bookmark, runs, tooltip)


def set_tooltip(link, tooltip: str) -> None:
    """What the link says it leads to (`w:tooltip`: Word shows it on hover, screen
    readers read it), the words of the PDF's link description."""
    link.set(qn("w:tooltip"), tooltip)


def _hyperlink(attribute: str, target: str, runs: Iterable, tooltip: str | None = None):
    link = OxmlElement("w:hyperlink")
    link.set(qn(attribute), target)
    if tooltip:
        set_tooltip(link, tooltip)
    link.set(qn("w:history"), "1")
    for run in runs:
        link.append(run)
    return link


# --- watermark ----------------------------------------------------------------------

# Word's own text-watermark shape type (WordArt "text plain"), as Word writes it under
# Design > Watermark. Word and LibreOffice both recognise a `PowerPlusWaterMarkObject`
# shape in a header as the document's watermark (and can remove or edit it).
_TEXT_SHAPETYPE = """
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
  path="m@7,l@8,m@5,21600l@6,21600e">
 <v:formulas>
  <v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>
  <v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>
  <v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>
  <v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>
  <v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>
 </v:formulas>
 <v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
  o:connectangles="270,180,90,0"/>
 <v:textpath on="t" fitshape="t"/>
 <v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>
 <o:lock v:ext="edit" text="t" shapetype="t"/>
</v:shapetype>"""

_VML_NS = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)

# Height of the watermark's text box in points, and the width one character takes
# relative to that height (bold capitals of a sans face), so the text is not stretched.
WATERMARK_HEIGHT_PT = 110
WATERMARK_CHAR_WIDTH = 0.66


def watermark_run(text: str, *, number: int, font: str, colour: str, opacity: float = 0.3):
    """A run holding a diagonal text watermark centred on the page margins.

    `number` keeps shape ids unique across the document's headers.
    """
    width = round(WATERMARK_HEIGHT_PT * WATERMARK_CHAR_WIDTH * max(len(text), 1), 1)
    style = (
        "position:absolute;margin-left:0;margin-top:0;"
        f"width:{width}pt;height:{WATERMARK_HEIGHT_PT}pt;rotation:315;z-index:-251654144;"
        "mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        "mso-position-vertical:center;mso-position-vertical-relative:margin"
    )
    font_style = f'font-family:"{font}";font-size:1pt;font-weight:bold'
    xml = (
        f"<w:r {nsdecls('w')} {_VML_NS}>"
        "<w:pict>"
        f"{_TEXT_SHAPETYPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{2049 + number}"'
        f' type="#_x0000_t136" style={quoteattr(style)} o:allowincell="f"'
        f' fillcolor={quoteattr(colour)} stroked="f">'
        f'<v:fill opacity="{opacity}"/>'
        f"<v:textpath style={quoteattr(font_style)} string={quoteattr(text)}/>"
        '<w10:wrap anchorx="margin" anchory="margin"/>'
        "</v:shape></w:pict></w:r>"
    )
    return parse_xml(xml)


# --- package ------------------------------------------------------------------------

def reproducible_zip(data: bytes, date: dt.date, replace: dict[str, bytes] | None = None,
                     drop: Iterable[str] = ()) -> bytes:
    """Rewrite a package with fixed entry order, timestamps, attributes and compression.

    python-docx stamps every entry with the wall clock; this makes the bytes depend on
    the document only. `replace` swaps the content of named entries, `drop` removes
    entries (their relationships must already be gone).
    """
    replace = replace or {}
    dropped = set(drop)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = [n for n in source.namelist() if n not in dropped]
        # The content-types part first and the package relationships second, as Office
        # writes them; then the rest by name.
        names.sort(key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
        return write_zip(((name, replace[name] if name in replace else source.read(name)) for name in names),
                         date)


def app_properties(company: str, application: str) -> bytes:
    """A minimal `docProps/app.xml` naming our tool and version as the Application:
    python-docx's template names another application and stale page and word counts;
    Word recomputes the counts on save. (No AppVersion: the standard requires the form
    XX.YYYY, which a three-part version does not have.)"""
    root = etree.Element(
        "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Properties",
        nsmap={
            None: "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
            "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
        },
    )
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    for tag, value in (("Application", application), ("Company", company), ("ScaleCrop", "false"),
                       ("LinksUpToDate", "false"), ("SharedDoc", "false"), ("HyperlinksChanged", "false"),
                       ("DocSecurity", "0")):
        etree.SubElement(root, ns + tag).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
