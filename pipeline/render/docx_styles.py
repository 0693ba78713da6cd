"""The look of the DOCX, defined once: page geometry and the named styles.

Partners re-use the DOCX in Word or LibreOffice, so every visual decision lives in a
style (fonts, colours, sizes, spacing, call-out shading and borders) and the body only
names styles. Built-in styles (Normal, Title, Heading 1-3, Quote, List Bullet, caption,
header, footer, toc 1-2, TOC Heading, Hyperlink) keep their Word names so Word's own
features (navigation pane, TOC, STYLEREF) find them; the rest are custom styles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import quoteattr

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from pipeline.content.model import Document

# --- page geometry (millimetres) -------------------------------------------------------

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Margins:
    """Page margins in mm. With `mirror`, `inner` is the binding side (left on odd
    pages) and `outer` the other; without, they are left and right."""

    top: float
    bottom: float
    inner: float
    outer: float
    header: float  # distance from the top edge to the header text
    footer: float  # distance from the bottom edge to the footer text
    mirror: bool = False


# Where the header and footer text sit, from the page edge (mm). The page margins
# themselves come from the document (branding.yaml), as for the PDF, so both formats
# have the same text area.
HEADER_MM, FOOTER_MM = 7, 10


def margins_of(doc: Document) -> Margins:
    """The DOCX margins of a document: its page margins, mirrored for the handbook."""
    m = doc.margins
    return Margins(top=m.top, bottom=m.bottom, inner=m.inner, outer=m.outer, header=HEADER_MM,
                   footer=FOOTER_MM, mirror=doc.kind == "handbook")


def text_width_mm(doc: Document) -> float:
    margins = doc.margins
    return PAPER_MM[doc.layout.paper][0] - margins.inner - margins.outer


# The PDF sets a topic's body in two columns this far apart (templates/style.css,
# .topic-body): a figure is sized by that column in both formats.
PDF_COLUMN_GAP_MM = 7


def column_width_mm(doc: Document) -> float:
    """The width of a text column of the PDF, which a figure's `width` is a share of."""
    return (text_width_mm(doc) - PDF_COLUMN_GAP_MM) / 2


def text_height_mm(doc: Document) -> float:
    margins = doc.margins
    return PAPER_MM[doc.layout.paper][1] - margins.top - margins.bottom


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def hex_colour(value: str) -> str:
    """`#1f3a5f` or `#abc` -> `1F3A5F`, as WordprocessingML wants colours."""
    digits = value.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", digits):
        raise ValueError(f"not a hex colour: {value!r}")
    return digits.upper()


# --- style specifications ----------------------------------------------------------------

# The natural line height of Noto Serif and Noto Sans (usWinAscent + usWinDescent over
# units per em); Word's "multiple" line spacing multiplies it. Used by the page estimate.
LINE_HEIGHT_EM = 1.362


@dataclass(frozen=True)
class Border:
    colour: str           # key into branding colours
    width: float = 0.5    # points
    space: float = 4      # points between text and border


@dataclass(frozen=True)
class ParaStyle:
    """One paragraph style. Sizes and spacing in points, indents in mm; `font` and
    colours are keys into the branding."""

    style_id: str
    name: str
    builtin: bool = False
    based_on: str | None = "Normal"
    next: str | None = None
    font: str = "body"
    size: float = 10
    colour: str = "text"
    bold: bool = False
    italic: bool = False
    caps: bool = False
    tracking: float = 0
    before: float = 0
    after: float = 5
    line: float = 1.0
    keep_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False
    align: str = "left"             # left | both | center | right
    indent_left: float = 0
    indent_right: float = 0
    hanging: float = 0
    outline: int | None = None     # 0-8 heading level, 9 = body text (not in the TOC)
    shading: str | None = None
    borders: dict[str, Border] = field(default_factory=dict)
    tabs: tuple[tuple[str, str, str], ...] = ()   # (alignment, "width" or "half", leader)
    numbering: str | None = None   # key into the numbering ids ("bullet", "chapter")
    ui_priority: int | None = None


