"""The content schema: what each YAML file may contain, declared once with pydantic.

Unknown keys are refused (`extra="forbid"`) so that a typo in a key cannot silently
drop text; strings must be real strings (a bare `yes` or `1540` is an error, not a
conversion), non-empty and free of control characters that cannot be printed or
stored in DOCX. Cross-file rules (parity between languages, related ids) live in
`pipeline.content.validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
)

from pipeline.content import links

# C0/C1 controls except tab and newline, plus U+FFFE/U+FFFF: not printable, not valid in DOCX XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# `pipeline new` fills a new topic with values that start with these words. "TO WRITE"
# (the reference language) is refused here, so `pipeline validate` lists exactly what is
# still to write. "TO TRANSLATE" (the other languages) is valid text that translation
# status always reports as missing (pipeline.translations), so a new topic can go to
# translators through XLIFF, drafts build, and a final edition refuses until translated.
PLACEHOLDER = re.compile(r"^\s*(TO WRITE)\b")
TRANSLATE_PLACEHOLDER = re.compile(r"^\s*TO TRANSLATE\b")


def _clean_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"contains control character U+{ord(bad.group()):04X}")
    todo = PLACEHOLDER.match(value)
    if todo:
        raise ValueError(f"{todo.group(1).lower()} (replace the placeholder left by 'pipeline new')")
    return value


def _plain(value: str) -> str:
    if links.has_link(value):
        raise ValueError("a link [text](...) is not allowed here: this field is plain text "
                         "(links belong in running text: paragraphs, list items, captions, table cells)")
    return value


def _links(value: str) -> str:
    problems = links.problems_in(value)
    if problems:
        raise ValueError("; ".join(problems))
    return value


# Plain text (titles, headings, labels, alt text) and running text, which may hold
# inline links `[text](https://...)`; both may hold *italic* and **bold** where printed inline.
Text = Annotated[StrictStr, AfterValidator(_clean_text), AfterValidator(_plain)]
Rich = Annotated[StrictStr, AfterValidator(_clean_text), AfterValidator(_links)]

# A contact is something a reader can use: an e-mail address or a web address (https).
_EMAIL = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HTTPS = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?(/[^\s<>\"]*)?")


def _contact(value: str) -> str:
    if _EMAIL.fullmatch(value) or _HTTPS.fullmatch(value):
        return value
    raise ValueError("must be an e-mail address (name@example.org) or a web address (https://...)")


Contact = Annotated[StrictStr, AfterValidator(_clean_text), AfterValidator(_contact)]
TopicId = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- topic files -----------------------------------------------------------------


class ListBody(Strict):
    intro: Rich | None = None
    items: list[Rich] = Field(min_length=2)


class FocusBody(Strict):
    title: Text
    body: list[Rich] = Field(min_length=1)


class QuoteBody(Strict):
    text: Rich
    attribution: Rich | None = None
    # Where the quotation was published, one line printed under it (in the language's words).
    source: Rich | None = None


class KeyFigureBody(Strict):
    value: Text
    text: Rich
    # Where the figure comes from, one line printed under it (in the language's words).
    source: Rich | None = None


class FigureBody(Strict):
    """A picture: a PNG, JPEG or SVG file under content/assets/ (checked by `pipeline.content.assets`)."""

    src: Text
    # What the picture shows, for readers who cannot see it: required in every language.
    alt: Text
    caption: Rich | None = None
    credit: Rich | None = None
    # Printed width in percent of the text column.
    width: Annotated[StrictInt, Field(ge=10, le=100)] = 100


def _cell(value: Any) -> Any:
    """A table cell is text; a whole number may be typed bare (12500) and becomes text."""
    if isinstance(value, bool):
        raise ValueError("a cell is text or a whole number (quote yes/no/true/false: \"yes\")")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError("write a number with decimals as text, in the language's own form "
                         "(\"3.5\" in English, \"3,5\" in French)")
    return value


Cell = Annotated[Rich, BeforeValidator(_cell)]
# Column alignment, named by the reading direction so a right-to-left language mirrors it.
Align = Literal["start", "center", "end"]


class TableBody(Strict):
    """A small table of figures; every row has one cell per header column (`pipeline.content.validate`)."""

    caption: Rich
    header: list[Text] = Field(min_length=1)
    rows: list[list[Cell]] = Field(min_length=1)
    align: list[Align] | None = None


class ListBlock(Strict):
    list: ListBody


class FocusBlock(Strict):
    focus: FocusBody


class QuoteBlock(Strict):
    quote: QuoteBody


class KeyFigureBlock(Strict):
    key_figure: KeyFigureBody


class FigureBlock(Strict):
    figure: FigureBody


class TableBlock(Strict):
    table: TableBody


BLOCK_KINDS = ("list", "focus", "quote", "key_figure", "figure", "table")


def _block_kind(value: Any) -> str | None:
    """Which kind of block a raw value is: a string is a paragraph, a mapping its one key."""
    if isinstance(value, str):
        return "paragraph"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in BLOCK_KINDS else None
    if isinstance(value, BaseModel):
        return next(k for k in BLOCK_KINDS if hasattr(value, k))
    return None


Block = Annotated[
    Annotated[Rich, Tag("paragraph")]
    | Annotated[ListBlock, Tag("list")]
    | Annotated[FocusBlock, Tag("focus")]
    | Annotated[QuoteBlock, Tag("quote")]
    | Annotated[KeyFigureBlock, Tag("key_figure")]
    | Annotated[FigureBlock, Tag("figure")]
    | Annotated[TableBlock, Tag("table")],
    Discriminator(
        _block_kind,
        custom_error_type="block_kind",
        custom_error_message="a block is a paragraph (text) or a mapping with one key: "
        + ", ".join(BLOCK_KINDS),
    ),
]
BLOCK_TAGS = frozenset({"paragraph", *BLOCK_KINDS})


class Subsection(Strict):
    heading: Text
    blocks: list[Block] = Field(min_length=1)


class Section(Strict):
    heading: Text
    blocks: list[Block] = Field(default_factory=list)
    subsections: list[Subsection] = Field(default_factory=list)


class Topic(Strict):
    id: TopicId
    title: Text
    lead: Rich
    intro: list[Block] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    related: list[TopicId] = Field(default_factory=list)


# --- per-language files ----------------------------------------------------------


class FrontMatter(Strict):
    title: Text
    subtitle: Text
    organisation: Text
    unit: Text
    # Optional, printed on the imprint, the back cover and each factsheet only when
    # given: an address readers can use (never a description such as "Enquiries: ..."),
    # and one line naming the source and copyright, in the language's own words.
    contact: Contact | None = None
    source: Text | None = None
    foreword: list[Rich] = Field(min_length=1)


class Labels(Strict):
    """Every label a renderer prints; a new language must supply all of them."""

    contents: Text
    page: Text
    page_of: Annotated[Text, Field(pattern=r"\{page\}.*\{pages\}")]
    page_ref: Annotated[Text, Field(pattern=r"\{page\}")]
    related: Text
    key_figure: Text
    in_focus: Text
    quotation: Text
    foreword: Text
    imprint: Text
    edition: Text
    reference: Text
    classification: Text
    status: Text
    contact: Text
    factsheet: Text
    handbook: Text
    crime_areas: Text
    draft_mark: Text
    keywords: Text
    # Alt text of the branding logo; `{organisation}` is replaced by the organisation's name.
    logo: Text
    # What a link says it leads to, for screen readers (the PDF's link descriptions, the
    # DOCX's tooltips): a place in the document ("Organised crime, page 13") and a web
    # or e-mail address (`{text}` is the link's text; just the address when it is the text).
    link_page: Annotated[Text, Field(pattern=r"\{title\}.*\{page\}|\{page\}.*\{title\}")]
    link_address: Annotated[Text, Field(pattern=r"\{address\}")]


class DateFormat(Strict):
    format: Annotated[Text, Field(pattern=r"\{month\}|\{year\}")]
    months: list[Text] = Field(min_length=12, max_length=12)


class Typography(Strict):
    """Language typography as data, so a new language needs no code."""

    double_quotes: list[StrictStr] = Field(min_length=2, max_length=2)
    single_quotes: list[StrictStr] = Field(min_length=2, max_length=2)
    apostrophe: StrictStr
    space_before: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    space_after_open_guillemet: StrictStr = ""
    space_before_close_guillemet: StrictStr = ""
    number_group_separator: StrictStr = ""
    space_before_percent: StrictStr = ""
    en_dash_ranges: bool = True
    # Phrases that never break across lines: their spaces become no-break spaces.
    # `{number}` stands for any number ("{number} ({number})": resolution 1540 (2004)).
    no_break: list[Annotated[StrictStr, Field(min_length=1)]] = Field(default_factory=list)


class ReleaseLabels(Strict):
    """The words of a release set's README.txt, which lists the set in every language."""

    heading: Annotated[Text, Field(pattern=r"\{edition\}")]
    draft_notice: Text
    screen: Text
    docx: Text
    bundle: Text
    print: Text
    archive: Text
    pages: Annotated[Text, Field(pattern=r"\{pages\}")]
    verify: Text


