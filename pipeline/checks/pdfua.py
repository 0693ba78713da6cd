"""PDF/UA-1 (ISO 14289-1) rules a machine can decide, checked on the finished PDF.

Reads the file with pikepdf, never our HTML: what is tagged is what a screen reader
gets. Each finding names its rule: the Matterhorn Protocol 1.1 failure condition
("18-001") where there is one, else a rule of our own ("ST-1") for a requirement the
standard states but Matterhorn folds into a broader condition; then the clause of
ISO 14289-1 ("§7.8"). `RULES` lists them all; docs/accessibility.md says which
Matterhorn conditions this covers and which need a person.

The rules are those that apply to what the pipeline produces (text, figures, tables,
lists, links, running heads and feet, one language per file): no forms, media,
optional content, embedded files, encryption or JavaScript, which it never writes.

Two judgements are built in, both documented with their rule:

* **Running heads and feet (18-001, 18-002)**: text whose baseline starts within
  `HEAD_BAND_MM` of the trimmed page's top edge, or `FOOT_BAND_MM` of its bottom edge,
  is a running head or foot; it must be a pagination artifact classified Header (top)
  or Footer (bottom). With the branding's margins (15 mm top, 21 mm bottom) our heads
  stand about 11 mm from the top and our feet 11 to 15 mm from the bottom, while the
  text of the page starts about 18 mm from the top and ends 22 mm or more from the
  bottom (the covers' foot 24 mm): a few millimetres to spare on either side.
* **Link descriptions (LK-1)**: a link's /Contents says where it leads when it names
  the page number of an internal target (and is not the target's internal name), or
  the address of an external one (its host, or the e-mail address).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from pipeline.checks import Finding
from pipeline.checks.pdfread import (
    MCR,
    OBJR,
    Element,
    FontText,
    PageContent,
    Paint,
    destinations,
    link_target,
    number_tree,
    read_content,
    read_tree,
)

NAME = "pdfua"

# How far from the trimmed page's top and bottom edges text is a running head or foot
# (see the module docstring); any paper size.
HEAD_BAND_MM = 13.5
FOOT_BAND_MM = 17.5
MM = 72 / 25.4

# Rule -> (ISO 14289-1 clause, what fails). Matterhorn numbers are the Protocol's; the
# others are ours (ST: structure tree, MK: marked, HD: headings, TB: tables, FG:
# figures, LK: links).
RULES: dict[str, tuple[str, str]] = {
    "06-001": ("7.1", "no XMP metadata stream"),
    "06-002": ("5", "the XMP metadata has no PDF/UA identification (pdfuaid:part 1)"),
    "06-003": ("7.1", "the XMP metadata has no dc:title"),
    "07-001": ("7.1", "ViewerPreferences has no DisplayDocTitle"),
    "07-002": ("7.1", "DisplayDocTitle is false"),
    "MK-1": ("7.1", "MarkInfo /Marked is not true"),
    "01-007": ("7.1", "MarkInfo /Suspects is true"),
    "11-001": ("7.2", "the natural language cannot be determined (no /Lang)"),
    "01-003": ("7.1", "content marked as Artifact inside tagged content"),
    "01-004": ("7.1", "tagged content inside content marked as Artifact"),
    "01-005": ("7.1", "content neither marked as Artifact nor tagged as real content"),
    "ST-1": ("7.1", "tagged content (an MCID) not in exactly one element reachable from StructTreeRoot"),
    "ST-2": ("7.1", "the ParentTree disagrees with the structure tree"),
    "ST-3": ("7.1", "a structure element listed twice, with a wrong /P, or orphaned"),
    "ST-4": ("7.2", "the tree's reading order goes back to an earlier page"),
    "02-001": ("7.1", "a structure type is neither standard nor role-mapped to a standard one"),
    "02-003": ("7.1", "a circular role mapping"),
    "02-004": ("7.1", "a standard structure type is remapped"),
    "18-001": ("7.8", "a running head or foot is not a pagination artifact"),
    "18-002": ("7.8", "a running head or foot artifact is not classified Header or Footer"),
    "14-002": ("7.4.2", "numbered headings, but the first is not H1"),
    "14-003": ("7.4", "a numbered heading level is skipped"),
    "14-006": ("7.4.4", "an element holds more than one H"),
    "14-007": ("7.4.4", "the document uses both H and Hn"),
    "HD-1": ("7.4", "an empty heading"),
    "09-004": ("7.2", "table structure elements nested against ISO 32000-1 Table 337"),
    "09-005": ("7.2", "list structure elements nested against ISO 32000-1 Table 336"),
    "09-006": ("7.2", "TOC structure elements nested against ISO 32000-1 Table 333"),
    "15-003": ("7.5", "a TH has no /Scope"),
    "TB-1": ("7.5", "a TD's /Headers names no header cell of its table"),
    "13-004": ("7.3", "a Figure has no alternative text"),
    "FG-1": ("7.3", "a Figure's BBox is missing, off the page, or misses its picture"),
    "19-003": ("7.9", "a Note has no ID"),
    "19-004": ("7.9", "a Note's ID is not unique"),
    "28-002": ("7.18.1", "an annotation (not Widget, Link or PrinterMark) outside an Annot element"),
    "28-004": ("7.18.1", "an annotation without Contents or Alt"),
    "28-007": ("7.18.2", "a TrapNet annotation"),
    "28-008": ("7.18.3", "a page with annotations has no /Tabs"),
    "28-009": ("7.18.3", "a page with annotations has /Tabs other than /S"),
    "28-011": ("7.18.5", "a link annotation not nested in a Link element"),
    "28-012": ("7.18.5", "a link annotation without /Contents"),
    "28-017": ("7.18.8", "a PrinterMark annotation in the structure tree"),
    "LK-1": ("7.18.5", "a link's /Contents does not say where it leads"),
    "LK-2": ("7.18.5", "one reference is more than one link (nested Link elements, overlapping annotations)"),
    "30-001": ("7.20", "a reference XObject"),
    "30-002": ("7.20", "a form XObject with MCIDs drawn more than once"),
    "31-004": ("7.21.3.2", "a Type 2 CIDFont's CIDToGIDMap is neither a stream nor Identity"),
    "31-005": ("7.21.3.2", "a Type 2 CIDFont has no CIDToGIDMap"),
    "31-009": ("7.21.4.1", "a font used for text is not embedded"),
    "31-027": ("7.21.7", "a font has no ToUnicode map"),
    "10-001": ("7.2", "a character code cannot be mapped to Unicode"),
    "31-028": ("7.21.7", "a ToUnicode value is zero"),
    "31-029": ("7.21.7", "a ToUnicode value is U+FEFF or U+FFFE"),
    "31-030": ("7.21.8", "text references the .notdef glyph"),
}

# Standard structure types of ISO 32000-1 (14.8.4).
STANDARD_TYPES = frozenset([
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "H", "H1", "H2", "H3", "H4", "H5", "H6", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH",
    "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link",
    "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form",
])

# Allowed children and parents of table, list and TOC elements (ISO 32000-1 Tables
# 333, 336, 337, as veraPDF's PDF/UA-1 profile reads them). `None` stands for content
# (an MCID or an object reference).
CHILDREN = {
    "Table": ({"TR", "THead", "TBody", "TFoot", "Caption"}, "09-004"),
    "THead": ({"TR"}, "09-004"), "TBody": ({"TR"}, "09-004"), "TFoot": ({"TR"}, "09-004"),
    "TR": ({"TH", "TD"}, "09-004"),
    "L": ({"LI", "L", "Caption"}, "09-005"),
    "LI": ({"Lbl", "LBody"}, "09-005"),
    "TOC": ({"TOC", "TOCI", "Caption"}, "09-006"),
}
PARENTS = {
    "TR": ({"Table", "THead", "TBody", "TFoot"}, "09-004"),
    "TH": ({"TR"}, "09-004"), "TD": ({"TR"}, "09-004"),
    "THead": ({"Table"}, "09-004"), "TBody": ({"Table"}, "09-004"), "TFoot": ({"Table"}, "09-004"),
    "LI": ({"L"}, "09-005"), "Lbl": ({"LI"}, "09-005"), "LBody": ({"LI"}, "09-005"),
    "TOCI": ({"TOC"}, "09-006"),
}

# Character collections whose fonts need no ToUnicode map (ISO 14289-1 7.21.7).
KNOWN_COLLECTIONS = {"Adobe-GB1", "Adobe-CNS1", "Adobe-Japan1", "Adobe-Korea1"}


def check(path: Path) -> list[Finding]:
    """Every PDF/UA-1 finding on the PDF at `path` (see `RULES`)."""
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [Finding(NAME, "read", None, f"cannot read the PDF: {exc}")]
    with pdf:
        return _Check(pdf).run()


@dataclass
class _Page:
    number: int
    page: pikepdf.Page
    content: PageContent
    # MCID -> its text.
    texts: dict[int, str]


class _Check:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.findings: list[Finding] = []
        self.pages = [self._read(number, page) for number, page in enumerate(pdf.pages, start=1)]
        self.page_numbers = {p.page.obj.objgen: p.number for p in self.pages}
        self.by_page = {p.page.obj.objgen: p for p in self.pages}
        self.tree = read_tree(pdf)

    @staticmethod
    def _read(number: int, page: pikepdf.Page) -> _Page:
        content = read_content(page)
        texts: dict[int, list[str]] = defaultdict(list)
        for paint in content.paints:
            mcid = paint.mcid
            if mcid is not None and paint.strings and paint.form is None:
                texts[mcid].append(paint.text)
        return _Page(number, page, content, {mcid: "".join(parts) for mcid, parts in texts.items()})

    def add(self, rule: str, page: int | None, message: str) -> None:
        clause, _ = RULES[rule]
        self.findings.append(Finding(NAME, f"{rule} §{clause}", page, message))

    def run(self) -> list[Finding]:
        self.document()
        self.marked_content()
        self.running_heads_and_feet()
        if self.tree is not None:
            self.structure()
            self.role_map()
            self.headings()
            self.nesting()
            self.tables()
            self.figures()
            self.notes()
        self.annotations()
        self.xobjects()
        self.fonts()
        return self.findings

    # --- the document --------------------------------------------------------------------

    def document(self) -> None:
        root = self.pdf.Root
        metadata = root.get("/Metadata")
        if metadata is None:
            self.add("06-001", None, "the catalog has no /Metadata stream")
        else:
            xmp = self.pdf.open_metadata()
            if str(xmp.get("pdfuaid:part", "")) != "1":
                self.add("06-002", None, "pdfuaid:part is not 1 in the XMP metadata")
            if not str(xmp.get("dc:title", "")).strip():
                self.add("06-003", None, "dc:title is missing or empty in the XMP metadata")
        prefs = root.get("/ViewerPreferences")
        if not isinstance(prefs, pikepdf.Dictionary) or "/DisplayDocTitle" not in prefs:
            self.add("07-001", None, "no /DisplayDocTitle in /ViewerPreferences")
        elif not bool(prefs.DisplayDocTitle):
            self.add("07-002", None, "/DisplayDocTitle is false")
        mark_info = root.get("/MarkInfo")
        if not isinstance(mark_info, pikepdf.Dictionary) or not bool(mark_info.get("/Marked", False)):
            self.add("MK-1", None, "/MarkInfo /Marked is not true: the file does not say it is tagged")
        elif bool(mark_info.get("/Suspects", False)):
            self.add("01-007", None, "/MarkInfo /Suspects is true")
        lang = str(root.get("/Lang", "")).strip()
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
            self.add("11-001", None, f"the catalog's /Lang is {lang!r}: no language for the text")

    # --- marked content --------------------------------------------------------------------

    def marked_content(self) -> None:
        for page in self.pages:
            for paint in page.content.paints:
                tagged = [i for i, m in enumerate(paint.marks) if m.mcid is not None]
                artifact = [i for i, m in enumerate(paint.marks) if m.artifact]
                where = _where(paint)
                if not tagged and not artifact:
                    self.add("01-005", page.number, f"{_what(paint)} {where} is neither an artifact nor tagged")
                elif tagged and artifact:
                    if artifact[-1] > tagged[0]:
                        self.add("01-003", page.number, f"an artifact inside tagged content (MCID "
                                 f"{paint.marks[tagged[0]].mcid}) {where}")
                    if tagged[-1] > artifact[0]:
                        self.add("01-004", page.number, f"tagged content (MCID {paint.marks[tagged[-1]].mcid}) "
                                 f"inside an artifact {where}")

    def running_heads_and_feet(self) -> None:
        for page in self.pages:
            top, bottom = bands(page.page)
            reported: set = set()
            for paint in page.content.paints:
                if not (paint.y > top or paint.y < bottom) or not paint.strings:
                    continue
                text = paint.text.strip()
                if not text:
                    continue
                part = "Header" if paint.y > top else "Footer"
                artifact = paint.artifact
                # One finding per marked-content sequence (right-to-left text shows a
                # line in several pieces).
                sequence = (artifact.index, paint.form is not None) if artifact is not None else paint.mcid
                if sequence in reported:
                    continue
                reported.add(sequence)
                if artifact is None:
                    if paint.mcid is not None:
                        self.add("18-001", page.number, f"the running {'head' if part == 'Header' else 'foot'} "
                                 f"{_quote(text)} is tagged content (MCID {paint.mcid})")
                    continue
                kind, subtype = artifact.prop("/Type"), artifact.prop("/Subtype")
                if kind != "/Pagination" or subtype != f"/{part}":
                    self.add("18-002", page.number, f"{_quote(text)} is an artifact of type {kind} {subtype}, "
                             f"not /Pagination /{part}")

    # --- the structure tree ------------------------------------------------------------------

    def structure(self) -> None:
        tree = self.tree
        assert tree is not None
        owners: dict[tuple, list[Element]] = defaultdict(list)
        annotation_owners: dict[tuple, list[Element]] = defaultdict(list)
        for element in tree.elements():
            for kid in element.kids:
                if isinstance(kid, MCR):
                    owners[(kid.page, kid.mcid)].append(element)
                elif isinstance(kid, OBJR) and kid.obj.is_indirect:
                    annotation_owners[kid.obj.objgen].append(element)
        self.annotation_owners = annotation_owners
        for text in tree.bad_kids:
            self.add("ST-3", None, f"the structure tree holds {text}")
        for obj in tree.twice:
            self.add("ST-3", None, f"the {obj.get('/S')} element {obj.objgen} is listed twice in the tree")
        root = self.pdf.Root.StructTreeRoot
        for element in tree.elements():
            parent = element.obj.get("/P")
            expected = element.parent.obj if element.parent is not None else root
            if parent is None or not expected.is_indirect or parent.objgen != expected.objgen:
                self.add("ST-3", self._page_of(element), f"the {element.type} element's /P is not its parent")

        parent_tree = number_tree(root.get("/ParentTree"))
        orphans: set[tuple] = set()
        for page in self.pages:
            objgen = page.page.obj.objgen
            present = {mark.mcid for mark in page.content.sequences}
            for mcid in page.content.repeated:
                self.add("ST-1", page.number, f"MCID {mcid} marks more than one sequence")
            for mcid in sorted(present):
                found = owners.get((objgen, mcid), [])
                if len(found) != 1:
                    state = "in no element reachable from StructTreeRoot" if not found else \
                        f"in {len(found)} elements"
                    self.add("ST-1", page.number, f"MCID {mcid} {_quote(page.texts.get(mcid, ''))} is {state}")
            for (page_id, mcid), found in owners.items():
                if page_id == objgen and mcid not in present:
                    self.add("ST-2", page.number, f"the {found[0].type} element names MCID {mcid}, "
                             "which the page does not have")
            key = page.page.obj.get("/StructParents")
            if key is None:
                if present:
                    self.add("ST-2", page.number, "the page has MCIDs but no /StructParents")
                continue
            array = parent_tree.get(int(key))
            if not isinstance(array, pikepdf.Array):
                if present:
                    self.add("ST-2", page.number, f"the ParentTree has no array for the page (key {int(key)})")
                continue
            for mcid, value in enumerate(array):
                if not isinstance(value, pikepdf.Dictionary):
                    if mcid in present:
                        self.add("ST-2", page.number, f"the ParentTree names no element for MCID {mcid}")
                    continue
                if value.objgen not in tree.reached:
                    orphans.add(value.objgen)
                found = owners.get((objgen, mcid), [])
                if mcid not in present:
                    self.add("ST-2", page.number, f"the ParentTree names an element for MCID {mcid}, "
                             "which the page does not have")
                elif found and found[0].obj.objgen != value.objgen:
                    self.add("ST-2", page.number, f"the ParentTree names a {value.get('/S')} element for MCID "
                             f"{mcid}, the tree a {found[0].type}")
            for mcid in present:
                if mcid >= len(array):
                    self.add("ST-2", page.number, f"the ParentTree has no entry for MCID {mcid}")
            for annotation in page.page.obj.get("/Annots", []):
                key = annotation.get("/StructParent")
                if key is None:
                    continue
                value = parent_tree.get(int(key))
                holders = annotation_owners.get(annotation.objgen, [])
                if not isinstance(value, pikepdf.Dictionary) or not holders \
                        or holders[0].obj.objgen != value.objgen:
                    self.add("ST-2", page.number, f"the ParentTree entry {int(key)} of a {annotation.get('/Subtype')} "
                             "annotation is not the element that holds it")
        for objgen in sorted(orphans):
            obj = self.pdf.get_object(objgen)
            self.add("ST-3", None, f"the {obj.get('/S')} element {objgen} is named by the ParentTree "
                     "but is not reachable from StructTreeRoot")
        self._reading_order()

    def _reading_order(self) -> None:
        assert self.tree is not None
        last = 0
        for root in self.tree.roots:
            for item in root.contents():
                number = self.page_numbers.get(item.page, 0)
                if number < last:
                    self.add("ST-4", number, f"the tree reads page {number} after page {last}")
                last = max(last, number)

    def _page_of(self, element: Element) -> int | None:
        return self.page_numbers.get(element.page)

    def _text(self, element: Element) -> str:
        parts = []
        for item in element.contents():
            if isinstance(item, MCR) and item.page in self.by_page:
                parts.append(self.by_page[item.page].texts.get(item.mcid, ""))
        return "".join(parts)

    def role_map(self) -> None:
        root = self.pdf.Root.StructTreeRoot
        role_map = root.get("/RoleMap")
        mapping = {str(k)[1:]: str(v)[1:] for k, v in role_map.items()} if isinstance(role_map, pikepdf.Dictionary) \
            else {}
        for name in mapping:
            if name in STANDARD_TYPES:
                self.add("02-004", None, f"the standard type {name} is remapped to {mapping[name]}")
        assert self.tree is not None
        for name in sorted({element.type[1:] for element in self.tree.elements()}):
            seen, current = set(), name
            while current not in STANDARD_TYPES and current in mapping and current not in seen:
                seen.add(current)
                current = mapping[current]
            if current in seen:
                self.add("02-003", None, f"the role mapping of {name} is circular")
            elif current not in STANDARD_TYPES:
                self.add("02-001", None, f"the structure type {name} is not standard nor mapped to one")

    # --- headings, lists, tables, figures, notes ----------------------------------------------------

    def headings(self) -> None:
        assert self.tree is not None
        numbered = []
        plain = False
        for element in self.tree.elements():
            kind = element.type[1:]
            if kind == "H":
                plain = True
            elif re.fullmatch(r"H[1-6]", kind):
                numbered.append((int(kind[1]), element))
            else:
                continue
            if not self._text(element).strip():
                self.add("HD-1", self._page_of(element), f"the {kind} heading has no text")
        for element in self.tree.elements():
            if sum(1 for kid in element.kids if isinstance(kid, Element) and kid.type == "/H") > 1:
                self.add("14-006", self._page_of(element), f"the {element.type[1:]} element holds more than one H")
        if plain and numbered:
            self.add("14-007", None, "the document uses both H and H1-H6")
        if numbered and numbered[0][0] != 1:
            self.add("14-002", self._page_of(numbered[0][1]), f"the first heading is H{numbered[0][0]}, not H1")
        for (before, _), (level, element) in itertools.pairwise(numbered):
            if level > before + 1:
                self.add("14-003", self._page_of(element), f"H{level} follows H{before}: "
                         f"{_quote(self._text(element))}")

    def nesting(self) -> None:
        assert self.tree is not None
        for element in self.tree.elements():
            kind = element.type[1:]
            if kind in CHILDREN:
                allowed, rule = CHILDREN[kind]
                for kid in element.kids:
                    name = kid.type[1:] if isinstance(kid, Element) else "content"
                    if name not in allowed:
                        self.add(rule, self._page_of(element), f"{kind} holds {name} "
                                 f"(allowed: {', '.join(sorted(allowed))})")
            if kind in PARENTS:
                allowed, rule = PARENTS[kind]
                parent = element.parent.type[1:] if element.parent is not None else "StructTreeRoot"
                if parent not in allowed:
                    self.add(rule, self._page_of(element),
                             f"{kind} is in {parent}, not in {' or '.join(sorted(allowed))}")

    def tables(self) -> None:
        assert self.tree is not None
        for table in (e for e in self.tree.elements() if e.type == "/Table"):
            ids = {str(cell.obj.ID) for cell in table.elements() if cell.type == "/TH" and "/ID" in cell.obj}
            for cell in table.elements():
                if cell.type == "/TH" and _attribute(cell.obj, "/Scope") not in ("/Row", "/Column", "/Both"):
                    self.add("15-003", self._page_of(cell), f"the header cell {_quote(self._text(cell))} has no /Scope")
                if cell.type == "/TD":
                    headers = _attribute(cell.obj, "/Headers")
                    names = [str(h) for h in headers] if isinstance(headers, pikepdf.Array) else []
                    if names and not all(name in ids for name in names):
                        self.add("TB-1", self._page_of(cell), f"the cell {_quote(self._text(cell))} names header "
                                 f"{', '.join(n for n in names if n not in ids)}, which its table lacks")

    def figures(self) -> None:
        assert self.tree is not None
        pages = self.by_page
        for figure in (e for e in self.tree.elements() if e.type == "/Figure"):
            number = self._page_of(figure)
            alt = str(figure.obj.get("/Alt", figure.obj.get("/ActualText", ""))).strip()
            if not alt:
                self.add("13-004", number, "a Figure has no /Alt or /ActualText")
            bbox = _attribute(figure.obj, "/BBox")
            if not isinstance(bbox, pikepdf.Array) or len(bbox) != 4:
                self.add("FG-1", number, f"the Figure {_quote(alt)} has no BBox")
                continue
            x0, y0, x1, y1 = (float(v) for v in bbox)
            page = pages.get(figure.page)
            if page is None:
                continue
            media = [float(v) for v in page.page.mediabox]
            if not (x1 > x0 and y1 > y0 and x0 >= media[0] - 1 and y0 >= media[1] - 1
                    and x1 <= media[2] + 1 and y1 <= media[3] + 1):
                self.add("FG-1", number, f"the Figure {_quote(alt)}'s BBox {[round(v) for v in (x0, y0, x1, y1)]} "
                         "is not on the page")
                continue
            mcids = {item.mcid for item in figure.contents() if isinstance(item, MCR) and item.page == figure.page}
            for paint in page.content.paints:
                if paint.rect is not None and paint.mcid in mcids:
                    a, b, c, d = paint.rect
                    if a < x0 - 1 or b < y0 - 1 or c > x1 + 1 or d > y1 + 1:
                        self.add("FG-1", number, f"the Figure {_quote(alt)}'s BBox does not cover its picture")
                        break

    def notes(self) -> None:
        assert self.tree is not None
        ids = Counter()
        for note in (e for e in self.tree.elements() if e.type == "/Note"):
            if "/ID" not in note.obj:
                self.add("19-003", self._page_of(note), "a Note has no ID")
            else:
                ids[str(note.obj.ID)] += 1
        for name, count in ids.items():
            if count > 1:
                self.add("19-004", None, f"{count} Notes share the ID {name!r}")

    # --- annotations ------------------------------------------------------------------------------

    def annotations(self) -> None:
        owners = getattr(self, "annotation_owners", {})
        dests = destinations(self.pdf)
        page_index = {p.page.obj.objgen: p.number - 1 for p in self.pages}
        for page in self.pages:
            annotations = list(page.page.obj.get("/Annots", []))
            if not annotations:
                continue
            tabs = page.page.obj.get("/Tabs")
            if tabs is None:
                self.add("28-008", page.number, "a page with annotations has no /Tabs")
            elif tabs != "/S":
                self.add("28-009", page.number, f"/Tabs is {tabs}, not /S")
            links: list[tuple[tuple, list[float]]] = []
            for annotation in annotations:
                subtype = str(annotation.get("/Subtype"))
                held = owners.get(annotation.objgen, []) if annotation.is_indirect else []
                if subtype == "/TrapNet":
                    self.add("28-007", page.number, "a TrapNet annotation")
                elif subtype == "/PrinterMark":
                    if held:
                        self.add("28-017", page.number, "a PrinterMark annotation is in the structure tree")
                elif subtype == "/Link":
                    self._link(page, annotation, held, dests, page_index, links)
                elif subtype not in ("/Widget", "/Popup"):
                    if not held or held[0].type != "/Annot":
                        self.add("28-002", page.number, f"a {subtype} annotation is not in an Annot element")
                    if not str(annotation.get("/Contents", "")).strip() and not \
                            (held and str(held[0].obj.get("/Alt", "")).strip()):
                        self.add("28-004", page.number, f"a {subtype} annotation has no /Contents")
        if self.tree is not None:
            for link in (e for e in self.tree.elements() if e.type == "/Link"):
                outer = link.parent
                while outer is not None and outer.type != "/Link":
                    outer = outer.parent
                if outer is not None:
                    self.add("LK-2", self._page_of(link), "a Link element inside a Link element: "
                             "one reference read as two links")

    def _link(self, page: _Page, annotation, held: list[Element], dests, page_index, links) -> None:
        if not held or held[0].type != "/Link":
            self.add("28-011", page.number, "a link annotation is not in a Link element")
        contents = str(annotation.get("/Contents", "")).strip()
        kind, target = link_target(self.pdf, annotation, dests, page_index)
        if not contents:
            self.add("28-012", page.number, "a link annotation has no /Contents")
        elif kind == "page":
            index, name = target
            if contents == name or str(index + 1) not in re.findall(r"\d+", contents):
                self.add("LK-1", page.number, f"the link description {_quote(contents)} does not name page "
                         f"{index + 1}, where it leads")
        elif kind == "uri":
            address = _address(target)
            if address.lower() not in contents.lower():
                self.add("LK-1", page.number, f"the link description {_quote(contents)} does not say "
                         f"its address {address}")
        rect = [float(v) for v in annotation.get("/Rect", [0, 0, 0, 0])]
        key = (kind, target if kind != "page" else target[0])
        for other_key, other in links:
            if other_key == key and _overlap(rect, other):
                self.add("LK-2", page.number, f"two overlapping link annotations lead to the same place "
                         f"({_quote(contents)})")
                break
        links.append((key, rect))

    # --- XObjects and fonts ---------------------------------------------------------------------------

    def xobjects(self) -> None:
        drawn: Counter = Counter()
        for page in self.pages:
            drawn.update(page.content.forms_with_mcids)
            xobjects = page.page.obj.get("/Resources", {}).get("/XObject", {})
            for name, xobject in xobjects.items():
                if xobject.get("/Subtype") == "/Form" and "/Ref" in xobject:
                    self.add("30-001", page.number, f"the reference XObject {name}")
        for objgen, count in drawn.items():
            if count > 1:
                self.add("30-002", None, f"the form XObject {objgen} holds MCIDs and is drawn {count} times")

    def fonts(self) -> None:
        used: dict[int, tuple[FontText, set[int], int]] = {}
        for page in self.pages:
            for paint in page.content.paints:
                font = paint.font
                if font is None or font.obj is None:
                    continue
                entry = used.setdefault(id(font), (font, set(), page.number))
                for string in paint.strings:
                    entry[1].update(font.codes(string))
        for font, codes, first_page in used.values():
            self._font(font, codes, first_page)

    def _font(self, font: FontText, codes: set[int], page: int) -> None:
        obj = font.obj
        subtype = obj.get("/Subtype")
        descendant = obj.DescendantFonts[0] if subtype == "/Type0" and "/DescendantFonts" in obj else obj
        if subtype != "/Type3":
            descriptor = descendant.get("/FontDescriptor", {})
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                self.add("31-009", page, f"the font {font.name} is not embedded")
        if descendant.get("/Subtype") == "/CIDFontType2":
            mapping = descendant.get("/CIDToGIDMap")
            if mapping is None:
                self.add("31-005", page, f"the font {font.name} has no CIDToGIDMap")
            elif not isinstance(mapping, pikepdf.Stream) and mapping != "/Identity":
                self.add("31-004", page, f"the font {font.name}'s CIDToGIDMap is {mapping}")
        if not font.has_tounicode:
            info = descendant.get("/CIDSystemInfo", {})
            collection = f"{info.get('/Registry', '')}-{info.get('/Ordering', '')}"
            standard = subtype in ("/TrueType", "/Type1") and obj.get("/Encoding") in (
                "/WinAnsiEncoding", "/MacRomanEncoding", "/MacExpertEncoding")
            if not standard and collection not in KNOWN_COLLECTIONS:
                self.add("31-027", page, f"the font {font.name} has no ToUnicode map")
            return
        missing = sorted(code for code in codes if code not in font.unicode)
        if missing:
            self.add("10-001", page, f"the font {font.name} shows {len(missing)} code(s) with no Unicode value "
                     f"(first {missing[0]:#06x})")
        values = [text for code, text in font.unicode.items() if code in codes]
        if any("\x00" in text for text in values):
            self.add("31-028", page, f"the font {font.name} maps a code to U+0000")
        if any(ch in text for text in values for ch in "\ufeff\ufffe"):
            self.add("31-029", page, f"the font {font.name} maps a code to U+FEFF or U+FFFE")
        if subtype == "/Type0" and 0 in codes and descendant.get("/CIDToGIDMap") == "/Identity":
            self.add("31-030", page, f"the font {font.name} shows the .notdef glyph")


# --- helpers ---------------------------------------------------------------------------------


def bands(page: pikepdf.Page) -> tuple[float, float]:
    """The heights (PDF points) above which text is a running head and below which it is
    a running foot."""
    box = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
    return box[3] - HEAD_BAND_MM * MM, box[1] + FOOT_BAND_MM * MM


def _attribute(element: pikepdf.Dictionary, key: str):
    """An attribute of a structure element, from its /A dictionary or array of them."""
    attributes = element.get("/A")
    for attribute in (attributes if isinstance(attributes, pikepdf.Array) else [attributes]):
        if isinstance(attribute, pikepdf.Dictionary) and key in attribute:
            return attribute[key]
    return None


def _address(uri: str) -> str:
    """The part of an address a description must name: the e-mail address of a mailto:,
    the host of a web address."""
    if uri.lower().startswith("mailto:"):
        return uri[7:].split("?")[0]
    match = re.match(r"[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)", uri, re.I)
    host = match.group(1) if match else uri
    return host.removeprefix("www.")


def _overlap(a: list[float], b: list[float]) -> bool:
    ax0, ax1 = sorted((a[0], a[2]))
    ay0, ay1 = sorted((a[1], a[3]))
    bx0, bx1 = sorted((b[0], b[2]))
    by0, by1 = sorted((b[1], b[3]))
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def _what(paint: Paint) -> str:
    if paint.strings:
        return f"the text {_quote(paint.text)}"
    return {"Do": "a picture", "sh": "a shading", "INLINE IMAGE": "an inline image"}.get(paint.op, "a path")


def _where(paint: Paint) -> str:
    return f"at ({paint.x:.0f}, {paint.y:.0f})" + (" in a form XObject" if paint.form is not None else "")


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"
