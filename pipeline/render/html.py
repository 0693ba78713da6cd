"""Render a `Document` to print-ready HTML, the input of the PDF renderer.

The templates under `templates/` hold all markup and CSS; this module only chooses the
template by `doc.kind` and supplies filters that turn model values into safe HTML and
safe CSS. Every word printed comes from the document (labels, meta, front matter,
chapters): nothing here or in the templates is English or French.

A content folder may name its own templates folder (branding.yaml `templates:`): a
template or stylesheet there replaces the built-in one of the same name. Template
problems (a missing template, a syntax error, an undefined value under
`StrictUndefined`, an unsafe access) are reported as `file:line: message` of the
template at fault. Every template runs sandboxed (`pipeline.render.sandbox`).

Autoescaping is on for every template, so content such as `<script>` or `&` prints
literally. Values that end up inside the `<style>` element (labels around page
counters, colours, font names) go through `css_string`/`css_content`/`css_colour`,
which emit CSS with every unsafe character escaped.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from pipeline.content import theme
from pipeline.content.links import short_form
from pipeline.content.model import BulletList, Document, Figure, Focus, Inline, KeyFigure, Paragraph, Quote, Span, Table
from pipeline.errors import BuildError, PipelineError, display_path
from pipeline.paths import TEMPLATES_DIR
from pipeline.render import sandbox

# Static stylesheets per document kind, in cascade order. The PDF renderer parses each
# once per process and passes them to WeasyPrint; standalone HTML links them instead.
# extra.css is empty: an override folder's extra.css adds rules without copying ours.
STYLESHEETS = {
    "factsheet": ("style.css", "print.css", "extra.css"),
    "handbook": ("style.css", "print.css", "handbook.css", "extra.css"),
}
# Stylesheets added for a script direction (`direction:` in the language's
# _strings.yaml): rtl.css mirrors the layout. They come after the kind's sheets and
# before extra.css, so an override's extra.css still has the last word.
DIRECTION_STYLESHEETS = {"ltr": (), "rtl": ("rtl.css",)}
LAST_STYLESHEET = "extra.css"


def stylesheets_for(kind: str, direction: str = "ltr") -> tuple[str, ...]:
    """The static stylesheets of a kind of document in a script direction, in cascade order."""
    sheets = STYLESHEETS[kind]
    added = DIRECTION_STYLESHEETS[direction]
    if sheets[-1:] == (LAST_STYLESHEET,):
        return sheets[:-1] + added + sheets[-1:]
    return sheets + added


# Output formats rendered through these templates (the DOCX renderer builds Word XML).
TEMPLATE_FORMATS = ("pdf",)

TEMPLATE_BY_KIND = {"factsheet": "factsheet.html.j2", "handbook": "handbook.html.j2"}
DOCUMENT_CSS = "partials/document.css.j2"

# CSS page size and page height per paper (the handbook cover fills one whole page).
# Letter is 17.6 mm shorter than A4: factsheets are designed to fit it too.
PAPER_SIZES = {"a4": ("A4", "297mm"), "letter": ("letter", "279.4mm")}


@dataclass(frozen=True)
class Pagination:
    """What only a layout can tell, passed to the templates for the next one.

    CSS cannot condition on the page count, and WeasyPrint pays dearly for page numbers
    it must find itself (every page holding a `target-counter()` is laid out two or
    three times). So the PDF renderer lays a document out with what it expects, reads
    the real figures from that layout and, only when they differ, lays it out again
    with these (WeasyPrint is deterministic, so the figures of the last layout are the
    ones it prints).
    """

    # Print "Page N of M" in a factsheet's foot: only when it has more than one page.
    show_page_count: bool = False
    # Blank pages before a print-mode handbook's back cover, to reach a multiple of 4.
    filler_pages: int = 0
    # The page each handbook chapter opens on, by anchor, for the contents and the
    # cross-references; None lets WeasyPrint find them (`target-counter()`).
    chapter_pages: tuple[tuple[str, int], ...] | None = None

    @property
    def page_of(self) -> dict[str, int]:
        """Chapter anchor -> page number (empty when WeasyPrint is to find them)."""
        return dict(self.chapter_pages or ())


_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# Characters left as they are inside a CSS string; everything else is hex-escaped, so a
# value can close neither the string, the rule nor the <style> element.
_CSS_SAFE = re.compile(r"[\w .,;:!?()'/%+-]", re.UNICODE)

_BLOCK_KINDS = {
    Paragraph: "paragraph",
    BulletList: "list",
    Quote: "quote",
    KeyFigure: "key_figure",
    Focus: "focus",
    Figure: "figure",
    Table: "table",
}


def css_string(value: object) -> Markup:
    """A CSS string literal (with quotes) that prints `value` exactly."""
    out = []
    for char in str(value):
        if _CSS_SAFE.fullmatch(char) and char != "\\":
            out.append(char)
        else:
            # A trailing space ends the escape; it is consumed, not printed.
            out.append(f"\\{ord(char):X} ")
    return Markup('"' + "".join(out) + '"')


def css_content(label: str, **placeholders: str) -> Markup:
    """A CSS `content` value from a label with placeholders.

    `css_content("Page {page} of {pages}", page="counter(page)", pages="counter(pages)")`
    gives `"Page " counter(page) " of " counter(pages)`: the words around each counter
    stay in the label, where translators put them.
    """
    parts: list[str] = []
    try:
        parsed = list(string.Formatter().parse(label))
    except ValueError as exc:
        raise BuildError(f"label {label!r} is not a valid template: {exc}") from exc
    for literal, name, _spec, _conv in parsed:
        if literal:
            parts.append(css_string(literal))
        if name is not None:
            if name not in placeholders:
                raise BuildError(
                    f"label {label!r} uses {{{name}}}; expected one of "
                    + ", ".join(f"{{{key}}}" for key in placeholders)
                )
            parts.append(placeholders[name])
    return Markup(" ".join(parts) or '""')


def css_colour(value: object) -> Markup:
    """A branding colour, checked to be a hex colour before it goes into CSS."""
    text = str(value).strip()
    if not _HEX_COLOUR.fullmatch(text):
        raise BuildError(f"branding colour {value!r} is not a hex colour such as #1F3A5F")
    return Markup(text)


def block_kind(block: object) -> str:
    """The template name of a block type: paragraph, list, quote, key_figure, focus."""
    try:
        return _BLOCK_KINDS[type(block)]
    except KeyError:
        raise BuildError(f"cannot render block of type {type(block).__name__}") from None


@dataclass(frozen=True)
class LinkRun:
    """Neighbouring spans with the same link target (None: not a link), printed as one
    `<a>`; `printed` is the short URL a print-mode PDF shows after the link's text
    (None when the text already says it)."""

    href: str | None
    spans: tuple[Span, ...]
    printed: str | None


def link_runs(spans: Inline) -> list[LinkRun]:
    """Group an inline sequence into link runs, for the `inline` macro."""
    runs: list[LinkRun] = []
    for span in spans:
        if runs and runs[-1].href == span.href:
            runs[-1] = LinkRun(span.href, (*runs[-1].spans, span), None)
        else:
            runs.append(LinkRun(span.href, (span,), None))
    out = []
    for run in runs:
        printed = None
        if run.href is not None:
            short = short_form(run.href)
            printed = None if "".join(s.text for s in run.spans).strip() == short else short
        out.append(LinkRun(run.href, run.spans, printed))
    return out


def template_dirs(override: Path | None = None) -> tuple[Path, ...]:
    """Where templates and stylesheets are looked up, in order: the override folder, then ours."""
    return (override, TEMPLATES_DIR) if override is not None else (TEMPLATES_DIR,)


def template_file(name: str, override: Path | None = None) -> Path:
    """The file a template or stylesheet name resolves to: the override's if it has one
    (refused if, links followed, it leaves the override folder: `theme.usable`)."""
    for folder in template_dirs(override):
        if (folder / name).is_file():
            if folder == override and not theme.usable(override, folder / name):
                raise BuildError(f"{display_path(folder / name)}: links outside its folder, or is a file a "
                                 "build may not use: copy the file in instead")
            return folder / name
    raise BuildError(f"template '{name}' not found in {_searched(override)}")


def environment(override: Path | None = None) -> jinja2.Environment:
    """A sandboxed Jinja environment (`pipeline.render.sandbox`): autoescape on for every
    template, strict undefined, templates loaded only from inside their folders.

    With an override folder, its templates come first (so `{% extends "base.html.j2" %}`
    in ours picks up an overridden base too), then the built-in ones. One environment
    per folder and process, whether called as `environment()` or `environment(None)`.
    """
    return _environment(override)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, across environments.

    Each theme folder gets an environment of its own, and each would compile our
    built-in templates again; Jinja's bucket is keyed by the template's name and file and
    checked against its source's checksum, so an edited template is compiled anew. Every
    environment here is made with the same options, which is what makes sharing safe.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


@lru_cache(maxsize=4)
def _environment(override: Path | None) -> jinja2.Environment:
    env = sandbox.Environment(
        bytecode_cache=_COMPILED,
        loader=jinja2.ChoiceLoader([sandbox.ConfinedLoader(d, d == override) for d in template_dirs(override)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_content"] = css_content
    env.filters["css_colour"] = css_colour
    env.filters["link_runs"] = link_runs
    env.filters["file_url"] = lambda path: path.as_uri()
    env.globals["block_kind"] = block_kind
    return env


def render_html(doc: Document, *, standalone: bool = True, pagination: Pagination | None = None,
                front_only: bool = False) -> str:
    """The HTML of `doc`.

    Standalone HTML links the static stylesheets and embeds the document's own CSS
    (`document_css`). The PDF renderer asks for the bare HTML and passes all the CSS to
    WeasyPrint itself, static sheets parsed once per process: WeasyPrint gives those
    "user" origin, so the document CSS must travel the same way to cascade after them.
    `front_only` leaves a handbook's chapters and back cover out: the PDF renderer lays
    that out to learn how many pages come before the first chapter.
    """
    _check(doc)
    context = _context(doc, pagination)
    return _render(
        TEMPLATE_BY_KIND[doc.kind],
        stylesheets=stylesheets_for(doc.kind, doc.meta.direction) if standalone else (),
        document_css=Markup(_render(DOCUMENT_CSS, **context)) if standalone else None,
        front_only=front_only,
        **context,
    )


def document_css(doc: Document, pagination: Pagination | None = None) -> str:
    """The CSS that depends on the document: colours, fonts, paper, margin-box texts."""
    _check(doc)
    return _render(DOCUMENT_CSS, **_context(doc, pagination))


def _check(doc: Document) -> None:
    if doc.kind not in TEMPLATE_BY_KIND:
        raise BuildError(f"unknown document kind {doc.kind!r}")
    if doc.kind == "factsheet" and len(doc.chapters) != 1:
        raise BuildError(f"a factsheet has exactly one chapter, got {len(doc.chapters)}")
    if doc.kind == "handbook" and doc.front is None:
        raise BuildError("a handbook needs front matter (doc.front)")
    if doc.layout.paper not in PAPER_SIZES:
        raise BuildError(f"unknown paper {doc.layout.paper!r}; expected one of: a4, letter")


def _context(doc: Document, pagination: Pagination | None) -> dict[str, object]:
    size, height = PAPER_SIZES[doc.layout.paper]
    return {
        "doc": doc,
        "pagination": pagination or Pagination(),
        "credits": doc.credits,
        "meta": doc.meta,
        "labels": doc.labels,
        "front": doc.front,
        "chapters": doc.chapters,
        "layout": doc.layout,
        "colours": doc.branding.get("colours", {}),
        "fonts": doc.branding.get("fonts", {}),
        "script_fonts": doc.branding.get("script_fonts", {}),
        "page_size": size,
        "page_height": height,
    }


def check_templates(override: Path | None = None) -> None:
    """Check every template without running it, and find every stylesheet, before any
    document renders (`pipeline validate` runs this too).

    A broken or unsafe override then fails the build once, with its file and line,
    instead of once per document, and an unsafe template never runs
    (`sandbox.unsafe_names`); errors that depend on a document's values still surface
    per render.
    """
    env = environment(override)
    names = set(env.list_templates(filter_func=lambda name: name.endswith(".j2")))
    for name in sorted(names | {*TEMPLATE_BY_KIND.values(), DOCUMENT_CSS}):
        with _located(override):
            _check_safety(env, name)
            env.get_template(name)
            _check_references(env, name, override)
    every = (*STYLESHEETS.values(), *DIRECTION_STYLESHEETS.values())
    for name in sorted({sheet for sheets in every for sheet in sheets}):
        template_file(name, override)


_REFERENCES = (jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport)


def _check_safety(env: jinja2.Environment, name: str) -> None:
    """The template's first attribute or item that no template may use, as `file:line: template: unsafe ...`."""
    source, filename, _ = env.loader.get_source(env, name)
    for line, message in _unsafe_names(source, name, filename):
        where = display_path(Path(filename)) if filename else name
        raise BuildError(f"{where}:{line}: template: {message}")