# Boxes: consecutive paragraphs with identical borders and shading form one box (in
# Word and LibreOffice), so each box is a set of styles sharing one border definition.
# Border colours equal to the fill make padding; a coloured left border makes the rule.
_BAND = {  # the title band: white on the primary colour, as in the PDF
    "top": Border("primary", 0.5, 12), "left": Border("primary", 0.5, 14),
    "bottom": Border("primary", 0.5, 10), "right": Border("primary", 0.5, 14),
}
_BAND_INDENT = 5.2  # mm: the band's padding and border, so the band spans the margins
_FOCUS_BOX = {
    "top": Border("tint", 1, 5), "left": Border("primary", 2.5, 9),
    "bottom": Border("tint", 1, 4), "right": Border("tint", 1, 9),
}
_FIGURE_BOX = {
    "top": Border("tint", 1, 5), "left": Border("accent", 2.5, 9),
    "bottom": Border("tint", 1, 4), "right": Border("tint", 1, 9),
}
_BOX_INDENT = 3.6  # mm
_QUOTE_RULE = {"left": Border("accent", 2.5, 10)}
_RELATED_BOX = {"top": Border("primary", 0.75, 5), "bottom": Border("primary", 0.75, 4)}
_RIGHT = ("right", "width", "none")
_RIGHT_DOTS = ("right", "width", "dot")
_CENTRE = ("center", "half", "none")
WHITE = "#FFFFFF"

# Column alignments of a table (model value, style-name suffix, w:jc): one cell style each.
_TABLE_ALIGNS = (("", "", "left"), ("Center", " Center", "center"), ("End", " End", "right"))
TABLE_CELL_SUFFIX = {"start": "", "center": "Center", "end": "End"}

_band = {"shading": "primary", "borders": _BAND, "colour": WHITE, "indent_left": _BAND_INDENT,
         "indent_right": _BAND_INDENT}
_focus = {"shading": "tint", "borders": _FOCUS_BOX, "indent_left": _BOX_INDENT, "indent_right": _BOX_INDENT}
_figure = {**_focus, "borders": _FIGURE_BOX}
_quote = {"borders": _QUOTE_RULE, "indent_left": 4.5, "indent_right": 8}
_label = {"font": "heading", "bold": True, "caps": True, "tracking": 0.6, "keep_next": True}

