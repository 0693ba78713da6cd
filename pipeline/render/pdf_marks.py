"""A page's marked-content sequences as the tagging pass needs them: in order, where
their text starts, what they show, and the stream rewritten with new operators.

`page_marks(page)` reads the page the fast way when it can: WeasyPrint (through pydyf)
writes its pages regularly (text as hex strings in TJ arrays, no literal strings or
inline images, no marked content nested in a tagged sequence), so regular expressions
over the stream's bytes find every sequence and splice new operators in, without
turning some 15,000 operators of the handbook into Python objects (the contents page
alone, a tagged Span per leader dot, holds 10,000): about a tenth of the time of
parsing and walking it. Any stream not of that kind is read with the general reader
(`pipeline.checks.pdfread`), which gives the same answers; tests/test_pdfua.py checks
that both do.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from functools import cached_property

import pikepdf

from pipeline.checks.pdfread import IDENTITY, FontText, Matrix, apply, matrix_of, multiply, read_content

# Operators are whole tokens: whitespace (or the stream's ends) on both sides. Each is
# found by its name, and its operands read just before it.
_MARKED = re.compile(rb"(?<![^\s])(BDC|BMC|EMC)(?![^\s])")
_TAG = re.compile(rb"/([^\s/<>\[\]()%{}]+)\s*(?:<<\s*/MCID\s+(\d+)\s*>>|<<[^<>]*>>)?\s*$")
_UNREADABLE = re.compile(rb"[(]|(?<![^\s])(?:Tj|'|\"|BI)(?![^\s])")
_TF = re.compile(rb"(?<![^\s])Tf(?![^\s])")
_TM = re.compile(rb"(?<![^\s])Tm(?![^\s])")
_TJ = re.compile(rb"\[([^\]]*)\]\s*TJ(?![^\s])")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")


def page_marks(page: pikepdf.Page, fonts: dict | None = None) -> PageMarks:
    """The page's sequences, read fast when the stream allows it (see the module
    docstring). `fonts` (font object id -> its ToUnicode map) is shared by the pages of
    a document, which share their fonts."""
    marks = _FastMarks.of(page, {} if fonts is None else fonts)
    return marks if marks is not None else _ParsedMarks(page)


class _Fonts:
    """The ToUnicode maps of a page's fonts, by resource name, read on first use."""

    def __init__(self, page: pikepdf.Page, known: dict) -> None:
        resources = page.obj.get("/Resources")
        self.fonts = resources.get("/Font") if resources is not None else None
        self.known = known
        self.read: dict[bytes, FontText | None] = {}

    def __getitem__(self, name: bytes) -> FontText | None:
        if name not in self.read:
            font = self.fonts.get("/" + name.decode("latin-1")) if self.fonts is not None else None
            if font is None:
                self.read[name] = None
            else:
                key = font.objgen if font.is_indirect else id(font)
                if key not in self.known:
                    self.known[key] = FontText.of(font)
                self.read[name] = self.known[key]
        return self.read[name]


