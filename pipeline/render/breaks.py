"""The print editor's line-breaking rules, applied while WeasyPrint lays out the lines.

WeasyPrint 70 breaks lines greedily, one at a time, and knows none of the rules a
reviser counts as errors in print (`pipeline.checks.breaks` finds them in a PDF):

* a line that ends a column or a page never ends in a hyphenation hyphen
  (InDesign's "Hyphenate Across Column" off);
* the last word of a paragraph is never hyphenated (CSS `hyphenate-limit-last: always`,
  TeX's `\\finalhyphendemerits`);
* at most `MAX_HYPHENATED_LINES` consecutive lines end in a hyphen (CSS
  `hyphenate-limit-lines: 2`, TeX's `\\doublehyphendemerits`);
* display text (titles, leads, call-out titles, headings) never leaves one word alone on
  its last line.

Laying a whole document out again for each bad break would cost a layout per document,
so the rules work inside the layout, paragraph by paragraph, where a line is made:

* `_lines` replaces WeasyPrint's `iter_line_boxes`, the generator that makes a
  paragraph's lines one after the other. It makes a line without hyphenation when the
  lines before it already end in two hyphens; when a line is hyphenated (or the
  paragraph is display text) it makes the next line before handing this one over, and
  if that next line is the paragraph's last and holds one word, it makes this line again:
  without hyphenation, or (display text) one word shorter, so that word goes down.
* `_linebox_layout` wraps the function that places a paragraph's lines on a page or in
  a column: when the paragraph is split and the last line placed ends in a hyphen, it
  places the paragraph again with that line made without hyphenation (the word moves
  to the next column or page). Only that paragraph is laid out again.
* `_split_first_line` is WeasyPrint's line splitter with hyphenation turned off while
  a line must be made without it.

A paragraph with no bad break keeps exactly the lines WeasyPrint gave it: a line is made
again only where a rule was broken, and the same inputs give the same line. Where a
rule cannot be met (a word too long for the column is hyphenated or it overflows; a
title whose last two lines each hold one word), the bad break stays, `bad_breaks`
finds it in the finished layout and the PDF renderer says so in one line.

These functions reach into WeasyPrint's layout modules; `enforced()` checks that the
functions it replaces have the signatures it was written for (WeasyPrint 70) and, if
not, lays out without the rules, so the finished-layout check reports every bad break.
Display text is recognised as `pipeline.checks.breaks` recognises it in a PDF: larger
than the body text, or bold, or light (on a dark band) at body size.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pipeline.checks.breaks import DISPLAY_SCALE, MAX_HYPHENATED_LINES

log = logging.getLogger("pipeline.pdf")

# The WeasyPrint functions replaced during a layout, with the parameters they must have.
_EXPECTED = {
    ("block", "iter_line_boxes"): ["context", "box", "position_y", "bottom_space", "skip_stack",
                                   "containing_block", "absolute_boxes", "fixed_boxes",
                                   "first_letter_style", "first_line_style"],
    ("block", "_linebox_layout"): ["context", "box", "index", "child", "new_children", "page_is_empty",
                                   "absolute_boxes", "fixed_boxes", "adjoining_margins", "bottom_space",
                                   "position_y", "skip_stack", "first_letter_style", "first_line_style",
                                   "draw_bottom_decoration", "max_lines"],
    ("inline", "split_first_line"): ["text", "style", "context", "max_width", "justification_spacing",
                                     "is_line_start", "minimum"],
    ("inline", "get_next_linebox"): ["context", "linebox", "position_y", "bottom_space", "skip_stack",
                                     "containing_block", "absolute_boxes", "fixed_boxes",
                                     "first_letter_style", "first_line_style"],
}
# Words are cut at breaking spaces only; a word counts if it holds a letter.
_SPACES = re.compile(r"[ \t\n]+")
# Light text (a lead on a title band): relative luminance above this.
LIGHT = 0.8
# How many times a split paragraph is placed again, each time with one more line unhyphenated.
MAX_RETRIES = 4


class _State:
    """What the replaced functions share during one layout (renders are serialised)."""

    def __init__(self) -> None:
        self.no_hyphens = False
        # Line indexes the next `_lines` call must make without hyphenation (set by `_linebox_layout`).
        self.forbidden: frozenset[int] | None = None
        self.originals: dict[str, Any] = {}
        self.unhyphenated: dict[int, tuple[Any, Any]] = {}


_STATE = _State()


@contextmanager
def enforced() -> Iterator[bool]:
    """Apply the rules to every layout made inside; yields whether they could be applied."""
    from weasyprint.layout import block, inline

    modules = {"block": block, "inline": inline}
    if not _compatible(modules):
        yield False
        return
    originals = {name: getattr(modules[module], name) for module, name in _EXPECTED}
    _STATE.originals = originals
    replacements = {("block", "iter_line_boxes"): _lines, ("block", "_linebox_layout"): _linebox_layout,
                    ("inline", "split_first_line"): _split_first_line}
    for (module, name), function in replacements.items():
        setattr(modules[module], name, function)
    try:
        yield True
    finally:
        for (module, name), _function in replacements.items():
            setattr(modules[module], name, originals[name])
        _STATE.unhyphenated.clear()
        _STATE.no_hyphens, _STATE.forbidden = False, None


def _compatible(modules: dict[str, Any]) -> bool:
    for (module, name), parameters in _EXPECTED.items():
        function = getattr(modules[module], name, None)
        try:
            found = list(inspect.signature(function).parameters) if function else None
        except (TypeError, ValueError):
            found = None
        if found != parameters:
            log.warning("line-break rules off: WeasyPrint's %s.%s is not the one they were written for "
                        "(WeasyPrint 70); bad breaks are reported, not avoided", module, name)
            return False
    return True


# --- making lines ------------------------------------------------------------------


def _split_first_line(text: str, style: Any, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's line splitter, with hyphenation off while `_STATE.no_hyphens`."""
    if _STATE.no_hyphens and style["hyphens"] != "none":
        style = _unhyphenated(style)
    return _STATE.originals["split_first_line"](text, style, *args, **kwargs)