STYLES: tuple[ParaStyle, ...] = (
    ParaStyle("Normal", "Normal", builtin=True, based_on=None, size=10, after=5, align="both",
              ui_priority=0),
    # Title band of a topic: kicker (or chapter number), title and lead.
    ParaStyle("Kicker", "Kicker", next="Heading1", size=7.5, after=3, **_label, **_band),
    ParaStyle("ChapterNumber", "Chapter Number", based_on="Kicker", next="Heading1", size=11, after=3,
              numbering="chapter", **_label, **_band),
    ParaStyle("Heading1", "heading 1", builtin=True, next="Lead", font="heading", size=22, bold=True,
              after=4, keep_next=True, keep_lines=True, outline=0, ui_priority=9, **_band),
    ParaStyle("Lead", "Lead", size=10.5, after=14, **_band),
    ParaStyle("Heading2", "heading 2", builtin=True, font="heading", size=12, colour="primary",
              bold=True, before=12, after=4, keep_next=True, keep_lines=True, outline=1, ui_priority=9,
              borders={"top": Border("accent", 0.75, 4)}),
    ParaStyle("Heading3", "heading 3", builtin=True, font="heading", size=10.5, colour="primary",
              bold=True, before=9, after=3, keep_next=True, keep_lines=True, outline=2, ui_priority=9),
    # Lists.
    ParaStyle("ListIntro", "List Intro", next="ListBullet", after=2, keep_next=True, align="left"),
    ParaStyle("ListBullet", "List Bullet", builtin=True, after=2, indent_left=6, hanging=4,
              numbering="bullet", align="left"),
    # Quotation and its source (the PDF's figure and figcaption).
    ParaStyle("Quote", "Quote", builtin=True, next="Caption", size=10.5, colour="primary", italic=True,
              before=6, after=3, align="left", ui_priority=29, **_quote),
    ParaStyle("Caption", "caption", builtin=True, font="heading", size=7.5, colour="muted", after=8,
              align="left", ui_priority=35, **_quote),
    # Call-outs.
    ParaStyle("CalloutLabel", "Callout Label", next="CalloutTitle", size=7, colour="muted", before=6,
              after=1, **_label, **_focus),
    ParaStyle("CalloutTitle", "Callout Title", next="CalloutBody", font="heading", size=10.5,
              colour="primary", bold=True, after=2, keep_next=True, **_focus),
    ParaStyle("CalloutBody", "Callout Body", size=9.5, after=3, align="left", **_focus),
    ParaStyle("KeyFigureLabel", "Key Figure Label", next="KeyFigure", size=7, colour="muted", before=6,
              after=1, **_label, **_figure),
    ParaStyle("KeyFigure", "Key Figure", next="KeyFigureText", font="heading", size=17, colour="accent",
              bold=True, after=1, keep_next=True, **_figure),
    ParaStyle("KeyFigureText", "Key Figure Text", size=9.5, after=3, align="left", **_figure),
    ParaStyle("CalloutGap", "Callout Gap", size=2, after=0),
    # Related crime areas: a box ruled above and below.
    ParaStyle("RelatedHeading", "Related Heading", next="RelatedArea", size=8, colour="primary",
              before=12, after=2, outline=9, borders=_RELATED_BOX, **_label),
    ParaStyle("RelatedArea", "Related Area", font="heading", size=8.5, colour="primary", after=1,
              borders=_RELATED_BOX),
    # Source line of a key figure, inside its box (a quotation's goes in its Caption).
    ParaStyle("KeyFigureSource", "Key Figure Source", font="heading", size=7, colour="muted", after=3,
              align="left", **_figure),
    # Figures: the picture, then its caption (and credit, in the Figure Credit character style).
    ParaStyle("Figure", "Figure", next="FigureCaption", before=6, after=2, keep_next=True, align="left"),
    ParaStyle("FigureCaption", "Figure Caption", font="heading", size=7.5, after=8, keep_lines=True,
              align="left"),
    # Tables: the caption above (kept with the table), then the cells, by column alignment.
    ParaStyle("TableCaption", "Table Caption", font="heading", size=8, colour="primary", bold=True, before=6,
              after=3, keep_next=True, keep_lines=True, align="left"),
    *(ParaStyle(f"TableHeading{suffix}", f"Table Heading{name}", font="heading", size=8, colour=WHITE,
                bold=True, after=0, align=jc) for suffix, name, jc in _TABLE_ALIGNS),
    *(ParaStyle(f"TableText{suffix}", f"Table Text{name}", font="heading", size=8, after=0, align=jc)
      for suffix, name, jc in _TABLE_ALIGNS),
    # The branding logo on the handbook's cover.
    ParaStyle("Logo", "Logo", after=0, align="left"),
    # Contact and source lines at the end of a factsheet (only when the front matter gives them).
    ParaStyle("Credits", "Credits", font="heading", size=7.5, colour="muted", before=8, after=2,
              keep_lines=True, align="left"),
    # Handbook front matter.
    ParaStyle("Title", "Title", builtin=True, next="Subtitle", font="heading", size=34, colour="primary",
              bold=True, before=170, after=8, keep_next=True, ui_priority=10),
    ParaStyle("Subtitle", "Subtitle", builtin=True, font="heading", size=14, colour="muted", after=90,
              borders={"top": Border("primary", 1.5, 10)}, indent_right=60, ui_priority=11),
    ParaStyle("CoverMeta", "Cover Meta", font="heading", size=10, colour="primary", after=2),
    ParaStyle("ImprintHeading", "Imprint Heading", next="ImprintValue", size=8, colour="primary",
              after=6, page_break_before=True, outline=9, **_label),
    ParaStyle("ImprintLabel", "Imprint Label", next="ImprintValue", size=7.5, colour="muted", before=5,
              after=0, **_label),
    ParaStyle("ImprintValue", "Imprint Value", font="heading", size=8.5, after=1, align="left"),
    ParaStyle("ImprintSource", "Imprint Source", font="heading", size=8.5, before=10, after=1, align="left"),
    ParaStyle("FrontHeading", "Front Heading", next="Normal", font="heading", size=20, colour="primary",
              bold=True, after=20, keep_next=True, page_break_before=True, outline=9),
    ParaStyle("TOCHeading", "TOC Heading", builtin=True, next="TOC1", font="heading", size=20,
              colour="primary", bold=True, after=20, keep_next=True, outline=9, ui_priority=39),
    ParaStyle("TOC1", "toc 1", builtin=True, next="TOC2", font="heading", size=10.5, colour="primary",
              bold=True, before=6, after=1, keep_next=True, tabs=(_RIGHT_DOTS,), align="left",
              ui_priority=39),
    ParaStyle("TOC2", "toc 2", builtin=True, size=9, after=1, indent_left=6, tabs=(_RIGHT_DOTS,),
              align="left", ui_priority=39),
    # Running heads and feet.
    ParaStyle("Header", "header", builtin=True, font="heading", size=7, colour="muted", after=0,
              tabs=(_RIGHT,), align="left", ui_priority=99),
    ParaStyle("Footer", "footer", builtin=True, font="heading", size=7, colour="muted", before=2, after=0,
              tabs=(_CENTRE, _RIGHT), align="left", ui_priority=99),
)

