"""Bad line breaks in a built PDF, found from where its text is drawn.

A print editor counts four kinds of break as errors (the rules of InDesign's paragraph
composer and TeX; CSS Text 4 names the first two `hyphenate-limit-last` and
`hyphenate-limit-lines`):

* `column-end`: a line that ends a column or a page ends in a hyphenation hyphen (the
  reader turns the page in the middle of a word);
* `last-word`: the last word of a paragraph is hyphenated (one syllable alone on the
  paragraph's last line);
* `ladder`: more than `MAX_HYPHENATED_LINES` consecutive lines end in a hyphen;
* `lone-word`: display text (titles, leads, call-out titles, headings) leaves a single
  word alone on its last line.

The check reads the PDF as a reader sees it, not our HTML: poppler's `pdftohtml -xml`
gives every run of text with its position, font, size and colour. From those it
rebuilds lines (runs on one baseline), columns (lines that overlap horizontally) and
blocks (lines of one size stacked at their line pitch; a paragraph's spacing, another
size or nothing below ends a block).

A hyphenation hyphen is told from a real one by its character: WeasyPrint draws the
hyphen it adds at a break as U+2010 HYPHEN (`hyphenate-character`), while a typed
hyphen ("cross-border") is U+002D and is never a finding.

Display text is recognised by its look, relative to the body text (the size and colour
of most regular characters in blocks of two lines or more): larger than the body by
`DISPLAY_SCALE`, or bold, or light on a dark band (a title band's lead), at body size
or more. Small bold labels (table headers, call-out labels, running feet) are not.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.checks import Finding
from pipeline.errors import PipelineError

CHECK = "breaks"
# What WeasyPrint draws at a hyphenation break (its default `hyphenate-character`).
HYPHENATION_HYPHEN = "\u2010"
# At most this many consecutive lines may end in a hyphen (InDesign "Hyphen Limit: 2").
MAX_HYPHENATED_LINES = 2
# Display text: at least this much larger than the body text, or bold or light at body size.
DISPLAY_SCALE = 1.15
# Lines of one block follow each other at their line pitch; a paragraph's spacing adds
# to it. A block's lines are at most PITCH_SLACK times the usual pitch of their size
# apart, and never more than MAX_PITCH font sizes (a stack of one-line entries, such as
# a contents list, is not one block).
PITCH_SLACK = 1.1
MAX_PITCH = 1.62
# The body text is found in paragraphs of at least this many lines.
BODY_LINES = 2
# poppler's scale: coordinates and sizes come in 1/ZOOM points.
ZOOM = 3

_TEXT = re.compile(r'<text top="(-?\d+)" left="(-?\d+)" width="(\d+)" height="(\d+)" font="(\d+)">(.*?)</text>')
_FONT = re.compile(r'<fontspec id="(\d+)" size="(-?\d+)" family="([^"]*)" color="#([0-9a-fA-F]{6})"')
_PAGE = re.compile(r'<page number="(\d+)"')
_TAG = re.compile(r"<[^>]+>")
# Words are cut at breaking spaces only: a no-break space binds its neighbours.
_SPACES = re.compile(r"[ \t\n]+")


class PopplerMissing(PipelineError):
    """pdftohtml (poppler-utils) is needed to read the text positions of a PDF."""


@dataclass(frozen=True)
class Font:
    size: int
    family: str
    colour: str

    @property
    def bold(self) -> bool:
        return "bold" in self.family.lower() or "black" in self.family.lower()

    @property
    def light(self) -> bool:
        red, green, blue = (int(self.colour[i:i + 2], 16) for i in (0, 2, 4))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.8 * 255


@dataclass
class Line:
    """Runs of text on one baseline and close together: one printed line."""

    page: int
    top: int
    left: int
    right: int
    height: int
    runs: list[tuple[Font, str]] = field(default_factory=list)
    below: Line | None = None  # the next line of the same block
    above: Line | None = None

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.runs).strip()

    @property
    def font(self) -> Font:
        """The font of most of its characters."""
        weights: Counter[Font] = Counter()
        for font, text in self.runs:
            weights[font] += len(text.strip())
        return weights.most_common(1)[0][0]

    @property
    def size(self) -> int:
        return self.font.size

    @property
    def words(self) -> list[str]:
        return [word for word in _SPACES.split(self.text) if word]

    hyphens: str = HYPHENATION_HYPHEN  # the characters that end a hyphenated line

    @property
    def hyphenated(self) -> bool:
        return self.text[-1:] in self.hyphens if self.text else False


def check(path: Path, hyphens: str = HYPHENATION_HYPHEN) -> list[Finding]:
    """Every bad break in the PDF at `path`, with its page and words.

    `hyphens` are the characters a hyphenated line ends in: WeasyPrint's U+2010 by
    default; a PDF from another tool (LibreOffice draws its hyphens as U+002D) can
    name its own, and then a line ending in a typed hyphen counts too.
    """
    lines = read_lines(path)
    for line in lines:
        line.hyphens = hyphens
    link_blocks(lines)
    body = body_font(lines)
    findings: list[Finding] = []
    for line in lines:
        findings.extend(_hyphen_findings(line))
        if body is not None and line.above is None:
            findings.extend(_display_findings(line, body))
    return findings


# --- reading the PDF ----------------------------------------------------------------


def read_lines(path: Path) -> list[Line]:
    """The printed lines of every page, in the order they are drawn."""
    pdftohtml = shutil.which("pdftohtml")
    if pdftohtml is None:
        raise PopplerMissing("pdftohtml not found; install it with: apt-get install poppler-utils")
    result = subprocess.run(
        [pdftohtml, "-xml", "-i", "-q", "-fontfullname", "-zoom", str(ZOOM), "-stdout", str(path)],
        capture_output=True, check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise PipelineError(f"{path}: cannot read its text: {message[-1] if message else 'pdftohtml failed'}")
    return parse_xml(result.stdout.decode("utf-8", errors="replace"))


def parse_xml(xml: str) -> list[Line]:
    """Lines from pdftohtml's XML: its runs joined when they share a baseline and touch."""
    fonts: dict[str, Font] = {}
    lines: list[Line] = []
    page = 0
    for raw in xml.splitlines():
        if match := _PAGE.search(raw):
            page = int(match.group(1))
        if match := _FONT.search(raw):
            fonts[match.group(1)] = Font(int(match.group(2)), match.group(3).partition("+")[2] or match.group(3),
                                         match.group(4).lower())
        if not (match := _TEXT.search(raw)):
            continue
        top, left, width, height = (int(match.group(i)) for i in range(1, 5))
        text = html.unescape(_TAG.sub("", match.group(6)))
        if not text.strip():
            continue
        font = fonts[match.group(5)]
        previous = lines[-1] if lines else None
        if previous is not None and previous.page == page and _same_line(previous, top, left, width, height, font):
            previous.runs.append((font, text))
            previous.left, previous.right = min(previous.left, left), max(previous.right, left + width)
            previous.top, previous.height = min(previous.top, top), max(previous.height, height)
        else:
            lines.append(Line(page, top, left, left + width, height, [(font, text)]))
    return lines


