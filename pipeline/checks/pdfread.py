"""What a PDF page shows, read as assistive software reads it: marked content, text and
where it is drawn, and the structure tree that gives it meaning.

Shared by the PDF/UA check (`pipeline.checks.pdfua`) and the renderer's tagging pass
(`pipeline.render.pdf_tags`), which must agree on what a page holds: which operators
paint something, inside which marked-content sequences, at which position, with which
text. Only reading here; nothing is changed.

* `read_content(page)` walks a page's content stream (and the form XObjects it draws)
  once and returns every painting operator (`Paint`) with the marked-content sequences
  open around it, its position in default user space and, for text, the font and the
  bytes shown (`Paint.text` decodes them through the font's ToUnicode map).
* `read_tree(pdf)` reads the structure tree from StructTreeRoot into `Element`s, noting
  every element met twice instead of walking it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# Operators that put marks on the page (ISO 32000-1, 8.2): text showing, path painting
# (`n` ends a path without painting it: clipping only), XObjects, shadings, inline images.
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
PATH_PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"})
PAINTING = TEXT_SHOWING | PATH_PAINTING | {"Do", "sh", "INLINE IMAGE"}

# Form XObjects nested deeper than this are not followed (a loop in a broken file).
MAX_FORM_DEPTH = 8


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The matrix `m` then `n` (PDF's row-vector convention: `cm` makes CTM' = M x CTM)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def matrix_of(operands) -> Matrix:
    return tuple(float(v) for v in operands)  # type: ignore[return-value]


def _matrix(value) -> Matrix:
    """A matrix from a tuple of floats or operands as read (see the `Tm` case of the walk)."""
    return value if isinstance(value, tuple) else matrix_of(value)


# --- fonts ------------------------------------------------------------------------------

_CODESPACE = re.compile(rb"begincodespacerange(.*?)endcodespacerange", re.S)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_RANGE_ENTRY = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])")


def _utf16(hexdigits: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", hexdigits).decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


@dataclass
class FontText:
    """How the codes shown with one font become text: the code length in bytes and the
    ToUnicode map (empty when the font has none)."""

    name: str
    code_bytes: int
    unicode: dict[int, str]
    has_tounicode: bool
    obj: pikepdf.Object | None = None

    @classmethod
    def of(cls, font: pikepdf.Object) -> FontText:
        code_bytes = 2 if font.get("/Subtype") == "/Type0" else 1
        unicode: dict[int, str] = {}
        tounicode = font.get("/ToUnicode")
        if isinstance(tounicode, pikepdf.Stream):
            data = tounicode.read_bytes()
            for block in _CODESPACE.findall(data):
                lows = _HEX.findall(block)
                if lows:
                    code_bytes = max(1, len(re.sub(rb"\s", b"", lows[0])) // 2)
            for block in _BFCHAR.findall(data):
                pairs = _HEX.findall(block)
                for src, dst in zip(pairs[::2], pairs[1::2], strict=False):
                    unicode[int(src, 16)] = _utf16(dst)
            for block in _BFRANGE.findall(data):
                for lo, hi, dst in _RANGE_ENTRY.findall(block):
                    first, last = int(lo, 16), int(hi, 16)
                    if dst.startswith(b"["):
                        for offset, item in enumerate(_HEX.findall(dst)):
                            unicode[first + offset] = _utf16(item)
                    else:
                        base = _utf16(dst[1:-1])
                        for offset in range(last - first + 1):
                            unicode[first + offset] = base[:-1] + chr(ord(base[-1]) + offset) if base else ""
        return cls(str(font.get("/BaseFont", "")), code_bytes, unicode, isinstance(tounicode, pikepdf.Stream), font)

    def codes(self, data: bytes) -> list[int]:
        n = self.code_bytes
        return [int.from_bytes(data[i:i + n], "big") for i in range(0, len(data) - n + 1, n)]

    def decode(self, data: bytes) -> str:
        if not self.has_tounicode:
            return data.decode("latin-1")
        return "".join(self.unicode.get(code, "\ufffd") for code in self.codes(data))


# --- content streams ---------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One marked-content sequence: its tag (`/Span`, `/Artifact`), its MCID if it has
    one, its property list, and the index of its BDC/BMC in the page's instructions
    (-1 when it was opened in a form XObject)."""

    tag: str
    mcid: int | None
    props: pikepdf.Object | None
    index: int

    @property
    def artifact(self) -> bool:
        return self.tag == "/Artifact"

    def prop(self, key: str) -> str | None:
        if isinstance(self.props, pikepdf.Dictionary) and key in self.props:
            return str(self.props[key])
        return None