def _unhyphenated(style: Any) -> Any:
    """A copy of `style` with `hyphens: none` (one per style and layout)."""
    cached = _STATE.unhyphenated.get(id(style))
    if cached is None or cached[0] is not style:
        copy = style.copy()
        copy["hyphens"] = "none"
        cached = _STATE.unhyphenated[id(style)] = (style, copy)
    return cached[1]


@dataclass(frozen=True)
class _Start:
    """What a line is made from: where it starts, in the page and in the paragraph."""

    position_y: float
    skip_stack: Any
    text_indent: float
    first_letter_style: Any
    first_line_style: Any

    def after(self, line: Any, resume_at: Any) -> _Start:
        return _Start(line.position_y + line.height, resume_at, 0, None, None)


@dataclass
class _Made:
    line: Any
    resume_at: Any
    clean: bool  # made without side effects (no float, absolute or fixed box in it)


class _Paragraph:
    """Makes the lines of one paragraph (a block's line box) as WeasyPrint's
    `iter_line_boxes` does, and again when a rule says so."""

    def __init__(self, context: Any, box: Any, bottom_space: float, containing_block: Any,
                 absolute_boxes: list, fixed_boxes: list) -> None:
        self.context, self.box, self.bottom_space = context, box, bottom_space
        self.containing_block = containing_block
        self.absolute_boxes, self.fixed_boxes = absolute_boxes, fixed_boxes

    def make(self, start: _Start, no_hyphens: bool, width: float | None = None) -> _Made:
        from weasyprint.layout import inline

        context, block = self.context, self.containing_block
        counts = (len(self.absolute_boxes), len(self.fixed_boxes), context.excluded_shapes,
                  len(context.excluded_shapes))
        self.box.text_indent = start.text_indent
        saved_width = block.width
        if width is not None:
            block.width = width
        _STATE.no_hyphens = no_hyphens
        try:
            line, resume_at = _STATE.originals["get_next_linebox"](
                context, self.box, start.position_y, self.bottom_space, start.skip_stack, block,
                self.absolute_boxes, self.fixed_boxes, start.first_letter_style, start.first_line_style)
        finally:
            _STATE.no_hyphens = False
            block.width = saved_width
        if line is not None:
            inline.handle_leader(context, line, block)
        clean = counts == (len(self.absolute_boxes), len(self.fixed_boxes), context.excluded_shapes,
                           len(context.excluded_shapes))
        return _Made(line, resume_at, clean)

    def shorter(self, start: _Start, made: _Made) -> _Made | None:
        """`made`'s line made again with its last word moved to the next line, placed
        as it would be in the full width; None if it cannot be."""
        available = self.containing_block.width
        narrower = min(made.line.width, available) - 0.01
        again = self.make(start, True, width=narrower)
        if again.line is None or again.resume_at is None or not again.clean or not _words(again.line):
            return None
        shift = (available - narrower) * _alignment_shift(again.line.style)
        if shift:
            again.line.translate(shift, 0)
        return again

    def fits(self, made: _Made) -> bool:
        return made.line is not None and made.clean and made.line.width <= self.containing_block.width + 0.01