STYLE_BY_ID = {s.style_id: s for s in STYLES}

# Running text is hyphenated (settings.xml `w:autoHyphenation`); every other style, display
# text above all (titles, leads, headings, call-out titles), lists, captions, tables,
# labels and running heads, carries `w:suppressAutoHyphens`, as the PDF's CSS sets them
# `hyphens: manual`: a hyphen in a title or a ragged line reads as a mistake.
HYPHENATED_STYLES = frozenset({"Normal", "ListIntro", "Quote", "CalloutBody", "KeyFigureText"})
# Word's hyphenation zone: a line whose gap at the end is narrower than this is not
# hyphenated. Narrower than Word's 0.25 in: the body is justified in a narrow measure,
# where fewer hyphens mean wider word spaces.
HYPHENATION_ZONE_MM = 5

# Character styles: links, page numbers and the label of a credit line; emphasis stays
# bold/italic on the run.
HYPERLINK_STYLE = "Hyperlink"
PAGE_NUMBER_STYLE = "PageNumber"
CREDITS_LABEL_STYLE = "CreditsLabel"
FIGURE_CREDIT_STYLE = "FigureCredit"
BAND_LINK_STYLE = "BandLink"
TABLE_STYLE = "BriefingTable"


# --- writing the styles ---------------------------------------------------------------------

def _attr(value: str) -> str:
    return quoteattr(value)


def _fonts_xml(family: str) -> str:
    f = _attr(family)
    return f"<w:rFonts w:ascii={f} w:hAnsi={f} w:eastAsia={f} w:cs={f}/>"


def _lang_xml(locale: str) -> str:
    loc = _attr(locale)
    return f"<w:lang w:val={loc} w:eastAsia={loc} w:bidi={loc}/>"


def _colour(colours: dict[str, str], key: str) -> str:
    """A branding colour by key, or a literal `#RRGGBB`."""
    return hex_colour(key if key.startswith("#") else colours[key])


def _border_xml(side: str, border: Border, colours: dict[str, str]) -> str:
    return (f'<w:{side} w:val="single" w:sz="{round(border.width * 8)}" '
            f'w:space="{round(border.space)}" w:color="{_colour(colours, border.colour)}"/>')


def _ppr_xml(spec: ParaStyle, colours: dict[str, str], width_mm: float, numbering: dict[str, int]) -> str:
    parts = []
    if spec.keep_next:
        parts.append("<w:keepNext/>")
    if spec.keep_lines:
        parts.append("<w:keepLines/>")
    if spec.page_break_before:
        parts.append("<w:pageBreakBefore/>")
    parts.append("<w:widowControl/>")
    if spec.numbering is not None:
        parts.append(f'<w:numPr><w:numId w:val="{numbering[spec.numbering]}"/></w:numPr>')
    if spec.borders:
        order = ("top", "left", "bottom", "right")
        sides = "".join(_border_xml(s, spec.borders[s], colours) for s in order if s in spec.borders)
        parts.append(f"<w:pBdr>{sides}</w:pBdr>")
    if spec.shading:
        parts.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{_colour(colours, spec.shading)}"/>')
    if spec.tabs:
        positions = {"width": width_mm, "half": width_mm / 2}
        tabs = "".join(
            f'<w:tab w:val="{align}" w:leader="{leader}" '
            f'w:pos="{twips(positions[pos] - spec.indent_right)}"/>'
            for align, pos, leader in spec.tabs
        )
        parts.append(f"<w:tabs>{tabs}</w:tabs>")
    if spec.style_id not in HYPHENATED_STYLES:
        parts.append("<w:suppressAutoHyphens/>")
    parts.append(f'<w:spacing w:before="{round(spec.before * 20)}" w:after="{round(spec.after * 20)}" '
                 f'w:line="{round(spec.line * 240)}" w:lineRule="auto"/>')
    ind = [f'w:left="{twips(spec.indent_left)}"', f'w:right="{twips(spec.indent_right)}"']
    ind.append(f'w:hanging="{twips(spec.hanging)}"' if spec.hanging else 'w:firstLine="0"')
    parts.append(f"<w:ind {' '.join(ind)}/>")
    parts.append(f'<w:jc w:val="{spec.align}"/>')
    if spec.outline is not None:
        parts.append(f'<w:outlineLvl w:val="{spec.outline}"/>')
    return "<w:pPr>" + "".join(parts) + "</w:pPr>"