class EditionLabels(Strict):
    """The words of an edition's history: `pipeline changes`, the redline PDF, sign-off
    on the imprint, and the "what changed" section of a release set's README.txt."""

    # The redline PDF's title, running head and watermark, and the README's heading.
    since: Annotated[Text, Field(pattern=r"\{edition\}")]
    # Its first page: heading and one line per document.
    summary: Text
    added: Text
    removed: Text
    changed: Annotated[Text, Field(pattern=r"\{count\}")]
    unchanged: Text
    # Names of a language's two files of its own, where a list names documents.
    strings_doc: Text
    front_doc: Text
    # The handbook imprint, when edition.yaml `imprint: {approval: true}` asks for it.
    approved: Annotated[Text, Field(pattern=r"\{role\}.*\{date\}|\{date\}.*\{role\}")]
    # README.txt of a release set.
    first_edition: Text
    signed: Annotated[Text, Field(pattern=r"\{by\}")]
    snapshot: Text
class PackStrings(Strict):
    """A briefing pack's cover words in one language (`packs:` in _strings.yaml).

    Title and subtitle are required in every language, checked with the other pack
    rules (`pipeline.content.packs`) so that every problem of a pack is named at once;
    the foreword is optional: a pack without one opens on its contents.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"required": ["title", "subtitle"]})

    title: Text | None = None
    subtitle: Text | None = None
    foreword: list[Rich] = Field(default_factory=list)


class Strings(Strict):
    language: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")]
    locale: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}-[A-Z]{2}$")]
    name: Text
    # The script's direction: `rtl` (Arabic, Hebrew, Persian...) mirrors the layout of
    # the PDF and the DOCX. Key and values are fixed: other tools read and write them.
    direction: Literal["ltr", "rtl"] = "ltr"
    labels: Labels
    release: ReleaseLabels
    editions: EditionLabels
    status: dict[Literal["draft", "final"], Text]
    classification: dict[StrictStr, Text]
    date: DateFormat
    typography: Typography
    # Title, subtitle and optional foreword of each briefing pack (edition.yaml `packs:`), by pack id.
    packs: dict[TopicId, PackStrings] = Field(default_factory=dict)


# --- language-neutral files ------------------------------------------------------


class TopicEntry(Strict):
    id: TopicId
    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,4}$")]
    revision: Annotated[StrictInt, Field(ge=1, le=99)]


class HandbookEntry(Strict):
    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,4}$")]
    revision: Annotated[StrictInt, Field(ge=1, le=99)]


class PackEntry(Strict):
    """A briefing pack: a handbook of chosen topics, in the order given, for a course or
    an audience. Its reference is in the handbook series with its own code."""

    id: TopicId
    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,4}$")]
    revision: Annotated[StrictInt, Field(ge=1, le=99)] = 1
    # At least one topic, each once: checked with the other pack rules (pipeline.content.packs).
    topics: list[TopicId] = Field(json_schema_extra={"minItems": 1, "uniqueItems": True})


def _address_pattern(value: str) -> str:
    """A web address with `{id}` (and optionally `{lang}`, `{code}`) standing for the factsheet's."""
    names = set(re.findall(r"\{([^{}]*)\}", value))
    unknown = names - {"id", "lang", "code"}
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}}: use {{id}}, {{lang}} or {{code}}")
    if not names & {"id", "code"}:
        raise ValueError("must contain {id} or {code}, which stand for the factsheet's topic id or area code")
    sample = value.replace("{id}", "x").replace("{lang}", "en").replace("{code}", "XX")
    problem = links.link_problem(sample)
    if problem is not None or not value.startswith("https://"):
        raise ValueError("must be a web address (https://...) with {id}, {lang} or {code} in it")
    return value