def _lines(context: Any, box: Any, position_y: float, bottom_space: float, skip_stack: Any,
           containing_block: Any, absolute_boxes: list, fixed_boxes: list,
           first_letter_style: Any, first_line_style: Any) -> Iterator[tuple[Any, Any]]:
    """WeasyPrint's `iter_line_boxes` (the lines of one paragraph, made one at a time as
    the page takes them), with the rules on hyphens and on display text applied."""
    from weasyprint.layout import inline

    forbidden, _STATE.forbidden = _STATE.forbidden or frozenset(), None
    inline.resolve_percentages(box, containing_block)
    if skip_stack is None:
        inline.resolve_one_percentage(box, "text_indent", containing_block.width)
    else:
        box.text_indent = 0
    paragraph = _Paragraph(context, box, bottom_space, containing_block, absolute_boxes, fixed_boxes)
    display = is_display(box.style)
    start = _Start(position_y, skip_stack, box.text_indent, first_letter_style, first_line_style)
    index, run = 0, 0  # the line's index in this call; lines ending in a hyphen just before it
    ahead: _Made | None = None
    while True:
        no_hyphens = index in forbidden or run >= MAX_HYPHENATED_LINES
        made = ahead if ahead is not None else paragraph.make(start, no_hyphens)
        ahead = None
        if made.line is None:
            return
        if no_hyphens and made.clean and not paragraph.fits(made):
            made = paragraph.make(start, False)  # a word too long for the line: hyphenate after all
        hyphenated = ends_in_hyphen(made.line)
        if made.resume_at is not None and made.clean and (hyphenated or display):
            following = paragraph.make(start.after(made.line, made.resume_at),
                                       index + 1 in forbidden or (hyphenated and run + 1 >= MAX_HYPHENATED_LINES))
            if following.clean and following.resume_at is None and len(_words(following.line)) == 1:
                again = None
                if hyphenated and not no_hyphens:
                    # The paragraph's last word is hyphenated: keep it whole.
                    again = paragraph.make(start, True)
                    again = again if paragraph.fits(again) else None
                elif display and not hyphenated and len(_words(made.line)) >= 2:
                    # One word alone on the last line of a title: give it a companion.
                    again = paragraph.shorter(start, made)
                if again is not None:
                    made, following = again, None
                    hyphenated = ends_in_hyphen(made.line)
            ahead = following
        yield made.line, made.resume_at
        if made.resume_at is None:
            return
        run = run + 1 if hyphenated else 0
        start = start.after(made.line, made.resume_at)
        index += 1


def _linebox_layout(context: Any, box: Any, index: Any, child: Any, new_children: list,
                    page_is_empty: bool, absolute_boxes: list, fixed_boxes: list, *rest: Any) -> Any:
    """WeasyPrint's placing of a paragraph's lines on a page or in a column, placed again
    with the last line unhyphenated while a split paragraph's last placed line ends in a hyphen."""
    original = _STATE.originals["_linebox_layout"]
    args = (context, box, index, child, new_children, page_is_empty, absolute_boxes, fixed_boxes, *rest)
    if context.footnotes:
        return original(*args)
    kept, absolutes, fixed = len(new_children), len(absolute_boxes), len(fixed_boxes)
    shapes, shape_count = context.excluded_shapes, len(context.excluded_shapes)
    forbidden: set[int] = set()
    for _ in range(MAX_RETRIES + 1):
        _STATE.forbidden = frozenset(forbidden)
        result = original(*args)
        _STATE.forbidden = None
        abort, stop = result[0], result[1]
        placed = new_children[kept:]
        if abort or not stop or not placed or placed[-1].resume_at is None or not ends_in_hyphen(placed[-1]):
            return result
        last = len(placed) - 1
        if last in forbidden or context.excluded_shapes is not shapes or len(forbidden) >= MAX_RETRIES:
            return result  # the rule cannot be met here: the finished layout reports it
        forbidden.add(last)
        del new_children[kept:], absolute_boxes[absolutes:], fixed_boxes[fixed:], shapes[shape_count:]
    return result


# --- what a line is ------------------------------------------------------------------


