"""Right-to-left and complex-script settings of the DOCX, applied to a finished package.

A document whose language is written right to left (`direction: rtl` in its
_strings.yaml) is built like any other (`docx.py`) and then mirrored here, the way Word
marks a right-to-left document:

- `w:bidi` on every paragraph (and paragraph style, and the defaults): the paragraph
  runs right to left, so Word mirrors its alignment, indents, tab stops and list
  bullets (`jc="left"` and `ind/@left` mean the start side, the right); a style in
  italic (the quotation) is upright for right-to-left text, as in the PDF;
- paragraph borders are physical (ISO 29500 17.3.1.17: "shall not change based on the
  paragraph direction"), so the call-out rule moves from `w:left` to `w:right`;
- `w:rtl` on the runs of right-to-left text. The model marks the left-to-right runs
  inside it (reference codes, acronyms) with Unicode isolates (see typography.py);
  each becomes a run of its own without `w:rtl` (and without the isolate characters,
  which Word does not display reliably), so Word keeps it in its own order. Runs with
  bold or italic get the complex-script `w:bCs`/`w:iCs` Word uses for them;
- `w:bidi` on every section (right-to-left columns and page layout) with the margins
  swapped, so the wider `inner` margin lies at the binding, on the right of a recto;
- `w:bidiVisual` on every table (columns from the right);
- the right-to-left proofing language in the theme settings (`themeFontLang/@w:bidi`).

The complex-script font (`w:cs`) of every style is set by `script_fonts`, for any
language whose branding names fonts of its own, whatever its direction.
"""

from __future__ import annotations

import copy
import unicodedata

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipeline.render.typography import LRI, PDI

# Elements that follow w:bidi in a w:pPr and in a w:sectPr (schema order).
_PPR_AFTER_BIDI = tuple(f"w:{tag}" for tag in (
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
    "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))
_SECTPR_AFTER_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
_BORDER_ORDER = ("top", "left", "bottom", "right", "between", "bar")
_RTL_CLASSES = frozenset({"R", "AL"})


def right_to_left(document, locale: str) -> None:
    """Mirror a finished python-docx document for a right-to-left language."""
    right_to_left_styles(document.styles.element)
    for root in _story_roots(document):
        right_to_left_paragraphs(root)
        right_to_left_runs(root)
        right_to_left_tables(root)
    for sect_pr in document.element.body.iter(qn("w:sectPr")):
        right_to_left_section(sect_pr)
    lang = document.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:bidi"), locale)


def _story_roots(document) -> list:
    """The body and every header and footer: everywhere paragraphs live."""
    roots = [document.element.body]
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            roots.append(rel.target_part.element)
    return roots


def _add_bidi(ppr) -> None:
    if ppr.find(qn("w:bidi")) is None:
        ppr.insert_element_before(OxmlElement("w:bidi"), *_PPR_AFTER_BIDI)


def right_to_left_styles(styles) -> None:
    """`w:bidi` in the default and every paragraph style; their side borders swapped;
    no italic for right-to-left text in italic styles (the quotation), as in the PDF:
    Arabic and Hebrew have no italic, and Word would slant the letters."""
    for ppr in styles.iter(qn("w:pPr")):
        _add_bidi(ppr)
        borders = ppr.find(qn("w:pBdr"))
        if borders is not None:
            _swap_sides(borders)
    for italic in styles.iter(qn("w:iCs")):
        italic.set(qn("w:val"), "0")


def _swap_sides(borders) -> None:
    """Exchange a `w:pBdr`'s left and right borders, keeping the schema's order."""
    for border in borders:
        if border.tag == qn("w:left"):
            border.tag = qn("w:right")
        elif border.tag == qn("w:right"):
            border.tag = qn("w:left")
    ordered = sorted(borders, key=lambda el: _BORDER_ORDER.index(el.tag.rpartition("}")[2]))
    for border in ordered:
        borders.append(border)  # appending an existing child moves it to the end


def right_to_left_paragraphs(root) -> None:
    """`w:bidi` on every paragraph of a story."""
    for p in root.iter(qn("w:p")):
        _add_bidi(p.get_or_add_pPr())


def right_to_left_runs(root) -> None:
    """Split each run at the isolates of its text and mark the right-to-left runs."""
    for run in list(root.iter(qn("w:r"))):
        for part in _split_at_isolates(run):
            if is_right_to_left(_text(part)):
                _mark_rtl(part)


def is_right_to_left(text: str) -> bool:
    """Whether a run is right-to-left text: it has a right-to-left letter, or no
    letter of either direction (spaces, digits, punctuation, a page number take the
    paragraph's direction)."""
    classes = {unicodedata.bidirectional(char) for char in text}
    return bool(classes & _RTL_CLASSES) or "L" not in classes


def _text(run) -> str:
    return "".join(t.text or "" for t in run.iter(qn("w:t")))


def _split_at_isolates(run) -> list:
    """The runs `run` becomes: one per stretch of text between isolates, each with the
    run's formatting and without the isolate characters."""
    t = run.find(qn("w:t"))
    if t is None or not t.text or (LRI not in t.text and PDI not in t.text):
        return [run]
    pieces = [piece for piece in _pieces(t.text) if piece]
    parts = []
    for piece in pieces:
        part = copy.deepcopy(run)
        part.find(qn("w:t")).text = piece
        run.addprevious(part)
        parts.append(part)
    run.getparent().remove(run)
    return parts


def _pieces(text: str) -> list[str]:
    out, current = [], []
    for char in text:
        if char in (LRI, PDI):
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return out


def _mark_rtl(run) -> None:
    rpr = run.get_or_add_rPr()
    rpr.get_or_add_rtl()
    if rpr.find(qn("w:b")) is not None:
        rpr.get_or_add_bCs()
    if rpr.find(qn("w:i")) is not None:
        rpr.get_or_add_iCs()


def right_to_left_tables(root) -> None:
    """Tables lay their columns out from the right (`w:bidiVisual`)."""
    for tbl in root.iter(qn("w:tbl")):
        tbl.tblPr.get_or_add_bidiVisual()


def right_to_left_section(sect_pr) -> None:
    """A right-to-left section, with its left and right margins exchanged."""
    margins = sect_pr.find(qn("w:pgMar"))
    if margins is not None:
        left, right = margins.get(qn("w:left")), margins.get(qn("w:right"))
        margins.set(qn("w:left"), right)
        margins.set(qn("w:right"), left)
    if sect_pr.find(qn("w:bidi")) is None:
        sect_pr.insert_element_before(OxmlElement("w:bidi"), *_SECTPR_AFTER_BIDI)


def script_fonts(element, fonts: dict[str, str], script: dict[str, str]) -> None:
    """Set the complex-script font (`w:cs`) of every font setting under `element` that
    names a brand font to the language's own font for that role (body or heading).

    Word sets right-to-left runs (and Arabic, Hebrew, Indic text) in the `w:cs` font,
    and Latin runs in `w:ascii`/`w:hAnsi`, so codes and acronyms stay in the brand font.
    """
    by_family = {fonts[role]: script[role] for role in ("body", "heading") if role in script}
    for rfonts in element.iter(qn("w:rFonts")):
        family = rfonts.get(qn("w:ascii"))
        if family in by_family:
            rfonts.set(qn("w:cs"), by_family[family])