class Series(Strict):
    factsheet: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,4}$")]
    handbook: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,4}$")]


class Imprint(Strict):
    """What the handbook's imprint prints besides the document control."""

    # "Approved: <role>, <date>" for each current sign-off of the language (content/signoffs.yaml).
    approval: bool = False


class Edition(Strict):
    edition_date: dt.date
    # Build order of languages; the first is the reference for structure parity.
    languages: list[Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")]] = Field(min_length=1)
    unit: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2,6}$")]
    status: Literal["draft", "final"]
    classification: StrictStr
    series: Series
    handbook: HandbookEntry
    topics: list[TopicEntry] = Field(min_length=1)
    # Where a handbook chapter opens: on the next page (`page`, no blank pages) or on
    # the next right-hand page (`recto`, a blank left page before a chapter if need be).
    chapter_start: Literal["page", "recto"] = "page"
    imprint: Imprint = Field(default_factory=Imprint)
    # Briefing packs: handbooks of chosen topics (titles in each language's _strings.yaml).
    packs: list[PackEntry] = Field(default_factory=list)
    # Where each factsheet is published, e.g. https://www.example.org/briefings/{lang}/{id}.pdf:
    # a pack's related crime area that the pack does not hold links there. Optional.
    factsheet_address: Annotated[StrictStr, AfterValidator(_address_pattern)] | None = None


