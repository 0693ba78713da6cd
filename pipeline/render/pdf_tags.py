"""Complete WeasyPrint's tagging so that every PDF we write is PDF/UA-1 for real.

WeasyPrint tags the document's boxes well, but leaves five things a screen reader
trips over (issue 22), which this pass, run on the written file with pikepdf, mends:

* **Running heads and feet.** The text of the page-margin boxes (running heads, page
  numbers, the reference and classification lines) is marked with MCIDs whose
  structure elements hang from nothing. Each such sequence becomes a pagination
  artifact, `/Artifact <</Type /Pagination /Subtype /Header>>` above the middle of the
  page, `/Footer` below it, and its elements are dropped. The contents' dotted leaders
  (one tagged Span per dot) become layout artifacts, and a draft edition's mark a
  watermark.
* **A whole tree.** MCIDs are renumbered in page order, and the ParentTree is rebuilt
  from the tree itself, so every MCID is in exactly one reachable element, every
  element the ParentTree names is in the tree, and each annotation's StructParent is
  the element that holds it.
* **One link per reference.** A link's generated text (", p. 13", a contents line's
  leader and number) comes out of WeasyPrint as a Link element and annotation of its
  own, nested in the link's: a screen reader announces the reference twice. Nested
  Link elements are folded into the outermost one, and the annotations of one Link
  on one line into one annotation (its Rect the union, QuadPoints each part); a link
  broken over two lines keeps an annotation a line, in one Link element.
* **Links that say where they go.** Each link's /Contents describes its target in the
  document's language, from the labels of `_strings.yaml`: "Organised crime, page 13"
  (`link_page`), "the port study (example.org/study)" (`link_address`), the same
  words as the DOCX's tooltips (`pipeline.content.links`).
* **Details of the standard.** Header cells get a /Scope, figures a BBox in PDF
  coordinates (WeasyPrint writes CSS pixels, top down), list items that hold loose
  text get it in their body, element IDs an IDTree, and the XMP of the print (PDF/X-4)
  and archive (PDF/A-2u, with the extension schema PDF/A asks for) files the PDF/UA
  identification.

Print files carry no links (`links=False`): their Link elements become Spans.

Every step is deterministic: the same WeasyPrint file always gives the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import pikepdf
from pikepdf import Array, Dictionary, Name

from pipeline.checks.pdfread import MCR, OBJR, Element, apply, destinations, link_target, read_tree
from pipeline.content.links import describe_address, describe_page
from pipeline.content.model import Document, Span, plain
from pipeline.render.pdf_marks import PageMarks, page_marks

# A leader is this many (or more) one-dot sequences in one element.
LEADER_MIN_DOTS = 3
LEADER_TEXT = "."

# Two annotations of one link are on one line when their rectangles overlap vertically
# by at least this share of the lower one.
SAME_LINE = 0.5

PDFUA_PART = "1"
_RDF_END = re.compile(rb"</rdf:RDF>")
_PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
_UA_DESCRIPTION = (f'<rdf:Description xmlns:pdfuaid="{_PDFUA_NS}" rdf:about="" '
                   f'pdfuaid:part="{PDFUA_PART}"/>')
# PDF/A accepts properties outside its predefined schemas only when the XMP describes
# their schema (ISO 19005-2, 6.6.2.3.2): the PDF/UA identification's.
_UA_EXTENSION_SCHEMA = """<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"""


def complete_tags(pdf: pikepdf.Pdf, doc: Document, *, links: bool = True) -> None:
    """Mend WeasyPrint's tagging of `pdf`, the PDF of `doc` (see the module docstring);
    `links=False` (print files) removes the link annotations and their Link tags."""
    if "/StructTreeRoot" not in pdf.Root:
        return
    _Tagger(pdf, doc, links).run()
    identify_pdfua(pdf)


def identify_pdfua(pdf: pikepdf.Pdf) -> None:
    """Add the PDF/UA-1 identification to the XMP if it lacks one (WeasyPrint writes it
    only for its pdf/ua variants), with the extension schema a PDF/A file needs."""
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return
    xmp = stream.read_bytes()
    if b"pdfuaid:part" in xmp:
        return
    added = _UA_DESCRIPTION + (_UA_EXTENSION_SCHEMA if b"pdfaid:part" in xmp else "")
    stream.write(_RDF_END.sub(lambda _: added.encode() + b"</rdf:RDF>", xmp, count=1))


@dataclass
class _Page:
    index: int
    page: pikepdf.Page
    # Its marked-content sequences.
    marks: PageMarks
    # Old MCID -> the property list of the artifact it becomes (absent: it stays tagged).
    artifacts: dict[int, Dictionary] = field(default_factory=dict)
    # Old MCID -> new MCID.
    renumbered: dict[int, int] = field(default_factory=dict)


class _Tagger:
    def __init__(self, pdf: pikepdf.Pdf, doc: Document, links: bool) -> None:
        self.pdf = pdf
        self.doc = doc
        self.links = links
        self.root = pdf.Root.StructTreeRoot
        fonts: dict = {}
        self.pages = [_Page(i, page, page_marks(page, fonts)) for i, page in enumerate(pdf.pages)]
        self.by_id = {p.page.obj.objgen: p for p in self.pages}
        tree = read_tree(pdf)
        assert tree is not None
        self.tree = tree
        self.owner: dict[tuple, Element] = {}
        for element in tree.elements():
            for kid in element.kids:
                if isinstance(kid, MCR):
                    self.owner.setdefault((kid.page, kid.mcid), element)

    def run(self) -> None:
        self.pagination_artifacts()
        self.leaders()
        if self.doc.meta.draft:
            self.watermark()
        self.drop_artifacts_from_tree()
        if self.links:
            self.one_link_per_reference()
        else:
            self.unlink()
        self.loose_list_content()
        self.table_headers()
        self.figure_boxes()
        self.rewrite_content()
        self.write_tree()
        if self.links:
            self.describe_links()

    # --- artifacts --------------------------------------------------------------------------

    def pagination_artifacts(self) -> None:
        """Sequences whose MCID no reachable element holds: the page-margin boxes."""
        for page in self.pages:
            box = [float(v) for v in page.page.obj.get("/TrimBox", page.page.mediabox)]
            middle = (box[1] + box[3]) / 2
            objgen = page.page.obj.objgen
            for mcid in page.marks.sequences:
                if (objgen, mcid) in self.owner:
                    continue
                y = page.marks.first_y(mcid)
                top = y is not None and y > middle
                page.artifacts[mcid] = Dictionary(
                    Type=Name.Pagination, Subtype=Name.Header if top else Name.Footer,
                    Attached=Array([Name.Top if top else Name.Bottom]))

    def leaders(self) -> None:
        """The dots of a leader (`leader(dotted)`): one-glyph sequences showing "."."""
        dots: dict[Element, list[tuple[_Page, int]]] = defaultdict(list)
        for page in self.pages:
            objgen = page.page.obj.objgen
            for mcid in page.marks.sequences:
                if (objgen, mcid) in self.owner and page.marks.one_glyph(mcid) == LEADER_TEXT:
                    dots[self.owner[(objgen, mcid)]].append((page, mcid))
        for found in dots.values():
            if len(found) >= LEADER_MIN_DOTS:
                for page, mcid in found:
                    page.artifacts[mcid] = Dictionary(Type=Name.Layout)

    def watermark(self) -> None:
        """A draft's mark: a top-level element whose whole text is the draft label."""
        label = "".join(self.doc.labels["draft_mark"].split())
        for top in self.tree.roots:
            for element in list(top.kids):
                if not isinstance(element, Element):
                    continue
                items = [item for item in element.contents() if isinstance(item, MCR)]
                if items and "".join("".join(self._text(item) for item in items).split()) == label:
                    for item in items:
                        self.by_id[item.page].artifacts[item.mcid] = Dictionary(
                            Type=Name.Pagination, Subtype=Name.Watermark)
                    top.kids.remove(element)

    def _text(self, item: MCR) -> str:
        page = self.by_id.get(item.page)
        return page.marks.text(item.mcid) if page is not None and item.mcid in page.marks.sequences else ""

    def drop_artifacts_from_tree(self) -> None:
        """Take the MCIDs turned into artifacts out of their elements, and drop the
        elements left with nothing."""
        for root in self.tree.roots:
            self._prune(root)

    def _prune(self, element: Element) -> bool:
        """Prune `element`'s subtree; True when it is left empty."""
        kept: list = []
        for kid in element.kids:
            if isinstance(kid, Element):
                if not self._prune(kid):
                    kept.append(kid)
            elif isinstance(kid, MCR):
                page = self.by_id.get(kid.page)
                if page is not None and kid.mcid not in page.artifacts:
                    kept.append(kid)
            else:
                kept.append(kid)
        element.kids = kept
        return not kept

    # --- links ------------------------------------------------------------------------------

    def one_link_per_reference(self) -> None:
        for root in self.tree.roots:
            self._fold_nested_links(root, None)
        for element in list(self._elements()):
            self._join_link_fragments(element)
        for link in [e for e in self._elements() if e.type == "/Link"]:
            self._merge_annotations(link)

    def _elements(self):
        for root in self.tree.roots:
            yield from root.elements()

    def _fold_nested_links(self, element: Element, link: Element | None) -> None:
        """Replace each Link inside a Link by its kids."""
        kids: list = []
        inner_link = link if link is not None else (element if element.type == "/Link" else None)
        for kid in element.kids:
            if isinstance(kid, Element):
                self._fold_nested_links(kid, inner_link)
                if inner_link is not None and kid.type == "/Link":
                    for grandkid in kid.kids:
                        if isinstance(grandkid, Element):
                            grandkid.parent = element
                    kids.extend(kid.kids)
                    continue
            kids.append(kid)
        element.kids = kids

    def _join_link_fragments(self, element: Element) -> None:
        """Neighbouring Link elements to the same target (a link broken over two lines)
        become one."""
        kids: list = []
        for kid in element.kids:
            previous = kids[-1] if kids else None
            if isinstance(kid, Element) and kid.type == "/Link" and isinstance(previous, Element) \
                    and previous.type == "/Link" and self._target(previous) == self._target(kid) is not None:
                for grandkid in kid.kids:
                    if isinstance(grandkid, Element):
                        grandkid.parent = previous
                previous.kids.extend(kid.kids)
                continue
            kids.append(kid)
        element.kids = kids

    def _target(self, link: Element):
        for item in link.contents():
            if isinstance(item, OBJR):
                kind, target = link_target(self.pdf, item.obj, self._dests, self._page_index)
                return (kind, target[0] if kind == "page" else target)
        return None

    @cached_property
    def _dests(self) -> dict:
        return destinations(self.pdf)

    @cached_property
    def _page_index(self) -> dict:
        return {p.page.obj.objgen: p.index for p in self.pages}

    def _merge_annotations(self, link: Element) -> None:
        """One annotation per line of the link: the others on that line are merged
        into the first (Rect the union, QuadPoints each), and leave the page."""
        objrs = [item for item in link.contents() if isinstance(item, OBJR)]
        kept: list[OBJR] = []
        for objr in objrs:
            rect = _rect(objr.obj)
            for other in kept:
                if other.page == objr.page and _same_line(_rect(other.obj), rect):
                    _absorb(other.obj, rect)
                    self._remove_annotation(objr)
                    break
            else:
                kept.append(objr)
        self._strip_objrs(link)
        link.kids[0:0] = kept

    def _strip_objrs(self, element: Element) -> None:
        element.kids = [kid for kid in element.kids if not isinstance(kid, OBJR)]
        for kid in element.kids:
            if isinstance(kid, Element):
                self._strip_objrs(kid)

    def _remove_annotation(self, objr: OBJR) -> None:
        page = self.by_id[objr.page].page.obj
        page.Annots = Array([a for a in page.Annots if a.objgen != objr.obj.objgen])

    def unlink(self) -> None:
        """Print files: no annotations; a Link element is text like any other (Span)."""
        for page in self.pages:
            if "/Annots" in page.page.obj:
                del page.page.obj["/Annots"]
        for element in self._elements():
            element.kids = [kid for kid in element.kids if not isinstance(kid, OBJR)]
            if element.type == "/Link":
                element.obj.S = Name.Span
                element.type = "/Span"

    def describe_links(self) -> None:
        """Each link annotation's /Contents: where it leads, in the document's words."""
        titles = _anchor_titles(self.doc)
        texts = _link_texts(self.doc)
        labels = self.doc.labels
        for link in (e for e in self._elements() if e.type == "/Link"):
            for objr in (kid for kid in link.kids if isinstance(kid, OBJR)):
                kind, target = link_target(self.pdf, objr.obj, self._dests, self._page_index)
                if kind == "page":
                    index, name = target
                    title = titles.get(name) or self._link_text(link)
                    objr.obj.Contents = pikepdf.String(describe_page(labels["link_page"], title, index + 1))
                elif kind == "uri":
                    text = texts.get(target) or self._link_text(link)
                    objr.obj.Contents = pikepdf.String(describe_address(labels["link_address"], text, target))

    def _link_text(self, link: Element) -> str:
        return " ".join("".join(self._text(item) for item in link.contents() if isinstance(item, MCR)).split())

    # --- lists, tables, figures ---------------------------------------------------------------

    def loose_list_content(self) -> None:
        """Content directly in a list (the space between inline items) or in a list item
        beside its label and body goes into the neighbouring item's body."""
        for element in list(self._elements()):
            if element.type == "/L":
                kids, pending = [], []
                for kid in element.kids:
                    if isinstance(kid, Element) and kid.type in ("/LI", "/L", "/Caption"):
                        if pending and kid.type == "/LI":
                            body = self._body(kid)
                            for loose in pending:
                                if isinstance(loose, Element):
                                    loose.parent = body
                            body.kids[0:0] = pending
                            pending = []
                        kids.append(kid)
                    elif kids and kids[-1].type == "/LI":
                        self._adopt(self._body(kids[-1]), kid)
                    else:
                        pending.append(kid)
                if pending:
                    item = self._new(element, "/LI")
                    self._body(item).kids.extend(pending)
                    kids.append(item)
                element.kids = kids
            elif element.type == "/LI":
                loose = [kid for kid in element.kids if not (isinstance(kid, Element)
                                                           and kid.type in ("/Lbl", "/LBody"))]
                if loose:
                    element.kids = [kid for kid in element.kids if kid not in loose]
                    body = self._body(element)
                    for kid in loose:
                        self._adopt(body, kid)

    def _body(self, item: Element) -> Element:
        for kid in item.kids:
            if isinstance(kid, Element) and kid.type == "/LBody":
                return kid
        return self._new(item, "/LBody")

    def _new(self, parent: Element, kind: str) -> Element:
        obj = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(kind), K=Array()))
        if parent.page is not None:
            obj.Pg = parent.obj.Pg
        element = Element(obj, parent)
        parent.kids.append(element)
        return element

    @staticmethod
    def _adopt(parent: Element, kid) -> None:
        if isinstance(kid, Element):
            kid.parent = parent
        parent.kids.append(kid)

    def table_headers(self) -> None:
        """/Scope for every header cell: Column in a table's head, Row elsewhere."""
        for cell in self._elements():
            if cell.type != "/TH":
                continue
            section = cell.parent.parent if cell.parent is not None else None
            scope = Name.Column if section is not None and section.type == "/THead" else Name.Row
            attributes = cell.obj.get("/A")
            if not isinstance(attributes, Dictionary):
                attributes = Dictionary(O=Name.Table)
                cell.obj.A = attributes
            attributes.Scope = scope

    def figure_boxes(self) -> None:
        """A Figure's BBox in the page's default user space (WeasyPrint writes it in CSS
        pixels from the top left)."""
        for figure in self._elements():
            if figure.type != "/Figure":
                continue
            attributes = figure.obj.get("/A")
            page = self.by_id.get(figure.page)
            if not isinstance(attributes, Dictionary) or "/BBox" not in attributes or page is None:
                continue
            base = page.marks.base
            x0, y0, x1, y1 = (float(v) for v in attributes.BBox)
            corners = [apply(base, x, y) for x, y in ((x0, y0), (x1, y1))]
            xs, ys = sorted(c[0] for c in corners), sorted(c[1] for c in corners)
            attributes.BBox = Array([round(xs[0], 3), round(ys[0], 3), round(xs[1], 3), round(ys[1], 3)])

    # --- writing -----------------------------------------------------------------------------

    def rewrite_content(self) -> None:
        """Artifacts get their property list; the other sequences their MCIDs in order."""
        for page in self.pages:
            for mcid in page.marks.sequences:
                if mcid not in page.artifacts:
                    page.renumbered[mcid] = len(page.renumbered)
            page.page.obj.Contents = self.pdf.make_stream(page.marks.rewritten(page.artifacts, page.renumbered))

    def write_tree(self) -> None:
        """Every element's K and P from the tree as mended; the ParentTree rebuilt from it."""
        page_objs = {p.page.obj.objgen: p.page.obj for p in self.pages}
        per_page: dict[tuple, dict[int, pikepdf.Object]] = defaultdict(dict)
        annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []
        ids: list[tuple[str, pikepdf.Object]] = []
        for element in self._elements():
            kids = Array()
            for kid in element.kids:
                if isinstance(kid, Element):
                    kid.obj.P = element.obj
                    kids.append(kid.obj)
                elif isinstance(kid, MCR):
                    page = self.by_id.get(kid.page)
                    mcid = page.renumbered.get(kid.mcid) if page is not None else None
                    if mcid is None:
                        continue
                    per_page[kid.page][mcid] = element.obj
                    if kid.page == element.page:
                        kids.append(mcid)
                    else:
                        kids.append(Dictionary(Type=Name.MCR, Pg=page_objs[kid.page], MCID=mcid))
                else:
                    reference = Dictionary(Type=Name.OBJR, Obj=kid.obj)
                    if kid.page in page_objs:
                        reference.Pg = page_objs[kid.page]
                    kids.append(reference)
                    annotations.append((kid.obj, element.obj))
            element.obj.K = kids
            if "/ID" in element.obj:
                ids.append((bytes(element.obj.ID).decode("latin-1"), element.obj))
        for root in self.tree.roots:
            root.obj.P = self.root
        self.root.K = Array([root.obj for root in self.tree.roots])
        nums = Array()
        for page in self.pages:
            page.page.obj.StructParents = page.index
            mapping = per_page.get(page.page.obj.objgen, {})
            nums.extend([page.index, Array([mapping.get(i) for i in range(len(page.renumbered))])])
        key = len(self.pages)
        held = set()
        for annotation, element in annotations:
            annotation.StructParent = key
            held.add(annotation.objgen)
            nums.extend([key, element])
            key += 1
        # An annotation no element holds keeps no key into a ParentTree that is not its.
        for page in self.pages:
            for annotation in page.page.obj.get("/Annots", []):
                if "/StructParent" in annotation and annotation.objgen not in held:
                    del annotation["/StructParent"]
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = key
        if ids:
            names = Array()
            for name, obj in sorted(ids, key=lambda pair: pair[0]):
                names.extend([pikepdf.String(name), obj])
            self.root.IDTree = Dictionary(Names=names)