class _FastMarks:
    """The sequences found by regular expressions on the raw stream."""

    def __init__(self, page: pikepdf.Page, data: bytes, found: list[tuple[int, bytes, int, int, int]],
                 fonts: dict) -> None:
        self.page = page
        self.data = data
        # (mcid, tag, operator start, operator end, body end) in stream order.
        self.found = found
        self.sequences = [mcid for mcid, *_ in found]
        self.by_mcid = {entry[0]: entry for entry in found}
        self.fonts = _Fonts(page, fonts)

    @classmethod
    def of(cls, page: pikepdf.Page, fonts: dict) -> _FastMarks | None:
        contents = page.obj.get("/Contents")
        if not isinstance(contents, pikepdf.Stream):
            return None
        data = contents.read_bytes()
        if _UNREADABLE.search(data):
            return None
        found, open_at, depth = [], None, 0
        for match in _MARKED.finditer(data):
            if match.group(1) == b"EMC":
                if depth == 0:
                    return None
                depth -= 1
                if open_at is not None and depth == 0:
                    mcid, tag, start, end = open_at
                    found.append((mcid, tag, start, end, match.start()))
                    open_at = None
                continue
            if open_at is not None:
                return None  # marked content inside a tagged sequence: not WeasyPrint's way
            depth += 1
            operands = _TAG.search(data, max(0, match.start() - 96), match.start())
            if operands is None:
                return None
            if operands.group(2) is not None:
                if depth != 1 or match.group(1) != b"BDC":
                    return None
                open_at = (int(operands.group(2)), operands.group(1), operands.start(), match.end())
        if depth or len({entry[0] for entry in found}) != len(found):
            return None
        return cls(page, data, found, fonts)

    def tag(self, mcid: int) -> str:
        return "/" + self.by_mcid[mcid][1].decode("latin-1")

    def _body(self, mcid: int) -> tuple[int, int]:
        _, _, _, start, end = self.by_mcid[mcid]
        return start, end

    @cached_property
    def _tf(self) -> tuple[list[int], list[bytes]]:
        """Where each `Tf` is, and the font resource it sets (its first operand)."""
        positions = [m.start() for m in _TF.finditer(self.data)]
        names = [self.data[max(0, p - 96):p].split()[-2].lstrip(b"/") for p in positions]
        return positions, names

    @cached_property
    def _tm(self) -> list[int]:
        return [m.start() for m in _TM.finditer(self.data)]

    def _tm_origin(self, position: int) -> tuple[float, float]:
        """The translation (e, f) of the `Tm` operator at `position`: its last two operands."""
        e, f = self.data[max(0, position - 64):position].split()[-2:]
        return float(e), float(f)

    def _font_name_at(self, position: int) -> bytes | None:
        positions, names = self._tf
        i = bisect.bisect_right(positions, position) - 1
        return names[i] if i >= 0 else None

    def _font_at(self, position: int) -> FontText | None:
        name = self._font_name_at(position)
        return self.fonts[name] if name is not None else None

    @cached_property
    def _glyphs(self) -> dict[tuple[bytes | None, bytes], str | None]:
        """(font name, TJ array) -> the one glyph it shows: the leader's dots repeat."""
        return {}

    def first_y(self, mcid: int) -> float | None:
        """Where the sequence's text starts, up the page (the text matrix in force at its
        first TJ, through the page's base matrix), or None if it shows no text."""
        start, end = self._body(mcid)
        shown = _TJ.search(self.data, start, end)
        if shown is None:
            return None
        positions = self._tm
        i = bisect.bisect_right(positions, shown.start()) - 1
        if i < 0:
            return None
        return apply(self.base, *self._tm_origin(positions[i]))[1]

    def _shown(self, mcid: int) -> list[tuple[FontText | None, list[bytes]]]:
        start, end = self._body(mcid)
        out = []
        for shown in _TJ.finditer(self.data, start, end):
            strings = [bytes.fromhex(re.sub(rb"\s", b"", h).decode("ascii")) for h in _HEX.findall(shown.group(1))]
            out.append((self._font_at(shown.start()), [s for s in strings if s]))
        return out

    def one_glyph(self, mcid: int) -> str | None:
        """The text of a sequence that shows exactly one glyph, else None."""
        start, end = self._body(mcid)
        # One glyph takes a few dozen bytes and one TJ: lines of text are passed over fast.
        if end - start > 400 or self.data.count(b"TJ", start, end) != 1:
            return None
        shown = _TJ.search(self.data, start, end)
        key = (self._font_name_at(shown.start()), shown.group(1))
        if key not in self._glyphs:
            strings = [s for s in (bytes.fromhex(re.sub(rb"\s", b"", h).decode("ascii"))
                                   for h in _HEX.findall(shown.group(1))) if s]
            font = self.fonts[key[0]] if key[0] is not None else None
            glyph = None
            if font is not None and len(strings) == 1 and len(strings[0]) == font.code_bytes:
                glyph = font.decode(strings[0])
            self._glyphs[key] = glyph
        return self._glyphs[key]

    def text(self, mcid: int) -> str:
        return "".join(font.decode(s) if font else s.decode("latin-1")
                       for font, strings in self._shown(mcid) for s in strings)

    @cached_property
    def base(self) -> Matrix:
        """The matrix the page starts with: the `cm` operators before anything is drawn."""
        matrix, numbers = IDENTITY, []
        for token in self.data[:400].split():
            if _NUMBER.fullmatch(token):
                numbers.append(float(token))
            elif token == b"cm" and len(numbers) >= 6:
                matrix = multiply(tuple(numbers[-6:]), matrix)  # type: ignore[arg-type]
                numbers = []
            elif token in (b"q", b"re", b"W", b"W*", b"n"):
                numbers = []
            else:
                break
        return matrix

    def rewritten(self, artifacts: dict[int, pikepdf.Dictionary], renumbered: dict[int, int]) -> bytes:
        """The stream with each sequence opened anew: as an artifact with the property
        list `artifacts[mcid]`, else with its tag and the MCID `renumbered[mcid]`."""
        pieces, last = [], 0
        written: dict[int, bytes] = {}  # property lists are shared: each written once
        for mcid, tag, start, end, _ in self.found:
            pieces.append(self.data[last:start])
            if mcid in artifacts:
                props = artifacts[mcid]
                if id(props) not in written:
                    written[id(props)] = b"/Artifact " + props.unparse() + b"\nBDC"
                pieces.append(written[id(props)])
            else:
                pieces.append(b"/%s <</MCID %d>>\nBDC" % (tag, renumbered[mcid]))
            last = end
        pieces.append(self.data[last:])
        return b"".join(pieces)