class Paint:
    """One painting operator: what it is, the marked content open around it (outermost
    first), where it draws (text origin or the lower left of an image, in default user
    space), and for text the font and the strings shown (read from the operand only
    when asked for: most callers never need them)."""

    __slots__ = ("_at", "_strings", "font", "form", "index", "marks", "op", "operand", "rect")

    def __init__(self, op: str, index: int, marks: tuple[Mark, ...], at: tuple,
                 font: FontText | None = None, operand: object = None,
                 rect: tuple[float, float, float, float] | None = None, form: pikepdf.Object | None = None):
        self.op, self.index, self.marks = op, index, marks
        # Where it draws: (x, y), or (text matrix operands, CTM) worked out when asked.
        self._at = at
        self.font = font
        # The text operand as parsed (a string, or a TJ array of strings and numbers).
        self.operand = operand
        # Images: the extent (x0, y0, x1, y1) of the unit square the CTM maps.
        self.rect = rect
        # The form XObject it is painted from (None: the page's own content).
        self.form = form
        self._strings: tuple[bytes, ...] | None = None

    @property
    def x(self) -> float:
        return self._position()[0]

    @property
    def y(self) -> float:
        return self._position()[1]

    def _position(self) -> tuple[float, float]:
        if len(self._at) == 2 and not isinstance(self._at[0], (float, int)):
            tm, ctm = self._at
            tm = matrix_of(tm) if not isinstance(tm, tuple) else tm
            self._at = (tm[4] * ctm[0] + tm[5] * ctm[2] + ctm[4], tm[4] * ctm[1] + tm[5] * ctm[3] + ctm[5])
        return self._at

    @property
    def strings(self) -> tuple[bytes, ...]:
        if self._strings is None:
            operand = self.operand
            if operand is None:
                self._strings = ()
            elif isinstance(operand, pikepdf.Array):
                self._strings = tuple(bytes(s) for s in operand if isinstance(s, pikepdf.String))
            else:
                self._strings = (bytes(operand),)
        return self._strings

    @property
    def text(self) -> str:
        if self.font is None:
            return "".join(s.decode("latin-1") for s in self.strings)
        return "".join(self.font.decode(s) for s in self.strings)

    @property
    def mcid(self) -> int | None:
        """The MCID this paint belongs to: the innermost sequence that has one."""
        for mark in reversed(self.marks):
            if mark.mcid is not None:
                return mark.mcid
        return None

    @property
    def artifact(self) -> Mark | None:
        for mark in self.marks:
            if mark.artifact:
                return mark
        return None


@dataclass
class PageContent:
    instructions: list
    paints: list[Paint]
    # MCIDs in the order their sequences open in the page's own content, and each one's Mark.
    sequences: list[Mark]
    # MCIDs that open more than once.
    repeated: list[int]
    # Form XObjects (object ids) holding MCIDs, and how many times each is drawn.
    forms_with_mcids: dict[tuple[int, int], int]


# The operators the walk acts on; any other leaves its state alone.
_WALKED = PAINTING | {"BDC", "BMC", "EMC", "q", "Q", "cm", "BT", "Tm", "Td", "TD", "TL", "T*", "Tf"}


