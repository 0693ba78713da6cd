"""WordprocessingML read as a stream: pieces of text with their emphasis, link and revision marks.

Word and LibreOffice write a reviewed paragraph in many shapes: runs split anywhere,
revisions (`w:ins`, `w:del`, `w:moveFrom`, `w:moveTo`) around runs, inside hyperlinks
or around them, formatting changes (`w:rPrChange`) inside a run's properties, links as
`w:hyperlink` or as HYPERLINK fields, content controls and smart tags around anything.
This module flattens all of it into one list of `Piece`s in reading order, each knowing:

- its text (a picture is a piece with no text and its alt text), bold, italic and link;
- the revision that inserted or deleted it, if any, and its emphasis before a tracked
  format change;
- the bookmarks (anchors) and comment ranges open where it stands;
- its paragraph, and its *line*: the stretch in which an insertion without a bookmark
  of its own belongs to its neighbours (a line ends at a line break, and at a paragraph
  mark unless that mark was inserted by the reviewer).

Nothing here knows about fields: that is `mapping.py`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.review.package import HYPERLINK, Package, W

_W = f"{{{W}}}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REVISIONS = {f"{_W}ins": ("insert", False), f"{_W}moveTo": ("move-to", False),
              f"{_W}del": ("delete", True), f"{_W}moveFrom": ("move-from", True)}
# Containers whose children are read as if they stood in their place.
_TRANSPARENT = {f"{_W}{tag}" for tag in ("sdt", "sdtContent", "smartTag", "customXml", "dir", "bdo", "fldSimple")}
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+"([^"]*)"')
# Character styles a reviewer may use for emphasis instead of direct formatting.
_STYLE_EMPHASIS = {"Strong": (True, False), "Emphasis": (False, True)}


@dataclass(frozen=True)
class Revision:
    """A tracked change as the file records it."""

    kind: str  # insert, delete, move-from, move-to, format
    author: str
    date: str
    id: str


@dataclass
class Piece:
    """A stretch of text (or a picture) with everything that applies to it."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    old_emphasis: tuple[bool, bool] | None = None  # (bold, italic) before a tracked format change
    format_change: Revision | None = None
    inserted: Revision | None = None
    deleted: Revision | None = None
    alt: str | None = None  # a picture's text alternative
    para: int = 0
    line: int = 0
    anchors: tuple[str, ...] = ()  # open bookmarks, innermost last
    comments: frozenset[str] = frozenset()

    @property
    def is_break(self) -> bool:
        return self.alt is None and self.text in ("\n", "\t")


@dataclass
class Stream:
    """A part read as pieces, with its paragraph marks and where comments point."""

    part: str
    pieces: list[Piece] = field(default_factory=list)
    # The revision of each paragraph's mark: (inserted, deleted), by paragraph index.
    marks: list[tuple[Revision | None, Revision | None]] = field(default_factory=list)
    # Comment id -> the index of the piece where its range starts or its reference stands.
    comment_at: dict[str, int] = field(default_factory=dict)
    bookmarks_seen: list[str] = field(default_factory=list)


