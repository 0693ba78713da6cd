"""Render a `Document` as an editable Word document (DOCX).

Partners excerpt, adapt and re-publish the DOCX in Word or LibreOffice, so it is built
the way Word builds documents, not as a picture of the PDF:

- the body only names styles (`docx_styles`); the only run formatting is the model's
  bold and italic;
- page numbers, the running chapter title, the table of contents and the handbook's
  cross-references are fields (`docx_fields`), each stored with a result already
  filled in. The document does not set `w:updateFields` (Word would ask "This document
  contains fields that may refer to other files. Update the fields?" on every open):
  Word repaginates PAGE, NUMPAGES and STYLEREF in headers and footers itself and shows
  the stored contents and PAGEREF numbers until the reader updates fields (F9). Those
  stored numbers are the page estimate below, or, for a release, the pages LibreOffice
  laid the same file out on (`bookmark_pages`, see `pipeline.release.docx_pages`);
- handbook chapters are sections that start on a new page, or on an odd page with
  `chapter_start: recto`; the chapter headings carry bookmarks that the contents and
  the "related crime areas" link to.

There is no print mode: `--print` (bleed, crop marks, a page count padded to a
multiple of four and a back cover) concerns the print-shop PDF only.

The content and its order are the PDF's (see templates/*.html.j2): every printed word
comes from the document's labels, meta, front matter and chapters.

The bytes depend on the document only: the package is rewritten with fixed zip
timestamps, and the core properties carry the edition date, not the build time.
`docProps/app.xml` names the producing tool and its version as the Application.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipeline import producer
from pipeline.checks.breaks import MAX_HYPHENATED_LINES
from pipeline.content.links import describe_address, describe_page
from pipeline.content.model import (
    Asset,
    BulletList,
    Chapter,
    Document,
    Figure,
    Focus,
    Inline,
    KeyFigure,
    Paragraph,
    Quote,
    Section,
    Table,
)
from pipeline.errors import BuildError
from pipeline.render import docx_anchors, docx_bidi
from pipeline.render import docx_fields as f
from pipeline.render import docx_media as media
from pipeline.render.docx_styles import (
    BAND_LINK_STYLE,
    CREDITS_LABEL_STYLE,
    FIGURE_CREDIT_STYLE,
    HYPERLINK_STYLE,
    HYPHENATION_ZONE_MM,
    LINE_HEIGHT_EM,
    PAGE_NUMBER_STYLE,
    PAPER_MM,
    STYLE_BY_ID,
    TABLE_CELL_SUFFIX,
    TABLE_STYLE,
    apply_numbering,
    apply_styles,
    column_width_mm,
    font_table,
    hex_colour,
    margins_of,
    text_height_mm,
    text_width_mm,
    twips,
)

# Field instructions. The TOC collects Heading 1 (chapter titles: each section shares
# its chapter's page) as hyperlinks (\h), without page numbers in web view (\z),
# keeping outline levels (\u); chapter running heads follow the nearest Heading 1.
TOC_FIELD = 'TOC \\o "1-1" \\h \\z \\u'
RUNNING_HEAD_FIELD = "STYLEREF " + f.quoted("Heading 1")

# Separators between values in running feet and after a cross-reference title;
# punctuation, not words, so they are no translator's business.
META_SEPARATOR = " \u00b7 "
XREF_SEPARATOR = ", "

# Template parts python-docx ships that describe another document (Word 2010 style
# copies, a bibliography stub, a thumbnail of an empty page).
_UNUSED_PART_RELS = (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")

PT_PER_MM = 72 / 25.4
EMU_PER_PT = 12700
# Cell margins above and below a table row's text (the table style's 0.8 mm each).
TABLE_ROW_PADDING_PT = 1.6 * PT_PER_MM

# Height and greatest width of the logo in the factsheet's header and on the
# handbook's cover (mm), as in the PDF's masthead and cover (the header is lower).
HEADER_LOGO_MM, COVER_LOGO_MM = (7, 50), (14, 80)

# Blocks drawn as a bordered box.
_BOXED = (Focus, KeyFigure, Quote)


def render_docx(doc: Document, bookmark_pages: Mapping[str, int] | None = None) -> bytes:
    """The DOCX of `doc`; the same document always gives the same bytes.

    `bookmark_pages` (bookmark name -> page, from a real layout) replaces the estimate in
    the stored results of the contents and cross-references.
    """
    return _DocxBuilder(doc, bookmark_pages).render()


class _DocxBuilder:
    def __init__(self, doc: Document, bookmark_pages: Mapping[str, int] | None = None):
        self.doc = doc
        self.bookmark_pages = dict(bookmark_pages or {})
        self.labels = doc.labels
        self.document = docx.Document()
        self.body = self.document.element.body
        self.final_sectPr = self.body.find(qn("w:sectPr"))
        self.bookmarks = f.Bookmarks()
        # Which field each text came from, for `pipeline review` (see docx_anchors).
        self.anchors = docx_anchors.Anchors(self.bookmarks.next_id)
        # Page-number results to fill in once the body is complete: (bookmark, w:t).
        self.page_results: list[tuple[str, object]] = []
        # Links whose tooltip names a page, filled in with them: (w:hyperlink, title, bookmark).
        self.page_tooltips: list[tuple[object, str, str]] = []
        # Paragraphs that begin a section starting on an odd page (for the page estimate).
        self.odd_starts: set[object] = set()
        # Chapters (and the contents) open on an odd page only with chapter_start: recto.
        self.section_start = "oddPage" if doc.chapter_start == "recto" else "nextPage"
        self.watermarks = 0
        self.handbook = doc.kind == "handbook"
        # Drawing ids (wp:docPr) are unique in the whole package, headers included.
        self.shapes = 0

    # --- the whole document ------------------------------------------------------------

    def render(self) -> bytes:
        doc = self.doc
        self._drop_template_leftovers()
        numbering = apply_numbering(self.document, doc.branding)
        apply_styles(self.document, doc.branding, doc.meta.locale,
                     text_width_mm(doc), doc.kind, numbering)
        self._script_fonts()
        for child in list(self.body):
            if child is not self.final_sectPr:
                self.body.remove(child)
        # Name every bookmark first: related areas may point at later chapters.
        for chapter in doc.chapters:
            self.bookmarks.name(chapter.anchor)

        if self.handbook:
            self._handbook()
        else:
            self._page_setup(self.final_sectPr)
            for chapter in doc.chapters:  # a factsheet has exactly one
                self._chapter(chapter)
            self._credits()
            self._factsheet_running_parts()

        self._fill_page_numbers()
        self._settings()
        self._core_properties()
        docx_anchors.add_custom_properties(self.document, self.anchors.properties(doc))
        if doc.meta.direction == "rtl":
            docx_bidi.right_to_left(self.document, doc.meta.locale)
        out = io.BytesIO()
        self.document.save(out)
        fonts = self.document.part.part_related_by(RT.FONT_TABLE).blob
        return f.reproducible_zip(out.getvalue(), doc.meta.date, replace={
            "docProps/app.xml": f.app_properties(self._organisation(), producer()),
            "word/fontTable.xml": font_table(fonts, doc.font_families()),
        })

    def _organisation(self) -> str:
        return self.doc.front.organisation if self.doc.front else self.doc.meta.author

    def _drop_template_leftovers(self) -> None:
        part = self.document.part
        for rid, rel in list(part.rels.items()):
            if rel.reltype in _UNUSED_PART_RELS:
                part.drop_rel(rid)
        package_rels = part.package.rels
        for rid, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package_rels[rid]

    # --- paragraphs ----------------------------------------------------------------------

    def par(self, style: str, content: Inline | str | None = None, runs=()):
        """Append a paragraph of `style` holding `content` (text or model spans) and
        then `runs`; returns the `w:p`."""
        p = OxmlElement("w:p")
        if style != "Normal":
            ppr = OxmlElement("w:pPr")
            pstyle = OxmlElement("w:pStyle")
            pstyle.set(qn("w:val"), style)
            ppr.append(pstyle)
            p.append(ppr)
        if isinstance(content, str):
            p.extend(self.anchors.wrap(content, [f.text_run(content)]))
        elif content:
            p.extend(self.anchors.wrap(content, self.inline(content)))
        for run in runs:
            p.append(run)
        self.final_sectPr.addprevious(p)
        return p

    def inline(self, spans: Inline, style: str | None = None, link_style: str = HYPERLINK_STYLE) -> list:
        """Runs of model spans; the spans of a link go into one external hyperlink."""
        out: list = []
        link, link_href = None, None
        texts: dict = {}
        for span in spans:
            if span.href is None:
                out.append(f.text_run(span.text, bold=span.bold, italic=span.italic, style=style))
                link_href = None
                continue
            run = f.text_run(span.text, bold=span.bold, italic=span.italic, style=link_style)
            if span.href != link_href:
                rel_id = self.document.part.relate_to(span.href, RT.HYPERLINK, is_external=True)
                link, link_href = f.external_link(rel_id, []), span.href
                out.append(link)
                texts[link] = (span.href, [])
            link.append(run)
            texts[link][1].append(span.text)
        for link, (href, parts) in texts.items():
            f.set_tooltip(link, describe_address(self.labels["link_address"], "".join(parts), href))
        return out

    def picture(self, part, asset: Asset, width_mm: float, alt: str):
        """A run showing `asset` in `part` (the body or a header), SVG with its PNG fallback."""
        self.shapes += 1
        fallback = None
        if asset.kind == "svg":
            from pipeline.render.raster import svg_to_png

            fallback = svg_to_png(asset, width_mm)
        return media.picture_run(part, asset, width_mm, alt, self.shapes, fallback)

    def page_ref(self, bookmark: str) -> list:
        """A PAGEREF field to `bookmark`; its result is filled in by the page estimate."""
        result = f.text_run("")
        self.page_results.append((bookmark, result.find(qn("w:t"))))
        return f.field(f"PAGEREF {bookmark} \\h", [result])

    # --- topic ---------------------------------------------------------------------------

    def _chapter(self, chapter: Chapter):
        """A topic in the PDF's order; returns its first paragraph."""
        # The handbook numbers its chapters (01, 02...) with a Word list, as the PDF
        # does with a counter; a factsheet says what it is.
        first = self.par("ChapterNumber") if self.handbook else self.par("Kicker", self.labels["factsheet"])
        heading = self.par("Heading1", chapter.title)
        self.bookmarks.wrap(heading, chapter.anchor)
        # A link on the title band keeps the band's white: only the underline marks it.
        self.par("Lead", runs=self.anchors.wrap(chapter.lead, self.inline(chapter.lead, link_style=BAND_LINK_STYLE)))
        self._blocks(chapter.intro)
        for section in chapter.sections:
            self._section(section, 2)
        if chapter.related:
            self.par("RelatedHeading", self.labels["related"])
            for ref in chapter.related:
                if self.handbook and ref.anchor in self.bookmarks:
                    self._xref(ref.title, self.bookmarks.name(ref.anchor))
                elif self.handbook and ref.href:  # outside a pack: its published factsheet
                    rel_id = self.document.part.relate_to(ref.href, RT.HYPERLINK, is_external=True)
                    self.par("RelatedArea", runs=[f.external_link(rel_id, [f.text_run(ref.title, style="Hyperlink")])])
                else:
                    self.par("RelatedArea", ref.title)
        elif self.final_sectPr.getprevious().tag == qn("w:tbl"):
            # A section (and the document) must end in a paragraph, not a table.
            self.par("Normal")
        return first

    def _logo(self, part, size: tuple[float, float]):
        """The logo `size[0]` mm high (narrower if it would be wider than `size[1]`)."""
        logo = self.doc.logo
        assert logo is not None
        height, widest = size
        return self.picture(part, logo.asset, min(height / logo.asset.aspect, widest), logo.alt)

    def _credits(self) -> None:
        """The contact and source lines after a factsheet's text, when given."""
        credits = self.doc.credits
        if credits.contact:
            label = [f.text_run(self.labels["contact"], style=CREDITS_LABEL_STYLE), f.text_run(" ")]
            self.par("Credits", runs=[*self.anchors.generated(label), *self._contact_link()])
        if credits.source:
            self.par("Credits", credits.source)

    def _contact_link(self) -> list:
        """The contact as a link (mailto: or https:), shown as typed, in its anchor."""
        credits = self.doc.credits
        rel_id = self.document.part.relate_to(credits.contact_href, RT.HYPERLINK, is_external=True)
        tooltip = describe_address(self.labels["link_address"], credits.contact, credits.contact_href)
        return self.anchors.wrap(credits.contact, [f.external_link(rel_id, [f.text_run(credits.contact,
                                                                                          style="Hyperlink")],
                                                                   tooltip)])

    def _xref(self, title: str, bookmark: str) -> None:
        """`Title, p. N`: the title links to the chapter, N is a PAGEREF field."""
        link = f.internal_link(bookmark, [f.text_run(title, style="Hyperlink")])
        self.page_tooltips.append((link, title, bookmark))
        runs = self.anchors.wrap(title, [link])
        runs += self.anchors.generated([f.text_run(XREF_SEPARATOR),
                                        *self._label_runs("page_ref", {"page": lambda: self.page_ref(bookmark)})])
        self.par("RelatedArea", runs=runs)

    def _section(self, section: Section, level: int) -> None:
        heading = self.par(f"Heading{min(level, 3)}", section.heading)
        self.bookmarks.wrap(heading, section.anchor)
        self._blocks(section.blocks)
        for sub in section.subsections:
            self._section(sub, level + 1)

    def _blocks(self, blocks) -> None:
        previous = None
        for block in blocks:
            # Adjacent paragraphs with the same borders and shading merge into one box
            # (in Word and LibreOffice alike): an empty gap paragraph keeps two
            # call-outs in a row apart.
            if isinstance(block, _BOXED) and isinstance(previous, _BOXED):
                self.par("CalloutGap")
            previous = block
            if isinstance(block, Paragraph):
                self.par("Normal", block.spans)
            elif isinstance(block, BulletList):
                if block.intro is not None:
                    self.par("ListIntro", block.intro)
                for item in block.items:
                    self.par("ListBullet", item)
            elif isinstance(block, Focus):
                self.par("CalloutLabel", self.labels["in_focus"])
                self.par("CalloutTitle", block.title)
                for paragraph in block.body:
                    self.par("CalloutBody", paragraph.spans)
            elif isinstance(block, KeyFigure):
                self.par("KeyFigureLabel", self.labels["key_figure"])
                self.par("KeyFigure", block.value)
                self.par("KeyFigureText", block.text)
                if block.source is not None:
                    self.par("KeyFigureSource", block.source)
            elif isinstance(block, Quote):
                self.par("Quote", block.spans)
                # The attribution and the source share the quotation's caption, a line each.
                lines = [self.anchors.wrap(line, self.inline(line))
                         for line in (block.attribution, block.source) if line is not None]
                if lines:
                    self.par("Caption", runs=lines[0] + ([f.break_run(), *lines[1]] if len(lines) > 1 else []))
            elif isinstance(block, Figure):
                self._figure(block)
            elif isinstance(block, Table):
                self._table(block)
            else:
                raise TypeError(f"unknown block {block!r}")

    def _figure(self, figure: Figure) -> None:
        """The picture at its share of the PDF's column width, then caption and credit."""
        width = column_width_mm(self.doc) * figure.width / 100
        self.par("Figure", runs=self.anchors.wrap(figure.alt, [self.picture(self.document.part, figure.asset,
                                                                             width, figure.alt)]))
        runs = self.anchors.wrap(figure.caption, self.inline(figure.caption)) if figure.caption is not None else []
        if figure.credit is not None:
            runs += (self.anchors.generated([f.text_run(" ")]) if runs else []) + self.anchors.wrap(
                figure.credit, self.inline(figure.credit, style=FIGURE_CREDIT_STYLE))
        if runs:
            self.par("FigureCaption", runs=runs)

    def _table(self, table: Table) -> None:
        """Caption, then a table in the house table style whose header row repeats."""
        caption = self.par("TableCaption", table.caption)
        rows = [table.header, *table.rows]
        cells = []
        for r, row in enumerate(rows):
            role = "TableHeading" if r == 0 else "TableText"
            cells.append([[self._cell_paragraph(role + TABLE_CELL_SUFFIX[align], cell)]
                          for cell, align in zip(row, table.align, strict=True)])
        texts = [["".join(s.text for s in cell) for cell in row] for row in rows]
        widths = media.column_widths(texts, text_width_mm(self.doc))
        caption.addnext(media.table(cells, style=TABLE_STYLE, caption=_plain_text(table.caption),
                                    header_rows=1, widths_mm=widths))

    def _cell_paragraph(self, style: str, content: Inline):
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), style)
        ppr.append(pstyle)
        p.append(ppr)
        p.extend(self.anchors.wrap(content, self.inline(content)))
        return p

    # --- handbook ------------------------------------------------------------------------

    def _handbook(self) -> None:
        """Cover, imprint and foreword; contents on a right-hand page; then each chapter
        as a section starting on a right-hand page (the PDF's `break-before: right`)."""
        doc, front, labels, meta = self.doc, self.doc.front, self.labels, self.doc.meta
        assert front is not None, "a handbook has front matter"
        # Cover.
        if doc.logo is not None:
            self.par("Logo", runs=[self._logo(self.document.part, COVER_LOGO_MM)])
        self.par("Title", front.title)
        self.par("Subtitle", front.subtitle)
        for value in (front.organisation, meta.edition_label, meta.classification):
            self.par("CoverMeta", value)
        # Imprint, on the back of the cover (its heading style starts a page).
        self.par("ImprintHeading", labels["imprint"])
        self.par("ImprintValue", front.organisation,
                 runs=[f.break_run(), *self.anchors.wrap(front.unit, [f.text_run(front.unit)])])
        for label, value in (("edition", meta.edition_label), ("reference", meta.reference),
                             ("classification", meta.classification), ("status", meta.status)):
            self.par("ImprintLabel", labels[label])
            self.par("ImprintValue", value)
        if self.doc.credits.contact:
            self.par("ImprintLabel", labels["contact"])
            self.par("ImprintValue", runs=self._contact_link())
        if self.doc.credits.source:
            self.par("ImprintSource", self.doc.credits.source)
        if self.doc.imprint_approval:
            for approval in (a for a in self.doc.approvals if a.whole_language):
                self.par("ImprintSource", approval.line)
        # Foreword, on page 3 (its heading style starts a page); a pack may have none.
        if front.foreword:
            self.par("FrontHeading", labels["foreword"])
        for paragraph in front.foreword:
            self.par("Normal", paragraph.spans)
        self._end_section(self.final_sectPr.getprevious(), start=None, title_page=True)
        # Contents, then the chapters: each a section of its own. A section keeps its
        # properties in its last paragraph, the last section in the body's.
        starts = [self.par("TOCHeading", labels["contents"])]
        ends = [self._contents()]
        for chapter in doc.chapters:
            starts.append(self._chapter(chapter))
            ends.append(self.final_sectPr.getprevious())
        if self.section_start == "oddPage":
            self.odd_starts.update(starts)
        for i, last in enumerate(ends[:-1]):
            self._end_section(last, start=self.section_start, title_page=i > 0)
        self._page_setup(self.final_sectPr, start=self.section_start, title_page=len(ends) > 1)
        self._handbook_running_parts()

    def _contents(self):
        """The TOC field, pre-filled with the entries Word would generate; returns an
        empty paragraph after it, to hold the section break."""
        entries = [("TOC1", chapter.title, chapter.anchor) for chapter in self.doc.chapters]
        if not entries:
            self.par("Normal", runs=[*f.field_begin(TOC_FIELD), f.field_end()])
        for i, (style, text, anchor) in enumerate(entries):
            bookmark = self.bookmarks.name(anchor)
            runs = f.field_begin(TOC_FIELD) if i == 0 else []
            link = f.internal_link(bookmark, [f.text_run(text), f.tab_run(), *self.page_ref(bookmark)])
            self.page_tooltips.append((link, text, bookmark))
            runs.append(link)
            if i == len(entries) - 1:
                runs.append(f.field_end())
            self.par(style, runs=self.anchors.generated(runs))
        # The section break goes in an empty paragraph after the field: LibreOffice
        # (7.4) drops the page fields of the next footers when the section ends in the
        # paragraph that ends the TOC.
        return self.par("Normal")

    # --- sections, running heads and feet -------------------------------------------------

    def _page_setup(self, sectPr, start: str | None = None, title_page: bool = False) -> None:
        """Give `sectPr` the paper, margins and start of its section (keeping any
        header and footer references)."""
        paper = self.doc.layout.paper
        margins = margins_of(self.doc)
        width, height = PAPER_MM[paper]
        for child in list(sectPr):
            if child.tag not in (qn("w:headerReference"), qn("w:footerReference")):
                sectPr.remove(child)
        children = []
        if start:
            el = OxmlElement("w:type")
            el.set(qn("w:val"), start)
            children.append(el)
        size = OxmlElement("w:pgSz")
        size.set(qn("w:w"), str(twips(width)))
        size.set(qn("w:h"), str(twips(height)))
        children.append(size)
        mar = OxmlElement("w:pgMar")
        for attr, mm in (("top", margins.top), ("right", margins.outer), ("bottom", margins.bottom),
                         ("left", margins.inner), ("header", margins.header),
                         ("footer", margins.footer), ("gutter", 0)):
            mar.set(qn(f"w:{attr}"), str(twips(mm)))
        children.append(mar)
        cols = OxmlElement("w:cols")
        cols.set(qn("w:space"), str(twips(10)))
        children.append(cols)
        if title_page:
            children.append(OxmlElement("w:titlePg"))
        sectPr.extend(children)

    def _end_section(self, last_paragraph, start: str | None, title_page: bool = False) -> None:
        """End a section after `last_paragraph` (Word keeps a section's properties in
        its last paragraph)."""
        sectPr = OxmlElement("w:sectPr")
        self._page_setup(sectPr, start=start, title_page=title_page)
        last_paragraph.get_or_add_pPr()._insert_sectPr(sectPr)

    def _watermark(self) -> list:
        if not self.doc.meta.draft:
            return []
        self.watermarks += 1
        brand = self.doc.branding
        return [f.watermark_run(self.labels["draft_mark"], number=self.watermarks,
                                font=brand["fonts"]["heading"],
                                colour="#" + hex_colour(brand["colours"]["muted"]))]

    def _fill(self, header_footer, lines: list[list]) -> None:
        """Replace a header's or footer's content with one paragraph per line of runs."""
        root = header_footer.part.element
        for child in list(root):
            root.remove(child)
        for runs in lines:
            p = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            pstyle = OxmlElement("w:pStyle")
            pstyle.set(qn("w:val"), "Header" if root.tag == qn("w:hdr") else "Footer")
            ppr.append(pstyle)
            p.append(ppr)
            p.extend(self.anchors.generated(runs))
            root.append(p)

    def _label_runs(self, name: str, fields: dict[str, Callable[[], list]]) -> list:
        """The runs of a label with placeholders, e.g. `Page {page} of {pages}`: the
        translator's words as text, each placeholder as the field given for it."""
        label = self.labels[name]
        runs = []
        try:
            tokens = list(f.label_tokens(label))
        except ValueError as exc:
            raise BuildError(f"label {name} {label!r} is not a valid template: {exc}") from exc
        for kind, value in tokens:
            if kind == "text":
                runs.append(f.text_run(value))
            elif value in fields:
                runs.extend(fields[value]())
            else:
                raise BuildError(f"label {name} {label!r}: unknown placeholder {{{value}}}")
        return runs

    def _page_of(self, pages: int) -> list:
        """`Page N of M` when the document has more than one page (by the estimate),
        else nothing: "Page 1 of 1" is noise.

        An `IF NUMPAGES > 1` field would let Word decide, but LibreOffice drops IF
        fields and prints the values of the fields nested in them ("111").
        """
        if pages <= 1:
            return []
        return self._label_runs("page_of", {"page": lambda: f.field("PAGE", "1"),
                                            "pages": lambda: f.field("NUMPAGES", str(pages))})

    def _factsheet_running_parts(self) -> None:
        """As the PDF: organisation and edition, then the title, on the left; reference
        and classification on the right; `Page N of M` (two pages only) in the middle.
        The logo, if any, heads every page on the right (the PDF's masthead is not repeated)."""
        meta = self.doc.meta
        section = self.document.sections[0]
        _, pages = self._estimate_pages()
        if meta.draft or self.doc.logo is not None:
            section.header.is_linked_to_previous = False
            logo = [f.tab_run(), self._logo(section.header.part, HEADER_LOGO_MM)] if self.doc.logo else []
            self._fill(section.header, [[*logo, *self._watermark()]])
        section.footer.is_linked_to_previous = False
        self._fill(section.footer, [
            [f.text_run(meta.author + META_SEPARATOR + meta.edition_label), f.tab_run(),
             *self._page_of(pages), f.tab_run(), f.text_run(meta.reference)],
            [f.text_run(meta.title), f.tab_run(), f.tab_run(), f.text_run(meta.classification)],
        ])

    def _page_number(self) -> list:
        return f.field("PAGE", "1", style=PAGE_NUMBER_STYLE)

    def _handbook_running_parts(self) -> None:
        """As the PDF: left pages carry the handbook title above, and the page number,
        reference and classification below; right pages the chapter title above, and
        the edition, classification and page number below. The cover has neither; the
        front matter and each chapter's opening page have no running head.

        Word inherits a header or footer a section does not define from the section
        before, so the front matter defines the feet, the first chapter defines the
        left-page head, and every chapter defines its own right-page head (a STYLEREF
        field stored with that chapter's title, so it is right even where fields never
        update). An opening page has a foot of its own (Word's first-page footer, with
        no left/right variant): the right-page foot, or the left-page one for a chapter
        that opens on a left page (`chapter_start: page`, by the page estimate); a
        chapter defines it when its side differs from the chapter before's.
        """
        meta, front = self.doc.meta, self.doc.front
        self.document.settings.odd_and_even_pages_header_footer = True
        sections = self.document.sections
        front_matter = sections[0]
        front_matter.different_first_page_header_footer = True

        def foot(page: int) -> list:
            """The foot of a right (odd) or left (even) page: the number on the outer edge."""
            if page % 2:
                return [f.text_run(meta.edition_label + META_SEPARATOR + meta.classification), f.tab_run(),
                        *self._page_number()]
            return [*self._page_number(), f.tab_run(),
                    f.text_run(meta.reference + META_SEPARATOR + meta.classification)]

        parts = [
            (front_matter.first_page_header, [self._watermark()]),
            (front_matter.first_page_footer, [[]]),
            (front_matter.header, [self._watermark()]),
            (front_matter.even_page_header, [self._watermark()]),
            (front_matter.footer, [foot(1)]),
            (front_matter.even_page_footer, [foot(2)]),
        ]
        chapters = sections[2:]
        if chapters:
            parts.append((chapters[0].even_page_header, [[f.text_run(front.title), *self._watermark()]]))
        pages, _ = self._estimate_pages()
        side = None
        for section, chapter in zip(chapters, self.doc.chapters, strict=True):
            parts.append((section.header, [[f.tab_run(), *f.field(RUNNING_HEAD_FIELD, chapter.title),
                                            *self._watermark()]]))
            opening = pages.get(self.bookmarks.name(chapter.anchor), 1)
            if opening % 2 != side:
                side = opening % 2
                parts.append((section.first_page_footer, [foot(opening)]))
        for part, lines in parts:
            part.is_linked_to_previous = False
            self._fill(part, lines)

    # --- page numbers ----------------------------------------------------------------------

    def _fill_page_numbers(self) -> None:
        if not self.page_results:
            return
        estimated, _ = self._estimate_pages()
        pages = {**estimated, **self.bookmark_pages}
        for bookmark, t in self.page_results:
            t.text = str(pages.get(bookmark, 1))
        for link, title, bookmark in self.page_tooltips:
            f.set_tooltip(link, describe_page(self.labels["link_page"], title, pages.get(bookmark, 1)))

    def _estimate_pages(self) -> tuple[dict[str, int], int]:
        """The page each bookmark is likely to fall on, and the page count, from a
        simple model of line breaking (average glyph widths of the Noto faces) and
        page filling.

        Only stored field results use it: the contents and cross-references, and
        whether a factsheet's foot shows its page count. Word shows the contents and
        cross-references as stored; LibreOffice computes PAGEREF itself but shows the
        contents as stored, so the model follows LibreOffice's layout (on long synthetic
        handbooks, A4 and Letter, it gives the same pages). A release replaces it with
        the pages LibreOffice actually lays the file out on.
        """
        width_pt = text_width_mm(self.doc) * PT_PER_MM
        page_height = text_height_mm(self.doc) * PT_PER_MM
        # `used` is the height taken on the current page down to the last line set;
        # the space after that line is `gap`, dropped if the page ends there.
        page, used, gap = 1, 0.0, 0.0
        found: dict[str, int] = {}
        for p in (el for el in self.body if el.tag in (qn("w:p"), qn("w:tbl"))):
            if p.tag == qn("w:tbl"):
                # Rows of one line each; a table may break between rows.
                row = STYLE_BY_ID["TableText"].size * LINE_HEIGHT_EM + TABLE_ROW_PADDING_PT
                top = used + gap if used else 0.0
                if used and top + 2 * row > page_height:
                    page, top = page + 1, 0.0
                used, gap = top + row * len(p.findall(qn("w:tr"))), 0.0
                while used > page_height:
                    page, used = page + 1, used - page_height + row  # the header row repeats
                continue
            breaks = p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
            if breaks and not _text_of(p):
                # LibreOffice drops an empty paragraph that only ends a section.
                page, used, gap = page + 1, 0.0, 0.0
                continue
            spec = STYLE_BY_ID.get(_style_of(p), STYLE_BY_ID["Normal"])
            if (p in self.odd_starts and page % 2 == 0) or (spec.page_break_before and used):
                page, used, gap = page + 1, 0.0, 0.0
            line = spec.size * LINE_HEIGHT_EM * spec.line
            avail = width_pt - (spec.indent_left + spec.indent_right) * PT_PER_MM
            lines = max(1, math.ceil(_text_width(_text_of(p), spec) / (avail * 0.97)))
            picture = sum(int(e.get("cy")) for e in p.iter(qn("wp:extent"))) / EMU_PER_PT
            # What must fit on this page: all lines if kept together, else two (widow
            # control), and the start of the next paragraph if kept with it.
            first = line * (lines if spec.keep_lines else min(lines, 2)) + picture
            need = first + (2 * line if spec.keep_next else 0)
            top = used + gap + spec.before if used else 0.0
            if used and top + need > page_height:
                page, top = page + 1, 0.0
            for start in p.iter(qn("w:bookmarkStart")):
                found[start.get(qn("w:name"))] = page
            used = top + lines * line + picture
            while used > page_height:
                page, used = page + 1, used - page_height
            gap = spec.after
            if breaks:
                page, used, gap = page + 1, 0.0, 0.0  # every section here starts a new page
        return found, page

    # --- document settings and properties ---------------------------------------------------

    def _settings(self) -> None:
        settings = self.document.settings.element
        for tag in ("w:rsids", "w:proofState", "w:savePreviewPicture"):
            for el in settings.findall(qn(tag)):
                settings.remove(el)
        if margins_of(self.doc).mirror:
            settings.find(qn("w:zoom")).addnext(OxmlElement("w:mirrorMargins"))
        tab_stop = settings.find(qn("w:defaultTabStop"))
        limit = OxmlElement("w:consecutiveHyphenLimit")
        limit.set(qn("w:val"), str(MAX_HYPHENATED_LINES))  # as the PDF: pipeline.checks.breaks
        tab_stop.addnext(limit)
        tab_stop.addnext(OxmlElement("w:autoHyphenation"))
        limit.addnext(OxmlElement("w:doNotHyphenateCaps"))
        # Word leaves a line unhyphenated when its gap is narrower than the zone (twips).
        zone = OxmlElement("w:hyphenationZone")
        zone.set(qn("w:val"), str(twips(HYPHENATION_ZONE_MM)))
        limit.addnext(zone)
        lang = settings.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:val"), self.doc.meta.locale)

    def _script_fonts(self) -> None:
        """The language's own fonts (branding `fonts.by_language`) as the complex-script
        font of every style and of the list bullets."""
        script = self.doc.branding.get("script_fonts")
        if script:
            for part in (self.document.styles.element, self.document.part.numbering_part.element):
                docx_bidi.script_fonts(part, self.doc.branding["fonts"], script)

    def _core_properties(self) -> None:
        meta = self.doc.meta
        props = self.document.core_properties
        stamp = dt.datetime.combine(meta.date, dt.time(0, 0))
        props.title = meta.title
        props.subject = meta.subject
        props.author = meta.author
        props.last_modified_by = meta.author
        props.keywords = ", ".join(meta.keywords)
        props.language = meta.lang
        props.identifier = meta.reference
        props.content_status = meta.status
        props.category = self.labels["handbook" if self.handbook else "factsheet"]
        props.comments = ""
        props.created = stamp
        props.modified = stamp
        props.revision = 1


def _plain_text(spans: Inline) -> str:
    return "".join(span.text for span in spans)


def _style_of(p) -> str:
    pstyle = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return pstyle.get(qn("w:val")) if pstyle is not None else "Normal"


def _text_of(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


# Average advance of a character in text, in em, measured on English and French prose.
_AVERAGE_ADVANCE = {"body": 0.476, "heading": 0.471}


def _text_width(text: str, spec) -> float:
    advance = _AVERAGE_ADVANCE.get(spec.font, 0.48) * (1.06 if spec.bold else 1.0)
    if spec.caps:
        advance *= 1.3
    return len(text) * (advance * spec.size + spec.tracking)