class _Walker:
    def __init__(self) -> None:
        self.paints: list[Paint] = []
        self.sequences: list[Mark] = []
        self.seen: set[int] = set()
        self.repeated: list[int] = []
        self.forms_with_mcids: dict[tuple[int, int], int] = {}
        self.fonts: dict[tuple[int, int] | int, FontText] = {}
        self.font_names: dict[tuple[int, str], FontText | None] = {}

    def font(self, resources: pikepdf.Object, name: pikepdf.Object) -> FontText | None:
        key = (id(resources), str(name))
        if key in self.font_names:
            return self.font_names[key]
        fonts = resources.get("/Font") if resources is not None else None
        font = fonts.get(name) if fonts is not None else None
        text = None
        if font is not None:
            objgen = font.objgen if font.is_indirect else id(font)
            if objgen not in self.fonts:
                self.fonts[objgen] = FontText.of(font)
            text = self.fonts[objgen]
        self.font_names[key] = text
        return text

    def walk(self, instructions, resources, ctm: Matrix, marks: tuple[Mark, ...],
             form: pikepdf.Object | None, depth: int) -> bool:
        """Walk one stream; returns whether it opened any MCID."""
        stack: list[Matrix] = []
        tm = tlm = IDENTITY
        leading = 0.0
        font: FontText | None = None
        has_mcid = False
        base = len(marks)
        open_marks = marks
        paints = self.paints
        for index, instruction in enumerate(instructions):
            op = str(instruction.operator)
            if op not in _WALKED:
                continue
            if op == "INLINE IMAGE":
                paints.append(Paint(op, index, open_marks, (ctm[4], ctm[5]), form=form))
                continue
            operands = instruction.operands
            if op in TEXT_SHOWING:
                if op in ("'", '"'):
                    tm = tlm = multiply((1, 0, 0, 1, 0, -leading), _matrix(tlm))
                paints.append(Paint(op, index, open_marks, (tm, ctm), font, operands[-1], form=form))
            elif op == "BDC" or op == "BMC":
                tag = str(operands[0])
                props = operands[1] if op == "BDC" and len(operands) > 1 else None
                if isinstance(props, pikepdf.Name):
                    named = resources.get("/Properties") if resources is not None else None
                    props = named.get(props) if named is not None else None
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                if mcid is not None:
                    mcid = int(mcid)
                mark = Mark(tag, mcid, props, index if form is None else -1)
                open_marks = (*open_marks, mark)
                if mcid is not None:
                    has_mcid = True
                    if form is None:
                        if mcid in self.seen:
                            self.repeated.append(mcid)
                        self.seen.add(mcid)
                        self.sequences.append(mark)
            elif op == "EMC":
                if len(open_marks) > base:
                    open_marks = open_marks[:-1]
            elif op == "Tm":
                # Kept as read: most text matrices are never needed as numbers.
                tm = tlm = operands
            elif op == "Tf":
                font = self.font(resources, operands[0])
            elif op == "q":
                stack.append(ctm)
            elif op == "Q":
                if stack:
                    ctm = stack.pop()
            elif op == "cm":
                ctm = multiply(matrix_of(operands), ctm)
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op in ("Td", "TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    leading = -ty
                tm = tlm = multiply((1, 0, 0, 1, tx, ty), _matrix(tlm))
            elif op == "TL":
                leading = float(operands[0])
            elif op == "T*":
                tm = tlm = multiply((1, 0, 0, 1, 0, -leading), _matrix(tlm))
            elif op == "Do":
                xobjects = resources.get("/XObject") if resources is not None else None
                xobject = xobjects.get(operands[0]) if xobjects is not None else None
                subtype = xobject.get("/Subtype") if xobject is not None else None
                if subtype == "/Form" and depth < MAX_FORM_DEPTH:
                    matrix = matrix_of(xobject.Matrix) if "/Matrix" in xobject else IDENTITY
                    inner = pikepdf.parse_content_stream(xobject)
                    opened = self.walk(inner, xobject.get("/Resources", resources), multiply(matrix, ctm),
                                       open_marks, xobject, depth + 1)
                    if opened:
                        key = xobject.objgen
                        self.forms_with_mcids[key] = self.forms_with_mcids.get(key, 0) + 1
                else:
                    corners = [apply(ctm, u, v) for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
                    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                    rect = (min(xs), min(ys), max(xs), max(ys))
                    paints.append(Paint(op, index, open_marks, (rect[0], rect[1]), rect=rect, form=form))
            else:  # path painting, shading
                paints.append(Paint(op, index, open_marks, (ctm[4], ctm[5]), form=form))
        return has_mcid


def read_content(page: pikepdf.Page) -> PageContent:
    """Every painting operator of `page` (its form XObjects followed), with the marked
    content around it; the instructions are the page's own, for rewriting."""
    instructions = pikepdf.parse_content_stream(page)
    walker = _Walker()
    walker.walk(instructions, page.obj.get("/Resources"), IDENTITY, (), None, 0)
    return PageContent(instructions, walker.paints, walker.sequences, walker.repeated, walker.forms_with_mcids)


# --- the structure tree -------------------------------------------------------------------


@dataclass(frozen=True)
class MCR:
    """A marked-content reference: MCID `mcid` on the page whose object id is `page`."""

    page: tuple[int, int] | None
    mcid: int


@dataclass(frozen=True)
class OBJR:
    """An object reference (an annotation) from a structure element."""

    obj: pikepdf.Object
    page: tuple[int, int] | None


@dataclass(eq=False, repr=False)
class Element:
    obj: pikepdf.Dictionary
    parent: Element | None
    kids: list[Element | MCR | OBJR] = field(default_factory=list)
    # The structure type ("/P") as read: whoever changes /S changes this too.
    type: str = field(init=False)
    # The object id of its page (/Pg), if it names one.
    page: tuple[int, int] | None = field(init=False)

    def __post_init__(self) -> None:
        self.type = str(self.obj.get("/S", ""))
        page = self.obj.get("/Pg")
        self.page = page.objgen if page is not None else None

    def __repr__(self) -> str:
        return f"<{self.type} {self.obj.objgen if self.obj.is_indirect else 'direct'}>"

    def elements(self) -> Iterator[Element]:
        """This element and every element under it, depth first in tree order."""
        stack: list[Element] = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed([kid for kid in element.kids if isinstance(kid, Element)]))

    def contents(self) -> Iterator[MCR | OBJR]:
        """The MCRs and OBJRs under this element, in tree order."""
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.contents()
            else:
                yield kid


@dataclass
class Tree:
    """The structure tree as read from StructTreeRoot: its top elements, every element
    reached (by object id), the elements reached more than once, and K entries that are
    not elements, MCIDs, MCRs or OBJRs."""

    roots: list[Element]
    reached: dict[tuple[int, int], Element]
    twice: list[pikepdf.Object]
    bad_kids: list[str]

    def elements(self) -> Iterator[Element]:
        for root in self.roots:
            yield from root.elements()


def _kids(obj: pikepdf.Object) -> list:
    k = obj.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def read_tree(pdf: pikepdf.Pdf) -> Tree | None:
    """The structure tree, or None if the document has no StructTreeRoot."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return None
    tree = Tree([], {}, [], [])
    stack: list[tuple[pikepdf.Object, Element | None, list]] = [(kid, None, tree.roots)
                                                                 for kid in reversed(_kids(root))]
    while stack:
        obj, parent, into = stack.pop()
        if isinstance(obj, int) or (isinstance(obj, pikepdf.Object) and obj._type_code == pikepdf.ObjectType.integer):
            if parent is None:
                tree.bad_kids.append("an MCID directly under StructTreeRoot")
            else:
                into.append(MCR(parent.page, int(obj)))
            continue
        if not isinstance(obj, pikepdf.Dictionary):
            tree.bad_kids.append(f"a K entry of type {type(obj).__name__}")
            continue
        kind = obj.get("/Type")
        if kind == "/MCR":
            page = obj.get("/Pg")
            into.append(MCR(page.objgen if page is not None else (parent.page if parent else None), int(obj.MCID)))
            continue
        if kind == "/OBJR":
            page = obj.get("/Pg")
            into.append(OBJR(obj.Obj, page.objgen if page is not None else (parent.page if parent else None)))
            continue
        if obj.is_indirect and obj.objgen in tree.reached:
            tree.twice.append(obj)
            continue
        element = Element(obj, parent)
        if obj.is_indirect:
            tree.reached[obj.objgen] = element
        into.append(element)
        stack.extend((kid, element, element.kids) for kid in reversed(_kids(obj)))
    return tree


# --- number and name trees ------------------------------------------------------------------


def _leaf_pairs(node: pikepdf.Object | None, key: str) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    """The (key, value) pairs of a number tree (`key` "/Nums") or name tree ("/Names"),
    leaves in order; a loop in a broken file is cut."""
    stack, seen = [node], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        pairs = node.get(key)
        if isinstance(pairs, pikepdf.Array):
            items = list(pairs)
            yield from zip(items[::2], items[1::2], strict=False)
        stack.extend(reversed(list(node.get("/Kids", []))))


def number_tree(node: pikepdf.Object | None) -> dict[int, pikepdf.Object]:
    """A number tree (the ParentTree) as a dict."""
    return {int(key): value for key, value in _leaf_pairs(node, "/Nums")}


def name_tree(node: pikepdf.Object | None) -> dict[str, pikepdf.Object]:
    """A name tree (named destinations) as a dict."""
    return {bytes(key).decode("latin-1") if isinstance(key, pikepdf.String) else str(key): value
            for key, value in _leaf_pairs(node, "/Names")}


def destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """Named destinations, from the Dests name tree (and the older /Dests dictionary)."""
    out: dict[str, pikepdf.Object] = {}
    old = pdf.Root.get("/Dests")
    if isinstance(old, pikepdf.Dictionary):
        out.update({key[1:]: value for key, value in old.items()})
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        out.update(name_tree(names.get("/Dests")))
    return out


def link_target(pdf: pikepdf.Pdf, annotation: pikepdf.Object, dests: dict[str, pikepdf.Object] | None = None,
                page_index: dict[tuple[int, int], int] | None = None) -> tuple[str, object]:
    """Where a link annotation leads: ("page", (page index, destination name or None))
    for a place in the document, ("uri", address) for an external one, ("none", name
    or None) otherwise. `dests` and `page_index` (page object id -> index) save
    looking them up again for each link."""
    dest = annotation.get("/Dest")
    action = annotation.get("/A")
    if dest is None and isinstance(action, pikepdf.Dictionary):
        if action.get("/S") == "/URI":
            return ("uri", bytes(action.URI).decode("utf-8", errors="replace"))
        if action.get("/S") == "/GoTo":
            dest = action.get("/D")
    if dest is None:
        return ("none", None)
    name = None
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        name = bytes(dest).decode("latin-1") if isinstance(dest, pikepdf.String) else str(dest)[1:]
        dest = (dests if dests is not None else destinations(pdf)).get(name)
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        if page_index is None:
            page_index = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        index = page_index.get(dest[0].objgen)
        if index is not None:
            return ("page", (index, name))
    return ("none", name)