class _Walker:
    def __init__(self, package: Package, part: str, keep: Callable[[str], bool]):
        self.stream = Stream(part)
        self.links = {rid: rel.target for rid, rel in package.rels(part).items() if rel.type == HYPERLINK}
        self.keep = keep  # which bookmark names matter
        self.open_marks: dict[str, str] = {}  # bookmark id -> name, in opening order
        self.open_comments: set[str] = set()
        self.fields: list[dict] = []  # complex fields: {"instr": str, "result": bool, "href": str|None}
        self.line = 0
        self.para = -1
        self.joined = False  # the previous paragraph's mark was inserted: same line

    # --- the tree ----------------------------------------------------------------------

    def block(self, el: ET.Element, revs: dict) -> None:
        """Body-level content: paragraphs, tables, and containers of them."""
        for child in el:
            tag = child.tag
            if tag == f"{_W}p":
                self.paragraph(child, revs)
            elif tag in (f"{_W}tbl", f"{_W}tr", f"{_W}tc") or tag in _TRANSPARENT:
                self.block(child, revs)
            elif tag in _REVISIONS:
                self.block(child, self.revised(child, revs))
            elif tag in (f"{_W}bookmarkStart", f"{_W}bookmarkEnd", f"{_W}commentRangeStart",
                         f"{_W}commentRangeEnd"):
                self.marker(child)

    def paragraph(self, p: ET.Element, revs: dict) -> None:
        self.para += 1
        if not self.joined:
            self.line += 1
        inserted = deleted = None
        ppr_rpr = p.find(f"{_W}pPr/{_W}rPr")
        for el in ppr_rpr if ppr_rpr is not None else ():
            if el.tag in (f"{_W}ins", f"{_W}moveTo"):
                inserted = self.revision(el, "insert")
            elif el.tag in (f"{_W}del", f"{_W}moveFrom"):
                deleted = self.revision(el, "delete")
        mark = (inserted, deleted)
        mark = (mark[0] or revs.get("inserted"), mark[1] or revs.get("deleted"))
        self.stream.marks.append(mark)
        self.inline(p, revs, None)
        self.joined = mark[0] is not None

    def inline(self, el: ET.Element, revs: dict, href: str | None) -> None:
        for child in el:
            tag = child.tag
            if tag == f"{_W}r":
                self.run(child, revs, href)
            elif tag == f"{_W}hyperlink":
                rid = child.get(_R_ID)
                self.inline(child, revs, self.links.get(rid) if rid else None)
            elif tag in _REVISIONS:
                self.inline(child, self.revised(child, revs), href)
            elif tag == f"{_MC}AlternateContent":
                chosen = child.find(f"{_MC}Choice")
                self.inline(chosen if chosen is not None else child, revs, href)
            elif tag in _TRANSPARENT or tag == f"{_MC}Fallback":
                self.inline(child, revs, href)
            elif tag == f"{_W}pPr":
                continue
            else:
                self.marker(child)

    def marker(self, el: ET.Element) -> None:
        tag, ident = el.tag, el.get(f"{_W}id", "")
        if tag == f"{_W}bookmarkStart":
            name = el.get(f"{_W}name", "")
            self.stream.bookmarks_seen.append(name)
            if self.keep(name):
                self.open_marks[ident] = name
        elif tag == f"{_W}bookmarkEnd":
            self.open_marks.pop(ident, None)
        elif tag == f"{_W}commentRangeStart":
            self.open_comments.add(ident)
            self.stream.comment_at.setdefault(ident, len(self.stream.pieces))
        elif tag == f"{_W}commentRangeEnd":
            self.open_comments.discard(ident)

    def revised(self, el: ET.Element, revs: dict) -> dict:
        kind, deleting = _REVISIONS[el.tag]
        key = "deleted" if deleting else "inserted"
        return {**revs, key: self.revision(el, kind)}

    @staticmethod
    def revision(el: ET.Element, kind: str) -> Revision:
        return Revision(kind, el.get(f"{_W}author", ""), el.get(f"{_W}date", ""), el.get(f"{_W}id", ""))

    # --- runs --------------------------------------------------------------------------

    def run(self, r: ET.Element, revs: dict, href: str | None) -> None:
        rpr = r.find(f"{_W}rPr")
        bold, italic = _emphasis(rpr)
        old, change = None, None
        if rpr is not None:
            changed = rpr.find(f"{_W}rPrChange")
            if changed is not None:
                old = _emphasis(changed.find(f"{_W}rPr"))
                change = self.revision(changed, "format")
        for child in r:
            tag = child.tag
            if tag in (f"{_W}t", f"{_W}delText"):
                self.text(child.text or "", bold, italic, href, old, change, revs)
            elif tag in (f"{_W}instrText", f"{_W}delInstrText"):
                if self.fields and not self.fields[-1]["result"]:
                    self.fields[-1]["instr"] += child.text or ""
            elif tag == f"{_W}fldChar":
                self.field_char(child.get(f"{_W}fldCharType"))
            elif tag in (f"{_W}tab", f"{_W}ptab"):
                self.text("\t", bold, italic, href, old, change, revs)
            elif tag in (f"{_W}br", f"{_W}cr"):
                self.text("\n", bold, italic, href, old, change, revs)
                self.line += 1
            elif tag == f"{_W}noBreakHyphen":
                self.text("\u2011", bold, italic, href, old, change, revs)
            elif tag == f"{_W}sym":
                code = child.get(f"{_W}char", "")
                if re.fullmatch(r"[0-9A-Fa-f]{1,6}", code):
                    self.text(chr(int(code, 16)), bold, italic, href, old, change, revs)
            elif tag == f"{_W}commentReference":
                self.stream.comment_at.setdefault(child.get(f"{_W}id", ""), len(self.stream.pieces))
            elif tag in (f"{_W}drawing", f"{_MC}AlternateContent"):
                doc_pr = next(child.iter(f"{_WP}docPr"), None)
                if doc_pr is not None:
                    self.add(Piece("", alt=doc_pr.get("descr", "")), revs)

    def field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append({"instr": "", "result": False, "href": None})
        elif kind == "separate" and self.fields:
            current = self.fields[-1]
            current["result"] = True
            match = _HYPERLINK_FIELD.match(current["instr"])
            current["href"] = match.group(1) if match else None
        elif kind == "end" and self.fields:
            self.fields.pop()

    def text(self, text: str, bold: bool, italic: bool, href: str | None, old, change, revs: dict) -> None:
        if not text:
            return
        if self.fields and not self.fields[-1]["result"]:
            return  # inside a field's instruction: not text
        field_href = next((f["href"] for f in reversed(self.fields) if f["href"]), None)
        self.add(Piece(text, bold, italic, href or field_href, old, change), revs)

    def add(self, piece: Piece, revs: dict) -> None:
        piece.inserted, piece.deleted = revs.get("inserted"), revs.get("deleted")
        piece.para, piece.line = self.para, self.line
        piece.anchors = tuple(self.open_marks.values())
        piece.comments = frozenset(self.open_comments)
        self.stream.pieces.append(piece)


def _on(el: ET.Element | None) -> bool:
    return el is not None and el.get(f"{_W}val", "true").lower() not in ("false", "0", "off", "none")


def _emphasis(rpr: ET.Element | None) -> tuple[bool, bool]:
    if rpr is None:
        return False, False
    bold, italic = _on(rpr.find(f"{_W}b")), _on(rpr.find(f"{_W}i"))
    style = rpr.find(f"{_W}rStyle")
    extra = _STYLE_EMPHASIS.get(style.get(f"{_W}val", "")) if style is not None else None
    if extra:
        bold, italic = bold or extra[0], italic or extra[1]
    return bold, italic


def read_part(package: Package, part: str, keep: Callable[[str], bool]) -> Stream:
    """The pieces of a story part (the document body, a header, a footer); `keep(name)`
    says which bookmarks to follow."""
    root = package.xml(part)
    walker = _Walker(package, part, keep)
    if root is not None:
        body = root.find(f"{_W}body")
        walker.block(body if body is not None else root, {})
    return walker.stream