Colour = Annotated[StrictStr, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Colours(Strict):
    primary: Colour
    accent: Colour
    tint: Colour
    text: Colour
    muted: Colour


LanguageCode = Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")]


class LanguageFonts(Strict):
    body: Text
    heading: Text


class Fonts(Strict):
    body: Text
    heading: Text
    # Fonts for the script of a language that `body` and `heading` lack (e.g. Arabic),
    # by language code. That language's text is set in them; Latin runs inside it
    # (reference codes, acronyms, digits) stay in the brand fonts above.
    by_language: dict[LanguageCode, LanguageFonts] = Field(default_factory=dict)

    def families(self) -> tuple[str, ...]:
        """Every family named here, each once, brand fonts first."""
        names = [self.body, self.heading]
        for fonts in self.by_language.values():
            names += [fonts.body, fonts.heading]
        return tuple(dict.fromkeys(names))


Millimetres = Annotated[StrictInt | StrictFloat, Field(ge=5, le=60)]


class Margins(Strict):
    top: Millimetres
    bottom: Millimetres
    inner: Millimetres
    outer: Millimetres


class DocumentMargins(Strict):
    factsheet: Margins
    handbook: Margins


class Branding(Strict):
    colours: Colours
    fonts: Fonts
    margins: DocumentMargins
    # A PNG, JPEG or SVG file under content/assets/ (or content/assets/<lang>/ to override
    # it per language), printed on the handbook cover and factsheet masthead; none by default.
    logo: Text | None = None
    # A folder, relative to the content folder, whose files override the built-in
    # templates and stylesheets of the same name (checked to exist by pipeline.content.project).
    templates: Text | None = None


# --- sign-off records (content/signoffs.yaml) ------------------------------------

Sha256 = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]


class SignOff(Strict):
    """Who approved which text of one language, and when (written by `pipeline signoff`)."""

    lang: LanguageCode
    by: Text
    role: Text | None = None
    date: dt.date
    # The git commit the signed text was committed in, when it was (for `signoff --status --diff`).
    commit: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{40}$")] | None = None
    # The whole language's fingerprint, for a sign-off of every document of the language.
    fingerprint: Sha256 | None = None
    # The fingerprint of each approved document (`_strings`, `_frontmatter`, topic ids).
    documents: dict[StrictStr, Sha256] = Field(min_length=1)


class SignOffs(Strict):
    signoffs: list[SignOff] = Field(default_factory=list)


# A glossary entry maps language codes to the agreed term in each language.
GlossaryEntry = dict[StrictStr, Text]