class _ParsedMarks:
    """The sequences as the general reader finds them (pikepdf's parser)."""

    def __init__(self, page: pikepdf.Page) -> None:
        self.page = page
        self.content = read_content(page)
        self.marks = {mark.mcid: mark for mark in self.content.sequences}
        self.sequences = [mark.mcid for mark in self.content.sequences]
        self.paints: dict[int, list] = defaultdict(list)
        for paint in self.content.paints:
            mcid = paint.mcid
            if mcid is not None and paint.form is None:
                self.paints[mcid].append(paint)

    def tag(self, mcid: int) -> str:
        return self.marks[mcid].tag

    def first_y(self, mcid: int) -> float | None:
        texts = [paint for paint in self.paints.get(mcid, []) if paint.operand is not None]
        return texts[0].y if texts else None

    def one_glyph(self, mcid: int) -> str | None:
        paints = self.paints.get(mcid, [])
        if len(paints) != 1 or paints[0].font is None or paints[0].operand is None:
            return None
        paint = paints[0]
        strings = [s for s in paint.strings if s]
        if len(strings) != 1 or len(strings[0]) != paint.font.code_bytes:
            return None
        return paint.text

    def text(self, mcid: int) -> str:
        return "".join(paint.text for paint in self.paints.get(mcid, []))

    @cached_property
    def base(self) -> Matrix:
        matrix = IDENTITY
        for instruction in self.content.instructions:
            op = str(instruction.operator)
            if op == "cm":
                matrix = multiply(matrix_of(instruction.operands), matrix)
            elif op not in ("q", "re", "W", "W*", "n"):
                break
        return matrix

    def rewritten(self, artifacts: dict[int, pikepdf.Dictionary], renumbered: dict[int, int]) -> bytes:
        instructions = self.content.instructions
        for mcid, mark in self.marks.items():
            operands = [pikepdf.Name.Artifact, artifacts[mcid]] if mcid in artifacts else \
                [pikepdf.Name(mark.tag), pikepdf.Dictionary(MCID=renumbered[mcid])]
            instructions[mark.index] = pikepdf.ContentStreamInstruction(operands, pikepdf.Operator("BDC"))
        return pikepdf.unparse_content_stream(instructions)


# What `page_marks` returns: either reader, with the same methods.
PageMarks = _FastMarks | _ParsedMarks