def ends_in_hyphen(line: Any) -> bool:
    """Whether a line box ends in its text's hyphenation character."""
    last = _last_text(line)
    if last is None:
        return False
    character = last.style["hyphenate_character"]
    return bool(character) and last.text.rstrip(" ").endswith(character)


def _last_text(line: Any) -> Any:
    from weasyprint.formatting_structure import boxes

    last = None
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and box.text.strip():
            last = box
    return last


def line_text(line: Any) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox))


def _words(line: Any) -> list[str]:
    return [word for word in _SPACES.split(line_text(line)) if any(char.isalpha() for char in word)]


def is_display(style: Any) -> bool:
    """Display text, as the PDF check sees it: larger than the body text (the root's
    size), or bold, or light, at body size or more."""
    size, body = style["font_size"], style.root_style["font_size"]
    if size >= DISPLAY_SCALE * body:
        return True
    return size >= body * 0.97 and (style["font_weight"] >= 600 or _light(style["color"]))


def _light(colour: Any) -> bool:
    try:
        red, green, blue = colour.to("srgb").coordinates
    except (AttributeError, ValueError, TypeError):
        return False
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue > LIGHT


def _alignment_shift(style: Any) -> float:
    """How far (as a share of the width taken away) a line made narrower must move to
    sit where the full width would put it: 0 for a line set from the left edge, 1 from
    the right edge, 0.5 centred."""
    align = style["text_align_all"]
    rtl = style["direction"] == "rtl"
    if align in ("start", "justify"):
        align = "right" if rtl else "left"
    elif align == "end":
        align = "left" if rtl else "right"
    return {"left": 0.0, "right": 1.0, "center": 0.5}.get(align, 0.0)


# --- the finished layout --------------------------------------------------------------


@dataclass(frozen=True)
class BadBreak:
    """A rule the layout could not meet: which page, which rule, which words, where."""

    page: int
    rule: str
    words: str
    topic: str | None

    def __str__(self) -> str:
        where = f"p.{self.page}" + (f", topic '{self.topic}'" if self.topic else "")
        return f"{where}: {self.rule}: {self.words}"


def bad_breaks(pages: list[Any]) -> list[BadBreak]:
    """Every bad break left in a finished layout (`weasyprint.Document.pages`)."""
    found: list[BadBreak] = []
    for number, page in enumerate(pages, start=1):
        _walk(page._page_box, number, None, found)
    return found


def _walk(box: Any, page: int, topic: str | None, found: list[BadBreak]) -> None:
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", "") == "article":
        anchor = element.get("id") or ""
        if anchor.startswith("topic-"):
            topic = anchor.removeprefix("topic-")
    children = getattr(box, "children", ())
    lines = [child for child in children if isinstance(child, boxes.LineBox)]
    if lines:
        found.extend(_line_breaks(lines, page, topic))
    for child in children:
        if isinstance(child, boxes.ParentBox):
            _walk(child, page, topic, found)


def _line_breaks(lines: list[Any], page: int, topic: str | None) -> list[BadBreak]:
    found = []
    run = 0
    for position, line in enumerate(lines):
        hyphenated = ends_in_hyphen(line)
        run = run + 1 if hyphenated else 0
        text = line_text(line).strip()
        last_word = text.split()[-1] if text.split() else ""
        if run == MAX_HYPHENATED_LINES + 1:
            found.append(BadBreak(page, "ladder", f"more than {MAX_HYPHENATED_LINES} lines in a row end "
                                                  f"in a hyphen, up to '{last_word}'", topic))
        resume_at = getattr(line, "resume_at", None)
        if hyphenated and position == len(lines) - 1 and resume_at is not None:
            found.append(BadBreak(page, "column-end", f"'{last_word}' is hyphenated across a column or "
                                                      "page end", topic))
        if position == len(lines) - 1 and resume_at is None and position > 0 and len(_words(line)) == 1:
            if ends_in_hyphen(lines[position - 1]):
                found.append(BadBreak(page, "last-word", f"the paragraph's last word is hyphenated: "
                                                         f"'{text}'", topic))
            elif is_display(line.style):
                found.append(BadBreak(page, "lone-word", f"'{text}' is alone on the last line of display "
                                                         "text", topic))
    return found


def report(pages: list[Any], what: str) -> list[BadBreak]:
    """Say, one line each, which rules a finished layout of `what` could not meet."""
    found = bad_breaks(pages)
    for bad in found:
        log.warning("%s: %s (a line-breaking rule could not be met)", what, bad)
    return found
