"""Pictures and tables as WordprocessingML: what python-docx has no API for.

- A picture is an inline drawing whose `wp:docPr descr` is its text alternative (what
  Word's "Alt Text" pane and screen readers read). An SVG is stored twice, the way
  Word 2016+ stores one: the blip names a PNG fallback (drawn by `raster.svg_to_png`
  at 300 dpi or more at its printed size, for older Word and LibreOffice), and its
  `asvg:svgBlip` extension names the SVG itself.
- A table names a real table style (`docx_styles`), marks its first row as a header
  row that repeats after a page break (`w:tblHeader`), keeps rows whole
  (`w:cantSplit`) and carries its caption as the table's alt text (`w:tblCaption`).

Nothing here decides wording or looks: sizes come from the renderer, looks from styles.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Mm

from pipeline.content.model import Asset
from pipeline.render.docx_styles import twips

SVG_CONTENT_TYPE = "image/svg+xml"
# The extension Word 2016 writes for an SVG picture, and its namespace.
SVG_EXT_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"

# Column alignment of the model (by reading direction) as WordprocessingML `w:jc`;
# a right-to-left language mirrors it here.
JC = {"start": "left", "center": "center", "end": "right"}


def picture_run(part, asset: Asset, width_mm: float, alt: str, shape_id: int, png_fallback: bytes | None = None):
    """A `w:r` showing `asset` `width_mm` wide (its own proportions), described by `alt`.

    `part` is the story part (document body or a header) the picture belongs to; an SVG
    needs `png_fallback`, the PNG shown by readers that cannot draw SVG.
    """
    cx, cy = Mm(width_mm), Mm(width_mm * asset.aspect)
    if asset.kind == "svg":
        if png_fallback is None:
            raise ValueError("an SVG picture needs its PNG fallback")
        r_id, _ = part.get_or_add_image(io.BytesIO(png_fallback))
    else:
        r_id, _ = part.get_or_add_image(io.BytesIO(asset.path.read_bytes()))
    name = asset.path.name
    inline = CT_Inline.new_pic_inline(shape_id, r_id, name, cx, cy)
    # No gap around the picture: LibreOffice assumes 1/8 inch on each side when these are absent.
    for side in ("distT", "distB", "distL", "distR"):
        inline.set(side, "0")
    inline.docPr.set("descr", alt)
    inline.find(".//" + qn("pic:cNvPr")).set("descr", alt)
    if asset.kind == "svg":
        svg_id = part.relate_to(_svg_part(part, asset), RT.IMAGE)
        blip = inline.find(".//" + qn("a:blip"))
        blip.append(parse_xml(
            f'<a:extLst {nsdecls("a", "r")}><a:ext uri="{SVG_EXT_URI}">'
            f'<asvg:svgBlip xmlns:asvg="{ASVG_NS}" r:embed="{svg_id}"/></a:ext></a:extLst>'))
    run = OxmlElement("w:r")
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    run.append(drawing)
    return run


def _svg_part(part, asset: Asset) -> ImagePart:
    """The package's part holding this SVG (one per file, however often it is shown)."""
    images = part.package.image_parts
    data = asset.path.read_bytes()
    for existing in images:
        if existing.content_type == SVG_CONTENT_TYPE and existing.blob == data:
            return existing
    partname = PackURI(images._next_image_partname("svg"))
    svg = ImagePart(partname, SVG_CONTENT_TYPE, data)
    images.append(svg)
    return svg


def table(rows: Sequence[Sequence[list]], *, style: str, caption: str, header_rows: int,
          widths_mm: Sequence[float]):
    """A `w:tbl` of `rows`, each a sequence of cells, each a list of `w:p`.

    The first `header_rows` rows repeat at the top of every page the table runs onto.
    """
    tbl = OxmlElement("w:tbl")
    total = sum(widths_mm)
    tbl.append(parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblStyle w:val="{style}"/>'
        f'<w:tblW w:w="{twips(total)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr>'))
    caption_el = OxmlElement("w:tblCaption")
    caption_el.set(qn("w:val"), caption)
    tbl.find(qn("w:tblPr")).append(caption_el)
    grid = OxmlElement("w:tblGrid")
    for width in widths_mm:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(twips(width)))
        grid.append(col)
    tbl.append(grid)
    for r, cells in enumerate(rows):
        tr = OxmlElement("w:tr")
        tr_pr = OxmlElement("w:trPr")
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        tr.append(tr_pr)
        for paragraphs, width in zip(cells, widths_mm, strict=True):
            tr.append(_cell(paragraphs, width))
        tbl.append(tr)
    return tbl


def _cell(paragraphs: Iterable, width_mm: float):
    tc = OxmlElement("w:tc")
    tc_pr = OxmlElement("w:tcPr")
    tc_w = OxmlElement("w:tcW")
    tc_w.set(qn("w:w"), str(twips(width_mm)))
    tc_w.set(qn("w:type"), "dxa")
    tc_pr.append(tc_w)
    tc.append(tc_pr)
    tc.extend(paragraphs)
    return tc


def column_widths(texts: Sequence[Sequence[str]], total_mm: float, minimum: float = 0.12) -> list[float]:
    """Column widths sharing `total_mm` by the longest text of each column (each at
    least `minimum` of the whole), as a reader would size them by eye."""
    columns = len(texts[0])
    longest = [max(max(len(row[c]) for row in texts), 3) for c in range(columns)]
    shares = [max(n / sum(longest), minimum) for n in longest]
    return [round(total_mm * s / sum(shares), 2) for s in shares]