# --- helpers -------------------------------------------------------------------------------


def _rect(annotation: pikepdf.Object) -> list[float]:
    x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def _same_line(a: list[float], b: list[float]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= SAME_LINE * min(a[3] - a[1], b[3] - b[1])


def _quad(rect: list[float]) -> list[float]:
    x0, y0, x1, y1 = rect
    return [x0, y1, x1, y1, x0, y0, x1, y0]


def _absorb(annotation: pikepdf.Object, rect: list[float]) -> None:
    """Widen `annotation` to cover `rect` too."""
    own = _rect(annotation)
    quads = [float(v) for v in annotation.QuadPoints] if "/QuadPoints" in annotation else _quad(own)
    annotation.QuadPoints = Array([round(v, 3) for v in quads + _quad(rect)])
    annotation.Rect = Array([round(v, 3) for v in (min(own[0], rect[0]), min(own[1], rect[1]),
                                                   max(own[2], rect[2]), max(own[3], rect[3]))])


def _anchor_titles(doc: Document) -> dict[str, str]:
    """Anchor -> what a link to it is called: chapter titles and section headings."""
    titles: dict[str, str] = {}

    def sections(items) -> None:
        for section in items:
            titles.setdefault(section.anchor, plain(section.heading))
            sections(section.subsections)

    for chapter in doc.chapters:
        titles[chapter.anchor] = chapter.title
        sections(chapter.sections)
    return titles


def _link_texts(doc: Document) -> dict[str, str]:
    """Web and e-mail address -> the text of its first link in the document."""
    texts: dict[str, str] = {}
    if doc.credits.contact:
        texts[doc.credits.contact_href] = doc.credits.contact

    def walk(value) -> None:
        if isinstance(value, Span):
            return
        if isinstance(value, (tuple, list)):
            run_href: str | None = None
            run: list[str] = []
            for item in value:
                if isinstance(item, Span):
                    if item.href != run_href and run_href is not None:
                        texts.setdefault(run_href, "".join(run))
                        run = []
                    run_href = item.href
                    if item.href is not None:
                        run.append(item.text)
                else:
                    walk(item)
            if run_href is not None:
                texts.setdefault(run_href, "".join(run))
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    walk(doc.chapters)
    walk(doc.front)
    return texts
