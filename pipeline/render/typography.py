"""Language-aware typography, applied once to every string before any renderer sees it.

The rules are data (`typography:` in each language's `_strings.yaml`), so a new
language needs a strings file, not code. Writers type plain text; this step adds
curly quotes and apostrophes, French spaces before ; : ! ? and inside « », no-break
spaces in long numbers and before %, en dashes in ranges, and no-break spaces in the
phrases that must never break across lines (`no_break`: "1540 (2004)", "Nations Unies").
French spaces before punctuation and inside « » are narrow no-break spaces (U+202F),
which keep their width in a justified line (a U+00A0 stretches with the word spaces).

In a right-to-left language (`direction: rtl`), runs of left-to-right text inside it
(reference codes such as COM/FS/2026-11/COR-01, acronyms, Latin names) are wrapped in
Unicode directional isolates (U+2066 ... U+2069, UAX #9), so that the bidirectional
algorithm keeps them in their own order instead of reordering their parts around the
right-to-left text. The PDF keeps the isolates (the text engine applies them; they have
no glyph); the DOCX turns them into runs of their own (see render/docx_bidi.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cached_property

from pipeline.content.links import LINK
from pipeline.content.model import Inline, Span
from pipeline.content.schema import Typography

# A straight quote after one of these opens a quotation (Spanish ¿ and ¡ open a
# question or exclamation that may start with a quotation).
_OPENING_CONTEXT = " \t\n([{\u00a0\u202f*\u2014\u2013/¿¡"
_NBSP_CHARS = "\u00a0\u202f"
# While a text is typeset, each link's text sits between these two private-use
# characters and its URL is kept aside (typography must never touch an address).
LINK_START, LINK_END = "\ue000", "\ue001"
_MARKERS = LINK_START + LINK_END
_TYPED_QUOTE = re.compile("[\"']")


class Typographer:
    """Apply one language's typography rules to text.

    `isolate` is applied by the composer after the rules and after inline markup is
    split into spans (so an isolate never straddles two spans); labels skip it, since
    their `{placeholders}` are not text.
    """

    def __init__(self, rules: Typography, direction: str = "ltr"):
        self.rules = rules
        self.direction = direction

    def isolate(self, text: str) -> str:
        """`text` with its left-to-right runs isolated, in a right-to-left language."""
        return isolate_ltr_runs(text) if self.direction == "rtl" else text

    @cached_property
    def _space_before(self) -> list[tuple[re.Pattern[str], str]]:
        compiled = []
        for mark, space in self.rules.space_before.items():
            # Any typed space before the mark is replaced; none is added at the start of
            # a text, after an opening bracket, or between digits (times such as 10:30).
            pattern = re.compile(rf"(?<=[^\s(\[])[ \t{_NBSP_CHARS}]*{re.escape(mark)}(?!\d)")
            compiled.append((pattern, space + mark))
        return compiled

    def __call__(self, text: str) -> str:
        text = self._quotes(text)
        text = self._guillemets(text)
        for pattern, replacement in self._space_before:
            text = pattern.sub(replacement, text)
        text = self._numbers(text)
        text = self._dashes(text)
        for pattern in self._no_break:
            text = pattern.sub(lambda m: re.sub("[ \t]+", NO_BREAK_SPACE, m.group()), text)
        return text

    @cached_property
    def _no_break(self) -> list[re.Pattern[str]]:
        return [no_break_pattern(phrase) for phrase in self.rules.no_break]

    def _quotes(self, text: str) -> str:
        # Only the typed quotes are looked at (most texts have none): looking at every
        # character's neighbours was a fifth of composing a handbook.
        if '"' not in text and "'" not in text:
            return text
        d_open, d_close = self.rules.double_quotes
        s_open, s_close = self.rules.single_quotes
        out = list(text)
        for match in _TYPED_QUOTE.finditer(text):
            i = match.start()
            before, after = _neighbours(text, i)
            if text[i] == '"':
                out[i] = d_open if before in _OPENING_CONTEXT else d_close
            elif before.isalnum() and (after.isalnum() or after in " .,;:!?"):
                out[i] = self.rules.apostrophe
            else:
                out[i] = s_open if before in _OPENING_CONTEXT else s_close
        return "".join(out)

    def _guillemets(self, text: str) -> str:
        opening, closing = self.rules.space_after_open_guillemet, self.rules.space_before_close_guillemet
        if opening:
            text = re.sub(rf"«[ \t{_NBSP_CHARS}]*", "«" + opening, text)
        if closing:
            text = re.sub(rf"[ \t{_NBSP_CHARS}]*»", closing + "»", text)
        return text

    def _numbers(self, text: str) -> str:
        sep = self.rules.number_group_separator
        if sep:
            # Digits typed in groups of three ("10 000") get the separator; a bare run of
            # five or more digits is grouped. Four-digit numbers (years) stay as typed.
            text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))", sep, text)
            text = re.sub(r"(?<![\d.,])\d{5,}(?![\d.,])", lambda m: _group(m.group(), sep), text)
        if self.rules.space_before_percent:
            text = re.sub(rf"(?<=\d)[ \t{_NBSP_CHARS}]*%", self.rules.space_before_percent + "%", text)
        return text

    def _dashes(self, text: str) -> str:
        if self.rules.en_dash_ranges:
            text = _RANGE.sub("\\1\u2013\\2", text)
        return text.replace(" - ", " \u2013 ")


NO_BREAK_SPACE = "\u00a0"
# A number as typed or typeset: digits, maybe in groups ("10 000", "10,000", "1540").
_NUMBER = r"\d+(?:[ \u00a0\u202f,.]\d{3}(?!\d))*"


def no_break_pattern(phrase: str) -> re.Pattern[str]:
    """The pattern of a `no_break` phrase: its words as written, any run of spaces
    between them, `{number}` for a number; never inside a longer word or number."""
    parts = []
    for piece in re.split(r"(\{number\}|\s+)", phrase.strip()):
        if piece == "{number}":
            parts.append(_NUMBER)
        elif piece.isspace():
            parts.append(f"[ \t{_NBSP_CHARS}]+")
        elif piece:
            parts.append(re.escape(piece))
    return re.compile(r"(?<![\w.,])" + "".join(parts) + r"(?!\w)")


# A hyphen between two numbers that stand alone ("2019-2021"), not inside a code such
# as COM/FS/2026-11/COR-01, where the digits touch a letter or a slash.
_RANGE = re.compile(r"(?<![\w/])(\d+)-(\d+)(?![\w/])")


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """The characters around text[i], link markers skipped (a space at either end)."""
    before = i - 1
    while before >= 0 and text[before] in _MARKERS:
        before -= 1
    after = i + 1
    while after < len(text) and text[after] in _MARKERS:
        after += 1
    return (text[before] if before >= 0 else " "), (text[after] if after < len(text) else " ")


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(groups)


# Unicode directional isolates (UAX #9): LRI opens a left-to-right isolate, PDI closes it.
LRI, PDI = "\u2066", "\u2069"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Characters that end a left-to-right run: right-to-left letters and Arabic digits
# (bidi classes R, AL, AN), paragraph and segment separators, and inline markup.
_RUN_BREAKS = frozenset({"R", "AL", "AN", "B", "S"})
_MARKUP = "*"


def isolate_ltr_runs(text: str) -> str:
    """Wrap every left-to-right run of `text` in LRI ... PDI.

    A run is a stretch without right-to-left letters that starts and ends with a
    left-to-right letter (bidi class L) or a European digit and holds at least one
    letter: `COM/FS/2026-11/COR-01`, `Europol Ltd`, `2026-11/COR`. Spaces and
    punctuation around it stay outside, where the right-to-left text places them;
    numbers on their own stay as they are (the bidirectional algorithm already
    orders them). Text that already holds directional controls is the writer's
    decision and is left alone.
    """
    if _BIDI_CONTROLS.search(text):
        return text
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        chunk = "".join(run)
        classes = [unicodedata.bidirectional(c) for c in chunk]
        ends = [i for i, kind in enumerate(classes) if kind in ("L", "EN")]
        if "L" in classes and ends:
            first, last = ends[0], ends[-1] + 1
            out.append(chunk[:first] + LRI + chunk[first:last] + PDI + chunk[last:])
        else:
            out.append(chunk)
        run.clear()

    for char in text:
        if char == _MARKUP or unicodedata.bidirectional(char) in _RUN_BREAKS:
            flush()
            out.append(char)
        else:
            run.append(char)
    flush()
    return "".join(out)


def strip_bidi_controls(text: str) -> str:
    """`text` without directional isolates and embeddings (for metadata)."""
    return _BIDI_CONTROLS.sub("", text)


_EMPHASIS = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>[^*]+?)\*")


def parse_inline(text: str, typeset: Callable[[str], str] | None = None) -> Inline:
    """Split `*italic*`, `**bold**` and `[text](url)` markup into spans; unmatched
    stars and brackets stay as text.

    `typeset` (a `Typographer`) is applied to everything but the link targets.
    Emphasis may hold a link and a link may hold emphasis (`*see [the report](url)*`).
    """
    urls: list[str] = []

    def hide(match: re.Match[str]) -> str:
        urls.append(match.group("url"))
        return LINK_START + match.group("text") + LINK_END

    marked = LINK.sub(hide, text)
    if typeset is not None:
        marked = typeset(marked)
    spans = _emphasis(marked)
    return _with_links(spans, urls) if urls else tuple(spans)


def _emphasis(text: str) -> list[Span]:
    spans: list[Span] = []
    pos = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > pos:
            spans.append(Span(text[pos : match.start()]))
        if match.group("bold") is not None:
            spans.append(Span(match.group("bold"), bold=True))
        else:
            spans.append(Span(match.group("italic"), italic=True))
        pos = match.end()
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return spans


def _with_links(spans: list[Span], urls: list[str]) -> Inline:
    """Cut spans at the link markers and give the parts inside a link its target."""
    out: list[Span] = []
    number, inside = -1, False
    for span in spans:
        for part in re.split(f"([{_MARKERS}])", span.text):
            if part == LINK_START:
                number, inside = number + 1, True
            elif part == LINK_END:
                inside = False
            elif part:
                out.append(Span(part, bold=span.bold, italic=span.italic, href=urls[number] if inside else None))
    return tuple(out)
