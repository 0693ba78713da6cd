"""The document model that every renderer consumes.

Plain frozen dataclasses and no I/O: the builder (`pipeline.render.compose`) turns validated
content into a `Document`, with typography already applied to every string, and each
renderer (HTML/PDF, DOCX) walks the same tree. Keeping the renderers on one model is
what keeps the PDF and the DOCX of a document in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Span:
    """A run of text with inline emphasis and, inside a link, its target (https: or mailto:)."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    # Only in a redline (`pipeline changes --pdf`): "ins" or "del", and the anchor the
    # redline's list of changes links to (on the first span of a change).
    change: Literal["ins", "del"] | None = None
    anchor: str | None = None


Inline = tuple[Span, ...]


def plain(inline: Inline) -> str:
    """The text of an inline sequence without its emphasis."""
    return "".join(span.text for span in inline)


def markup(inline: Inline) -> str:
    """An inline sequence in the content's own markup (docs/content-format.md): `*italic*`,
    `**bold**`, `[text](address)`, emphasis inside the link. What a reviewed text is
    written back as, and what a DOCX anchor fingerprints (so emphasis and link targets
    count as much as the words)."""
    out: list[str] = []
    i = 0
    while i < len(inline):
        href = inline[i].href
        j = i
        while j < len(inline) and inline[j].href == href:
            j += 1
        text = _emphasised(inline[i:j])
        out.append(f"[{text}]({href})" if href is not None else text)
        i = j
    return "".join(out)


def _emphasised(spans: Inline) -> str:
    merged: list[tuple[str, str]] = []  # (mark, text), neighbours of one emphasis joined
    for span in spans:
        mark = "**" if span.bold else "*" if span.italic else ""
        if merged and merged[-1][0] == mark:
            merged[-1] = (mark, merged[-1][1] + span.text)
        elif span.text:
            merged.append((mark, span.text))
    return "".join(f"{mark}{text}{mark}" for mark, text in merged)


@dataclass(frozen=True)
class Origin:
    """Where a text of the model comes from: a content document (`_frontmatter` or a topic
    id, as `pipeline.translations.fields` names documents) and the field's path in its
    YAML, e.g. ("sections", 0, "blocks", 1, "list", "items", 2).

    The DOCX anchors each text to its origin so that a reviewer's changes in Word find
    their way back to the field (`pipeline review`); the PDF ignores it.
    """

    doc: str
    path: tuple[str | int, ...]


class SourcedInline(tuple):
    """An `Inline` (a tuple of spans, equal to any tuple of the same spans) that knows its `Origin`.

    A tagged value rather than a field of every dataclass, so that every consumer of the
    model keeps treating texts as plain tuples and strings.
    """

    origin: Origin

    def __new__(cls, spans, origin: Origin):
        self = super().__new__(cls, spans)
        self.origin = origin
        return self

    def __reduce__(self):
        return (SourcedInline, (tuple(self), self.origin))

    def __repr__(self) -> str:
        # The build's fingerprint of a document is its repr: an anchor moving must rebuild.
        return f"SourcedInline({tuple.__repr__(self)}, {self.origin!r})"


class SourcedText(str):
    """A plain text of the model (a title, an alt text) that knows its `Origin`."""

    origin: Origin

    def __new__(cls, text: str, origin: Origin):
        self = super().__new__(cls, text)
        self.origin = origin
        return self

    def __reduce__(self):
        return (SourcedText, (str(self), self.origin))

    def __repr__(self) -> str:
        return f"SourcedText({str.__repr__(self)}, {self.origin!r})"


def origin_of(value: object) -> Origin | None:
    """The origin of a text of the model, or None for generated text (labels, dates)."""
    return getattr(value, "origin", None) if isinstance(value, (SourcedInline, SourcedText)) else None


@dataclass(frozen=True)
class Paragraph:
    spans: Inline


@dataclass(frozen=True)
class BulletList:
    """A list made out of a sentence; `intro` is the lead-in clause, if any."""

    intro: Inline | None
    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Quote:
    spans: Inline
    attribution: Inline | None = None
    source: Inline | None = None