def _rpr_xml(spec: ParaStyle, branding: dict, locale: str | None) -> str:
    colours, fonts = branding["colours"], branding["fonts"]
    parts = [_fonts_xml(fonts[spec.font])]
    # Explicit on/off, so a style never inherits emphasis from the one it is based on.
    parts.append("<w:b/><w:bCs/>" if spec.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
    parts.append("<w:i/><w:iCs/>" if spec.italic else '<w:i w:val="0"/><w:iCs w:val="0"/>')
    parts.append("<w:caps/>" if spec.caps else '<w:caps w:val="0"/>')
    parts.append(f'<w:color w:val="{_colour(colours, spec.colour)}"/>')
    parts.append(f'<w:spacing w:val="{round(spec.tracking * 20)}"/>')
    half_points = round(spec.size * 2)
    parts.append(f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>')
    if locale:
        parts.append(_lang_xml(locale))
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def _style_xml(spec: ParaStyle, branding: dict, locale: str, width_mm: float,
               numbering: dict[str, int]) -> str:
    custom = "" if spec.builtin else ' w:customStyle="1"'
    default = ' w:default="1"' if spec.style_id == "Normal" else ""
    parts = [f"<w:name w:val={_attr(spec.name)}/>"]
    if spec.based_on:
        parts.append(f'<w:basedOn w:val="{spec.based_on}"/>')
    if spec.next:
        parts.append(f'<w:next w:val="{spec.next}"/>')
    if spec.ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{spec.ui_priority}"/>')
    parts.append("<w:qFormat/>")
    parts.append(_ppr_xml(spec, branding["colours"], width_mm, numbering))
    # Only Normal names the language; every style inherits it from there.
    parts.append(_rpr_xml(spec, branding, locale if spec.style_id == "Normal" else None))
    return (f'<w:style {nsdecls("w")} w:type="paragraph"{default}{custom} w:styleId="{spec.style_id}">'
            + "".join(parts) + "</w:style>")


def _hyperlink_style_xml(branding: dict) -> str:
    colour = hex_colour(branding["colours"]["primary"])
    return (f'<w:style {nsdecls("w")} w:type="character" w:styleId="{HYPERLINK_STYLE}">'
            '<w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
            f'<w:rPr><w:color w:val="{colour}"/><w:u w:val="single"/></w:rPr></w:style>')


def _page_number_style_xml() -> str:
    # Word's built-in "page number" style; bold, as the PDF's page numbers.
    return (f'<w:style {nsdecls("w")} w:type="character" w:styleId="{PAGE_NUMBER_STYLE}">'
            '<w:name w:val="page number"/><w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:b/><w:bCs/></w:rPr></w:style>')


def _credits_label_style_xml() -> str:
    # As the PDF's: the label before a factsheet's contact, bold capitals, tracked.
    return (f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="{CREDITS_LABEL_STYLE}">'
            '<w:name w:val="Credits Label"/><w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="99"/><w:qFormat/>'
            '<w:rPr><w:b/><w:bCs/><w:caps/><w:spacing w:val="10"/></w:rPr></w:style>')


def _figure_credit_style_xml(branding: dict) -> str:
    # As the PDF's: a figure's credit follows its caption in the muted colour.
    colour = hex_colour(branding["colours"]["muted"])
    return (f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="{FIGURE_CREDIT_STYLE}">'
            '<w:name w:val="Figure Credit"/><w:basedOn w:val="DefaultParagraphFont"/>'
            f'<w:uiPriority w:val="99"/><w:qFormat/><w:rPr><w:color w:val="{colour}"/></w:rPr></w:style>')


def _band_link_style_xml() -> str:
    # A link on the title band: underlined in the band's own white (Hyperlink's colour
    # is the band's).
    return (f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="{BAND_LINK_STYLE}">'
            '<w:name w:val="Band Link"/><w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="99"/><w:qFormat/><w:rPr><w:u w:val="single"/></w:rPr></w:style>')


def _table_style_xml(branding: dict) -> str:
    """As the PDF's tables: the header row on the primary colour, banded body rows in
    the tint, a hairline under each row. Text looks come from the cell paragraph styles
    (a paragraph style outranks a table style in Word)."""
    primary, tint = hex_colour(branding["colours"]["primary"]), hex_colour(branding["colours"]["tint"])
    line = f'w:val="single" w:sz="4" w:space="0" w:color="{tint}"'
    pad = twips(1.5)
    return (f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{TABLE_STYLE}">'
            '<w:name w:val="Briefing Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
            '<w:qFormat/><w:tblPr><w:tblStyleRowBandSize w:val="1"/>'
            f'<w:tblBorders><w:bottom {line}/><w:insideH {line}/></w:tblBorders>'
            f'<w:tblCellMar><w:top w:w="{twips(0.8)}" w:type="dxa"/><w:left w:w="{pad}" w:type="dxa"/>'
            f'<w:bottom w:w="{twips(0.8)}" w:type="dxa"/><w:right w:w="{pad}" w:type="dxa"/></w:tblCellMar>'
            '</w:tblPr>'
            f'<w:tblStylePr w:type="firstRow"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{primary}"/>'
            '</w:tcPr></w:tblStylePr>'
            f'<w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{tint}"/>'
            '</w:tcPr></w:tblStylePr></w:style>')


def _doc_defaults_xml(branding: dict, locale: str) -> str:
    return (f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>'
            + _fonts_xml(branding["fonts"]["body"])
            + '<w:sz w:val="20"/><w:szCs w:val="20"/>' + _lang_xml(locale)
            + '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            '</w:pPr></w:pPrDefault></w:docDefaults>')


def styles_for(kind: str) -> tuple[ParaStyle, ...]:
    """The styles of a kind of document: a factsheet's footer has three columns (centre
    and right tab stops), a handbook's two (right tab stop only)."""
    if kind == "factsheet":
        return STYLES
    return tuple(replace(s, tabs=(_RIGHT,)) if s.style_id == "Footer" else s for s in STYLES)


def apply_styles(document, branding: dict, locale: str, width_mm: float, kind: str,
                 numbering: dict[str, int]) -> None:
    """Replace the template's look with ours: defaults, every style in `STYLES`,
    the link style, and theme fonts swept out of the remaining template styles."""
    styles = document.styles.element
    old_defaults = styles.find(qn("w:docDefaults"))
    new_defaults = parse_xml(_doc_defaults_xml(branding, locale))
    if old_defaults is not None:
        old_defaults.addprevious(new_defaults)
        styles.remove(old_defaults)
    else:
        styles.insert(0, new_defaults)

    existing = {el.get(qn("w:styleId")): el for el in styles.findall(qn("w:style"))}
    for spec in styles_for(kind):
        new = parse_xml(_style_xml(spec, branding, locale, width_mm, numbering))
        _replace_or_append(styles, existing.get(spec.style_id), new)
    _replace_or_append(styles, existing.get(HYPERLINK_STYLE), parse_xml(_hyperlink_style_xml(branding)))
    _replace_or_append(styles, existing.get(PAGE_NUMBER_STYLE), parse_xml(_page_number_style_xml()))
    _replace_or_append(styles, existing.get(CREDITS_LABEL_STYLE), parse_xml(_credits_label_style_xml()))
    _replace_or_append(styles, existing.get(FIGURE_CREDIT_STYLE), parse_xml(_figure_credit_style_xml(branding)))
    _replace_or_append(styles, existing.get(TABLE_STYLE), parse_xml(_table_style_xml(branding)))
    _replace_or_append(styles, existing.get(BAND_LINK_STYLE), parse_xml(_band_link_style_xml()))
    _sweep_theme_fonts(styles, branding["fonts"])


def _replace_or_append(parent, old, new) -> None:
    if old is not None:
        old.addprevious(new)
        parent.remove(old)
    else:
        parent.append(new)


def _sweep_theme_fonts(styles, fonts: dict[str, str]) -> None:
    """Styles we do not define (Heading 4, Intense Quote...) still point at the
    template's theme fonts; point them at the brand fonts so anything a partner
    applies stays on brand."""
    for rfonts in styles.iter(qn("w:rFonts")):
        theme = rfonts.get(qn("w:asciiTheme")) or rfonts.get(qn("w:hAnsiTheme"))
        if not theme:
            continue
        family = fonts["heading"] if theme.startswith("major") else fonts["body"]
        for key in list(rfonts.attrib):
            del rfonts.attrib[key]
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{attr}"), family)


def apply_numbering(document, branding: dict) -> dict[str, int]:
    """Set up the two lists the styles use and return their numbering ids:

    - "bullet": the template's List Bullet list (numId 1), with a round bullet in the
      heading font and accent colour instead of a Symbol-font glyph;
    - "chapter": the handbook's chapter numbers (01, 02...) that Word counts itself, so
      they stay right when a partner removes or reorders chapters.
    """
    numbering = document.part.numbering_part.element
    bullet_num = None
    for abstract in numbering.findall(qn("w:abstractNum")):
        lvl = abstract.find(qn("w:lvl"))
        pstyle = lvl.find(qn("w:pStyle")) if lvl is not None else None
        if pstyle is None or pstyle.get(qn("w:val")) != "ListBullet":
            continue
        for child in list(lvl):
            if child.tag in (qn("w:lvlText"), qn("w:pPr"), qn("w:rPr")):
                lvl.remove(child)
        left, hanging = twips(6), twips(4)
        colour = hex_colour(branding["colours"]["accent"])
        lvl.find(qn("w:lvlJc")).addprevious(parse_xml(f'<w:lvlText {nsdecls("w")} w:val="\u2022"/>'))
        lvl.append(parse_xml(
            f'<w:pPr {nsdecls("w")}><w:tabs><w:tab w:val="num" w:pos="{left}"/></w:tabs>'
            f'<w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>'))
        lvl.append(parse_xml(
            f'<w:rPr {nsdecls("w")}>{_fonts_xml(branding["fonts"]["heading"])}'
            f'<w:color w:val="{colour}"/></w:rPr>'))
        abstract_id = abstract.get(qn("w:abstractNumId"))
        for num in numbering.findall(qn("w:num")):
            if num.find(qn("w:abstractNumId")).get(qn("w:val")) == abstract_id:
                bullet_num = int(num.get(qn("w:numId")))
    if bullet_num is None:
        raise ValueError("the DOCX template has no List Bullet numbering")

    abstract_id = 1 + max(int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum")))
    num_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))
    # Abstract definitions come before the numbering instances.
    numbering.find(qn("w:num")).addprevious(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:nsid w:val="5C3A0001"/><w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalZero"/>'
        '<w:pStyle w:val="ChapterNumber"/><w:suff w:val="nothing"/><w:lvlText w:val="%1"/>'
        '<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'))
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                    f'<w:abstractNumId w:val="{abstract_id}"/></w:num>')
    numbering.findall(qn("w:num"))[-1].addnext(num)
    return {"bullet": bullet_num, "chapter": num_id}


def font_table(original: bytes, families: Iterable[str]) -> bytes:
    """The font table with an entry for each brand font, so that Word, on a machine
    without the font, substitutes one of the same kind (serif or sans) instead of its
    default face. The kind is read from the family name."""
    root = etree.fromstring(original)
    known = {el.get(qn("w:name")) for el in root.findall(qn("w:font"))}
    for family in dict.fromkeys(families):
        if family in known:
            continue
        lowered = family.lower()
        kind = "swiss" if "sans" in lowered else "roman" if "serif" in lowered else "auto"
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name={_attr(family)}><w:charset w:val="00"/>'
            f'<w:family w:val="{kind}"/><w:pitch w:val="variable"/></w:font>'))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