@lru_cache(maxsize=256)
def _unsafe_names(source: str, name: str, filename: str | None) -> tuple[tuple[int, str], ...]:
    """`sandbox.unsafe_names` of a template's source, once per source and process (every
    build and every preview refresh checks all templates; the source is the key, so an
    edited template is checked again)."""
    return tuple(sandbox.unsafe_names(_parsed(source, name, filename)))


@lru_cache(maxsize=256)
def _references(source: str, name: str, filename: str | None) -> tuple[jinja2.nodes.Node, ...]:
    """The extends/include/import nodes of a template's source (read-only), once per source."""
    return tuple(_parsed(source, name, filename).find_all(_REFERENCES))


def _parsed(source: str, name: str, filename: str | None) -> jinja2.nodes.Template:
    """The syntax tree of a template, by an environment with the options of all of ours."""
    return environment().parse(source, name, filename)


def _check_references(env: jinja2.Environment, name: str, override: Path | None) -> None:
    """Every template that `name` extends, includes or imports by a literal name exists."""
    source, filename, _ = env.loader.get_source(env, name)
    for node in _references(source, name, filename):
        target = node.template
        if isinstance(target, jinja2.nodes.Const) and isinstance(target.value, str):
            try:
                env.loader.get_source(env, target.value)
            except jinja2.TemplateNotFound:
                where = display_path(Path(filename)) if filename else name
                raise BuildError(f"{where}:{node.lineno}: template '{target.value}' not found in "
                                 f"{_searched(override)}") from None