@dataclass(frozen=True)
class KeyFigure:
    """A figure set apart, e.g. value "Over 90%" and its text, and where it comes from."""

    value: Inline
    text: Inline
    source: Inline | None = None


@dataclass(frozen=True)
class Asset:
    """A picture file under content/assets/, checked by `pipeline.content.assets`.

    `width` and `height` are its intrinsic size in CSS px (a raster image's pixels, an
    SVG's declared size), for its proportions; `digest` hashes its bytes, so that the
    fingerprint of a document that shows it changes when the file does.
    """

    path: Path
    kind: Literal["png", "jpeg", "svg"]
    width: float
    height: float
    digest: str

    @property
    def mime_type(self) -> str:
        return {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}[self.kind]

    @property
    def aspect(self) -> float:
        """Height over width."""
        return self.height / self.width


@dataclass(frozen=True)
class Figure:
    """A picture with its text alternative; `width` is a percentage of the text column."""

    asset: Asset
    alt: str
    caption: Inline | None = None
    credit: Inline | None = None
    width: int = 100


@dataclass(frozen=True)
class Table:
    """A table with one header row; `align` holds start, center or end per column."""

    caption: Inline
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...]


@dataclass(frozen=True)
class Logo:
    """The branding logo of a document and its text alternative."""

    asset: Asset
    alt: str


@dataclass(frozen=True)
class Focus:
    """A call-out on one item (a phenomenon or an operation)."""

    title: Inline
    body: tuple[Paragraph, ...]


Block = Paragraph | BulletList | Quote | KeyFigure | Focus | Figure | Table


@dataclass(frozen=True)
class Section:
    """A headed section; `anchor` is unique within its document."""

    heading: Inline
    anchor: str
    blocks: tuple[Block, ...]
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class RelatedRef:
    """A link to another crime area, by its id, title and (handbook) anchor.

    In a briefing pack, a crime area the pack does not hold has no anchor (None): it is
    printed without a page number, and links to `href`, the factsheet's published
    address, when the edition gives one (edition.yaml `factsheet_address`), else nowhere.
    """

    topic_id: str
    title: str
    anchor: str | None
    href: str | None = None


@dataclass(frozen=True)
class Chapter:
    """One crime area: a whole factsheet, or one chapter of the handbook."""

    topic_id: str
    anchor: str
    title: str
    lead: Inline
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    related: tuple[RelatedRef, ...]
    reference: str


@dataclass(frozen=True)
class FrontMatter:
    """The handbook's cover, imprint and foreword."""

    title: str
    subtitle: str
    organisation: str
    unit: str
    foreword: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Credits:
    """The optional contact and source lines of a language's front matter.

    Printed on the handbook's imprint and back cover and in each factsheet only when
    given, so an edition without them prints no orphan label. `contact` is an e-mail
    address or an https URL as typed (typography would corrupt an address).
    """

    contact: str | None = None
    source: str | None = None

    @property
    def contact_href(self) -> str | None:
        """The link target of the contact: `mailto:` for an e-mail address."""
        if self.contact is None:
            return None
        return self.contact if self.contact.startswith("https://") else "mailto:" + self.contact

    def __bool__(self) -> bool:
        return self.contact is not None or self.source is not None


Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True)
class Approval:
    """A sign-off (content/signoffs.yaml) still current for a document's text.

    `whole_language` when it approved every document of the language as it is now;
    `line` is what the handbook's imprint prints ("Approved: Reviser, 2026-11-20").
    """

    by: str
    role: str | None
    date: dt.date
    fingerprint: str
    whole_language: bool
    line: str


@dataclass(frozen=True)
class RedlineEntry:
    """One line of a redline's first page: a document and what changed in it."""

    title: str
    status: str  # the language's words: new, removed, N changes
    anchor: str | None  # where the document (or its first change) is, if it is shown
    changes: tuple[tuple[Inline, str | None], ...] = ()  # each change marked, and its anchor