def _same_line(line: Line, top: int, left: int, width: int, height: int, font: Font) -> bool:
    """Whether a run continues `line`: on its baseline, and closer than a column gap."""
    near = abs((line.top + line.height) - (top + height)) <= max(2, font.size // 4)
    gap = max(left - line.right, line.left - (left + width), 0)
    return near and gap <= 2 * font.size


# --- blocks -------------------------------------------------------------------------


def link_blocks(lines: list[Line]) -> None:
    """Chain each line to the next line of its block (`below`), and back (`above`)."""
    pitches = usual_pitches(lines)
    for page_lines in _by_page(lines):
        for line in page_lines:
            below = _next_below(line, page_lines)
            if below is None or below.above is not None:
                continue
            limit = min(pitches.get(line.size, MAX_PITCH * line.size) * PITCH_SLACK, MAX_PITCH * line.size)
            if below.top - line.top <= limit + 1:
                line.below, below.above = below, line


def _by_page(lines: list[Line]) -> list[list[Line]]:
    """The lines of each page, in the order given (a line's block never
    continues on another page: that is a break between blocks, judged elsewhere)."""
    pages: dict[int, list[Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    return list(pages.values())


def usual_pitches(lines: list[Line]) -> dict[int, float]:
    """The most common distance between a line and the one under it, per font size."""
    samples: dict[int, Counter[int]] = {}
    for page_lines in _by_page(lines):
        for line in page_lines:
            below = _next_below(line, page_lines)
            if below is not None and below.top - line.top <= MAX_PITCH * line.size:
                samples.setdefault(line.size, Counter())[below.top - line.top] += 1
    return {size: counts.most_common(1)[0][0] for size, counts in samples.items()}


def _next_below(line: Line, page_lines: list[Line]) -> Line | None:
    """The nearest line under `line` of the same size that shares its column."""
    best = None
    for other in page_lines:
        if other is line or other.top <= line.top or abs(other.size - line.size) > 1:
            continue
        overlap = min(line.right, other.right) - max(line.left, other.left)
        if overlap <= 0.5 * min(line.right - line.left, other.right - other.left):
            continue
        if best is None or other.top < best.top:
            best = other
    return best


def body_font(lines: list[Line]) -> Font | None:
    """The body text's size and colour: those of most of the characters set in regular
    weight in paragraphs (blocks of `BODY_LINES` lines or more), so that tables, captions
    and lists of short lines do not outweigh the running text. (Its face is not needed:
    display text is told by size, weight and colour.)"""
    sizes: Counter[int] = Counter()
    colours: Counter[str] = Counter()
    for minimum in (BODY_LINES, 1):
        for line in lines:
            if _block_length(line) >= minimum:
                for font, text in line.runs:
                    if not font.bold:
                        sizes[font.size] += len(text)
                        colours[font.colour] += len(text)
        if sizes:
            return Font(sizes.most_common(1)[0][0], "", colours.most_common(1)[0][0])
    return None


def _block_length(line: Line) -> int:
    count = 1
    up, down = line.above, line.below
    while up is not None:
        count, up = count + 1, up.above
    while down is not None:
        count, down = count + 1, down.below
    return count


def is_display(line: Line, body: Font) -> bool:
    font = line.font
    if font.size >= DISPLAY_SCALE * body.size:
        return True
    return font.size >= body.size - 1 and (font.bold or (font.light and not body.light))


# --- the rules ----------------------------------------------------------------------


def _hyphen_findings(line: Line) -> list[Finding]:
    findings = []
    if not line.hyphenated:
        return findings
    if line.below is None:
        findings.append(_finding("column-end", line, f"'{_last(line)}' is hyphenated across a column or page end"))
        return findings
    tail = line.below
    if tail.below is None and len(_letter_words(tail)) == 1:
        findings.append(_finding("last-word", line, f"the paragraph's last word is hyphenated: "
                                                    f"'{_last(line)} / {tail.text}'"))
    if line.above is None or not line.above.hyphenated:
        run = [line]
        while run[-1].below is not None and run[-1].below.hyphenated:
            run.append(run[-1].below)
        if len(run) > MAX_HYPHENATED_LINES:
            words = " / ".join(_last(each) for each in run)
            findings.append(_finding("ladder", line, f"{len(run)} consecutive lines end in a hyphen: '{words}'"))
    return findings


def _display_findings(first: Line, body: Font) -> list[Finding]:
    block = [first]
    while block[-1].below is not None:
        block.append(block[-1].below)
    if len(block) < 2 or not all(is_display(line, body) for line in block):
        return []
    last = block[-1]
    if len(_letter_words(last)) != 1:
        return []
    return [_finding("lone-word", last, f"'{last.text}' is alone on the last line of "
                                        f"'{_shorten(' '.join(line.text for line in block))}'")]


def _letter_words(line: Line) -> list[str]:
    """The words of a line that hold a letter (leader dots and page numbers do not count)."""
    return [word for word in line.words if any(char.isalpha() for char in word)]


def _last(line: Line) -> str:
    words = line.words
    return words[-1] if words else ""


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _finding(rule: str, line: Line, message: str) -> Finding:
    return Finding(CHECK, rule, line.page, message)