def _render(template_name: str, **context: object) -> str:
    doc = context["doc"]
    assert isinstance(doc, Document)
    with _located(doc.templates):
        return environment(doc.templates).get_template(template_name).render(**context)


class _located:
    """Turn a template's failure into a one-line `BuildError` naming its file and line.

    Jinja rewrites tracebacks so that template code appears as frames of the template
    file, at the template's line: the innermost such frame is where it went wrong.
    """

    def __init__(self, override: Path | None):
        self.override = override

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None or not isinstance(exc, Exception):
            return
        if isinstance(exc, PipelineError):
            # Raised by a filter (e.g. css_colour): say which template line applied it.
            where = _template_frame(tb, template_dirs(self.override))
            if where is None or type(exc) is not BuildError:
                return
            raise BuildError(f"{where}: {exc.message}") from exc
        if isinstance(exc, jinja2.TemplateSyntaxError):
            where = f"{display_path(Path(exc.filename))}:{exc.lineno}" if exc.filename else exc.name
            raise BuildError(f"{where}: {exc.message}") from exc
        where = _template_frame(tb, template_dirs(self.override))
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found in {_searched(self.override)}"
        elif isinstance(exc, SecurityError):
            message = f"template: unsafe: {exc}"  # the sandbox refused, at run time
        elif where is not None:
            # UndefinedError (a value the template needs is missing) or any other failure
            # of template code, e.g. an override applying a filter to the wrong type.
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
        else:
            return  # not the templates' fault: a bug in our code keeps its traceback
        raise BuildError(f"{where}: {message}" if where else message) from exc


def _template_frame(tb: TracebackType | None, folders: tuple[Path, ...]) -> str | None:
    """`file:line` of the innermost traceback frame that runs template code."""
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") and any(Path(filename).is_relative_to(d) for d in folders):
            where = f"{display_path(Path(filename))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _searched(override: Path | None) -> str:
    return " or ".join(display_path(d) for d in template_dirs(override))