@dataclass(frozen=True)
class Redline:
    """A document laid out as a redline: its changes since an edition marked in place."""

    heading: str  # "Changes since November 2026"
    summary: str
    entries: tuple[RedlineEntry, ...]
    show_foreword: bool = False
    ins_colour: str = "#1F5FBF"
    del_colour: str = "#C0392B"


@dataclass(frozen=True)
class Meta:
    """Document control and metadata, printed in footers and stored in files."""

    title: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    lang: str
    locale: str
    date: dt.date
    edition_label: str
    reference: str
    classification: str
    status: str
    draft: bool
    # The script direction of the language (`_strings.yaml`); `rtl` mirrors the layout.
    direction: Direction = "ltr"


@dataclass(frozen=True)
class PageMargins:
    """Page margins in mm, the same for every format. `inner` is the binding side."""

    top: float
    bottom: float
    inner: float
    outer: float


# What a PDF is for, which decides its standard: "screen" files are tagged PDF/UA-1
# (read on screen, e-mailed, posted), "print" files PDF/X-4 for the print shop,
# "archive" files PDF/A-2u for the records archive (see pipeline/render/pdf.py).
Variant = Literal["screen", "print", "archive"]


@dataclass(frozen=True)
class Layout:
    """Output options that change the rendering, not the content.

    `print_mode` is the print shop's page geometry (bleed, crop marks); `variant` the
    PDF standard the file conforms to. `pipeline build --print` and the release's
    print set use both; the archive set uses the screen geometry.
    """

    paper: Literal["a4", "letter"] = "a4"
    print_mode: bool = False
    variant: Variant = "screen"

    def for_variant(self, variant: Variant) -> Layout:
        """This layout for a variant's file: print files get the print geometry."""
        if variant == "screen":
            return self
        return replace(self, print_mode=variant == "print", variant=variant)


@dataclass(frozen=True)
class Document:
    """Everything a renderer needs for one output document.

    `labels` are the interface strings of the document's language (already through
    typography); `branding` holds colours and font families (`fonts`: the brand's;
    `script_fonts`, only for a language that has its own in branding.yaml
    `fonts.by_language`: the fonts of its script); `margins` the page
    margins of this kind of document; `templates` the content's folder of templates
    that override the built-in ones by name (branding.yaml `templates:`), if any.
    """

    kind: Literal["factsheet", "handbook"]
    meta: Meta
    labels: dict[str, str]
    branding: dict[str, dict[str, str]]
    margins: PageMargins
    chapters: tuple[Chapter, ...]
    front: FrontMatter | None = None
    layout: Layout = field(default_factory=Layout)
    credits: Credits = field(default_factory=Credits)
    # Handbook only (edition.yaml): chapters open on the next page or the next right-hand page.
    chapter_start: Literal["page", "recto"] = "page"
    templates: Path | None = None
    logo: Logo | None = None
    # Current sign-offs: filled in for archive files (their XMP records them) and, when
    # edition.yaml `imprint: {approval: true}` asks, for the handbook's imprint.
    approvals: tuple[Approval, ...] = ()
    imprint_approval: bool = False
    # Set only for a redline (`pipeline changes --pdf`), never for a release file.
    redline: Redline | None = None

    def assets(self) -> tuple[Asset, ...]:
        """Every picture file the document shows (the logo and its figures), each once."""
        found = [self.logo.asset] if self.logo else []
        for chapter in self.chapters:
            found += [block.asset for block in chapter_blocks(chapter) if isinstance(block, Figure)]
        return tuple(dict.fromkeys(found))

    def font_families(self) -> tuple[str, ...]:
        """The font families the document is set in: the brand's, then (for a language
        with fonts of its own) its script's."""
        return (*self.branding.get("fonts", {}).values(), *self.branding.get("script_fonts", {}).values())


def chapter_blocks(chapter: Chapter) -> Iterator[Block]:
    """Every block of a chapter, intro first, sections and subsections in reading order."""
    yield from chapter.intro
    stack = list(chapter.sections)
    while stack:
        section = stack.pop(0)
        yield from section.blocks
        stack[:0] = section.subsections
