"""Render a `Document` to PDF with WeasyPrint: tagged (PDF/UA-1), reproducible, strict.

WeasyPrint is forgiving: it logs a missing image or a bad CSS rule and still writes a
PDF. For a document handed out in print that is the wrong default, so this renderer

* serves only files under `templates/` (and the content's template override folder, if
  branding.yaml names one) and the pictures the document shows (checked by
  `pipeline.content.assets`, served with the type sniffed from their bytes), and refuses any
  other URL (`UnsafeResourceError`);
* captures the `weasyprint` logger's warnings during a render, re-logs them through
  `pipeline.pdf`, and (with `strict=True`, the default) fails the build on any;
* checks through fontconfig that the branding fonts are installed, rather than let
  Pango silently substitute another family;
* writes the same bytes for the same document: dates from `meta.date` and a file
  identifier derived from the content, never from the clock;
* prints the handbook's page numbers (contents, cross-references) as read from its own
  layout rather than through `target-counter()`, which makes WeasyPrint lay every
  page holding one out two or three times (`_Render.paginated`);
* names itself and its version as the PDF's Creator (WeasyPrint is the Producer).

WeasyPrint is imported inside the functions: importing this module must stay cheap
(the CLI's `--help` must not load it). The parsed stylesheets and the font
configuration are cached per process, since one worker renders many documents.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from pipeline import producer
from pipeline.content import theme
from pipeline.content.model import Asset, Document
from pipeline.errors import BuildError, display_path
from pipeline.render import breaks, native, pdf_compress
from pipeline.render.html import (
    STYLESHEETS,
    TEMPLATES_DIR,
    Pagination,
    document_css,
    render_html,
    stylesheets_for,
    template_dirs,
    template_file,
)

if TYPE_CHECKING:
    import weasyprint

log = logging.getLogger("pipeline.pdf")

# The PDF standard of each variant (pipeline.content.model.Layout.variant). Screen files are
# tagged PDF/UA-1 (document language, title in the window, structure tree); print files
# PDF/X-4 (CMYK output intent, trim and bleed boxes); archive files PDF/A-2u (every glyph
# mapped to Unicode, sRGB output intent; see the README for why not PDF/A-3).
PDF_VARIANTS = {"screen": "pdf/ua-1", "print": "pdf/x-4", "archive": "pdf/a-2u"}
# Structure tags in every variant: print and archive files are PDF/UA-1 as well
# (pipeline.render.pdf_tags completes the tagging and adds their identification).
PDF_TAGS = {"screen": True, "print": True, "archive": True}

# A factsheet is a two-page handout (one sheet, printed on both sides).
FACTSHEET_MAX_PAGES = 2

# A saddle-stitched booklet is made of folded sheets of four pages each.
SIGNATURE_PAGES = 4

# From this many pages, collect the layout's garbage before writing (see `render_pdf`):
# it costs about 4 ms a page, and a short document's peak memory is small anyway.
COLLECT_FROM_PAGES = 50

# Layouts tried before the page numbers are left to WeasyPrint (see `_Render.paginated`).
MAX_LAYOUTS = 3

# Debian packages that provide the branding fonts, for the error message.
FONT_PACKAGES = {"noto serif": "fonts-noto-core", "noto sans": "fonts-noto-core",
                 "noto naskh arabic": "fonts-noto-core", "noto sans arabic": "fonts-noto-core"}

# WeasyPrint's layout and logger are process-global; render one document at a time.
_RENDER_LOCK = threading.Lock()


class UnsafeResourceError(BuildError):
    """A template or content referenced a resource outside templates/ (and the override folder)."""


def render_pdf(doc: Document, *, strict: bool = True, share: SharedLayout | None = None) -> bytes:
    """The PDF bytes of `doc`.

    Raises `BuildError` if a branding font is missing, a resource outside templates/ is
    referenced, a factsheet runs over two pages, or (when `strict`) WeasyPrint warned.
    With `share`, the layout is taken from it when the document looks the same on the
    page as the one laid out before (see `SharedLayout`), and kept in it otherwise.
    """
    with _Render(doc, strict) as render:
        laid_out = share.take(render) if share is not None else None
        if laid_out is None:
            laid_out = render.paginated()
            if share is not None:
                share.keep(render, laid_out)
        breaks.report(laid_out.pages, render.what)
        if len(laid_out.pages) >= COLLECT_FROM_PAGES:
            # The layout leaves its discarded attempts (column balancing) behind as
            # reference cycles, which Python's collector reaches late: writing the PDF
            # would pile its own memory on top (110 topics: peak 234 -> 208 MB).
            gc.collect()
        return render.write(laid_out)


class SharedLayout:
    """The last layout made, kept for the next document that looks the same on the page.

    A release makes a screen and an archive copy of each document: the same pages (the
    archive uses the screen geometry), two files (PDF/A-2u, whose XMP names the
    approvals). Laying the pages out is most of a render, and WeasyPrint writes a
    laid-out document as often as asked; so the second copy is written from the first
    one's layout when everything a layout is made from is the same: the HTML and CSS at
    the final page figures, the template folders, the pictures, the stylesheets and the
    layout options (all of WeasyPrint's options but the ones only writing reads). What
    the layout warned of, or refused to load, counts against the second copy too. The
    files are byte for byte those of two layouts (tests/test_pdf_share.py).
    """

    def __init__(self) -> None:
        self.inputs: tuple[object, ...] | None = None
        self.pagination: Pagination | None = None
        self.rendered: weasyprint.Document | None = None
        self.records: list[logging.LogRecord] = []
        self.refused: list[str] = []

    def take(self, render: _Render) -> weasyprint.Document | None:
        # A WeasyPrint whose layouts do not hold their output intent is not the one this
        # was written for (70): lay out again.
        if self.rendered is None or self.pagination is None or not hasattr(self.rendered, "output_intent"):
            return None
        if render.inputs(self.pagination) != self.inputs:
            return None
        render.records.extend(self.records)
        render.fetcher.refused.extend(self.refused)
        return self.rendered

    def keep(self, render: _Render, rendered: weasyprint.Document) -> None:
        html_source, doc_css, self.pagination = render.last_layout
        self.inputs = render.layout_inputs(html_source, doc_css)
        self.rendered = rendered
        self.records, self.refused = list(render.records), list(render.fetcher.refused)


def layout_pdf(doc: Document, *, strict: bool = True) -> weasyprint.Document:
    """The laid-out pages of `doc` without writing the PDF (for inspecting boxes)."""
    with _Render(doc, strict) as render:
        return render.paginated()


def pagination_for(doc: Document, rendered: weasyprint.Document, used: Pagination) -> Pagination:
    """What the templates must know, as read from `rendered`, a layout made with `used`.

    A factsheet prints its page count only when it has more than one page. A handbook
    prints the page each chapter opens on (contents, cross-references); in print mode it
    gets the blank pages that bring its page count to a multiple of four (the layout
    already holds `used.filler_pages` of them, and its back cover).
    """
    pages = len(rendered.pages)
    if doc.kind == "factsheet":
        return Pagination(show_page_count=pages > 1)
    wanted = {chapter.anchor for chapter in doc.chapters}
    # A chapter's page is the first that holds its anchor (a chapter running over
    # several pages has it on each). WeasyPrint's page counter is the page's position:
    # nothing in our CSS resets it.
    opens: dict[str, int] = {}
    for number, page in enumerate(rendered.pages, start=1):
        for anchor in page.anchors:
            if anchor in wanted:
                opens.setdefault(anchor, number)
    fillers = -(pages - used.filler_pages) % SIGNATURE_PAGES if doc.layout.print_mode else 0
    return Pagination(filler_pages=fillers, chapter_pages=tuple(opens.items()))


def expected_pagination(doc: Document, front_pages: int) -> Pagination:
    """The pagination of a handbook whose chapters each fit on one page (the usual case),
    given the number of pages before its first chapter.

    Each chapter opens on the next page (`chapter_start: page`) or the next right-hand,
    odd-numbered one (`recto`); in print mode the back cover follows the last chapter.
    """
    page = front_pages
    opens = []
    for chapter in doc.chapters:
        page += 1
        if doc.chapter_start == "recto" and page % 2 == 0:
            page += 1
        opens.append((chapter.anchor, page))
    fillers = -(page + 1) % SIGNATURE_PAGES if doc.layout.print_mode else 0
    return Pagination(filler_pages=fillers, chapter_pages=tuple(opens))


class _Render:
    """One guarded WeasyPrint run: fonts checked first; warnings captured and refused
    resources recorded during the run, and turned into errors when it ends."""

    def __init__(self, doc: Document, strict: bool) -> None:
        self.doc = doc
        self.strict = strict
        variant = "" if doc.layout.variant == "screen" else f", {doc.layout.variant}"
        self.what = f"{doc.kind} {doc.meta.reference} ({doc.meta.lang}, {doc.layout.paper}{variant})"

    def __enter__(self) -> _Render:
        native.load()  # first thing: WeasyPrint imported the quick way (render/native.py)
        check_fonts(self.doc.font_families())
        self.roots = template_dirs(self.doc.templates)
        self.fetcher = _safe_fetcher(self.roots, self.doc.assets())
        self.stack = ExitStack()
        self.stack.enter_context(_RENDER_LOCK)
        self.records = self.stack.enter_context(_captured_warnings())
        # The print editor's line-breaking rules, applied in every layout (render/breaks.py).
        self.stack.enter_context(breaks.enforced())
        # Large streams (the print profile) compressed once per process (render/pdf_compress.py).
        self.stack.enter_context(pdf_compress.remembered())
        return self

    def paginated(self) -> weasyprint.Document:
        """The final layout: one whose printed page figures (see `pagination_for`) are
        the ones it has.

        It starts from a guess (`first_guess`) and lays out again with the figures read
        from the last layout until they agree: once when the guess is right, twice
        when a chapter runs over a page. Should they never agree (a page number whose
        width moves a page break back and forth), WeasyPrint resolves the page numbers
        itself (`target-counter()`), the slow and sure way.
        """
        pagination = self.first_guess()
        for _ in range(MAX_LAYOUTS):
            rendered = self.layout(pagination)
            needed = pagination_for(self.doc, rendered, pagination)
            if needed == pagination:
                return rendered
            del rendered  # never hold two layouts at once: memory
            pagination = needed
        return self.layout(dataclasses.replace(pagination, chapter_pages=None))

    def first_guess(self) -> Pagination:
        """A factsheet is guessed to fit on one page; a handbook's chapters each on one
        page, after front matter whose pages are counted in a layout of it alone (a few
        pages: cover, imprint, foreword and contents)."""
        if self.doc.kind == "factsheet":
            return Pagination()
        front_pages = len(self.layout(Pagination(), front_only=True).pages)
        return expected_pagination(self.doc, front_pages)

    def check_pages(self, rendered: weasyprint.Document) -> None:
        pages = len(rendered.pages)
        if self.doc.kind == "factsheet" and pages > FACTSHEET_MAX_PAGES:
            raise BuildError(
                f"{self.what} runs to {pages} pages; a factsheet must fit on "
                f"{FACTSHEET_MAX_PAGES}: shorten the topic '{self.doc.chapters[0].topic_id}'"
            )

    def layout(self, pagination: Pagination, front_only: bool = False) -> weasyprint.Document:
        from weasyprint import CSS, HTML

        doc = self.doc
        # Relative URLs resolve against the override folder first (see resource_path).
        base_url = str(self.roots[0]) + "/"
        html_source = render_html(doc, standalone=False, pagination=pagination, front_only=front_only)
        doc_css = document_css(doc, pagination)
        with self._fetch_guard():
            html = HTML(string=html_source, base_url=base_url, url_fetcher=self.fetcher)
            # Static sheets first (parsed once, cached), then this document's CSS, which
            # must cascade after them: WeasyPrint gives all of them "user" origin.
            # The document sheet's @color-profile (the print output intent) must reach
            # the rendered document: both share one profiles dictionary.
            profiles: dict[str, object] = {}
            doc_sheet = CSS(string=doc_css, base_url=base_url, url_fetcher=self.fetcher,
                            font_config=_font_config(), color_profiles=profiles)
            rendered = html.render(
                font_config=_font_config(),
                color_profiles=profiles,
                stylesheets=[*_stylesheets(doc.kind, doc.templates, doc.meta.direction), doc_sheet],
                **self.options,
            )
        self.check_pages(rendered)
        if not front_only:
            self.last_layout = (html_source, doc_css, pagination)
        return rendered

    def inputs(self, pagination: Pagination) -> tuple[object, ...]:
        """What a layout of this document with `pagination` is made from (`SharedLayout`)."""
        return self.layout_inputs(render_html(self.doc, standalone=False, pagination=pagination),
                                  document_css(self.doc, pagination))

    def layout_inputs(self, html_source: str, doc_css: str) -> tuple[object, ...]:
        doc = self.doc
        return (html_source, doc_css, self.roots, doc.assets(), doc.kind, doc.templates, doc.meta.direction,
                _layout_options(self.options))

    def write(self, rendered: weasyprint.Document) -> bytes:
        # WeasyPrint writes this to /Creator and the XMP CreatorTool (it is /Producer).
        rendered.metadata.generator = producer()
        # The output intent is the layout's in WeasyPrint, but this file's variant's; and
        # writing adds the intent's profile to the layout's profiles: put them back after,
        # so that a layout written twice (SharedLayout) writes each file as its own would.
        if hasattr(rendered, "output_intent"):
            rendered.output_intent = _output_intent(self.options)
        profiles = dict(rendered.color_profiles)
        try:
            with self._fetch_guard():
                # The /ID is a hash of the file's objects, so it changes with the content and
                # only with it; the dates come from <meta name=dcterms.*> (meta.date).
                data = rendered.write_pdf(pdf_identifier=True, **self.options)
        finally:
            rendered.color_profiles.clear()
            rendered.color_profiles.update(profiles)
        from pipeline.render.pdf_finish import finish  # pikepdf: only when writing

        return finish(data, self.doc)

    @property
    def options(self) -> dict[str, object]:
        variant = self.doc.layout.variant
        return {"pdf_variant": PDF_VARIANTS[variant], "pdf_tags": PDF_TAGS[variant]}

    @contextmanager
    def _fetch_guard(self) -> Iterator[None]:
        from weasyprint.urls import FatalURLFetchingError

        try:
            yield
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            message = str(cause) if isinstance(cause, UnsafeResourceError) else str(exc)
            raise UnsafeResourceError(f"{self.what}: {message}") from exc

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stack.close()
        for record in self.records:
            log.warning("%s: weasyprint: %s", self.what, record.getMessage())
        if exc_type is not None:
            return
        # A refusal WeasyPrint chose to tolerate still fails the build.
        if self.fetcher.refused:
            raise UnsafeResourceError(f"{self.what}: refused to load {', '.join(self.fetcher.refused)}")
        if self.strict and self.records:
            raise BuildError(
                f"{self.what}: WeasyPrint reported {len(self.records)} problem(s), "
                f"first: {self.records[0].getMessage()}"
            )


# WeasyPrint options that only writing reads: a layout made with other values of these
# is the same layout (SharedLayout).
WRITE_OPTIONS = ("pdf_variant", "pdf_version", "pdf_identifier", "output_intent")


def _with_variant_defaults(options: dict[str, object]) -> dict[str, object]:
    """All of WeasyPrint's options as a render or a write with `options` uses them: its
    defaults, then what the PDF variant sets where an option is left unset."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import VARIANTS

    merged = {**DEFAULT_OPTIONS, **options}
    variant = merged.get("pdf_variant")
    if variant:
        for key, value in VARIANTS[variant][1].items():
            if merged.get(key) is None:
                merged[key] = value
    return merged


def _layout_options(options: dict[str, object]) -> tuple[tuple[str, object], ...]:
    merged = _with_variant_defaults(options)
    return tuple(sorted((key, repr(value)) for key, value in merged.items() if key not in WRITE_OPTIONS))


def _output_intent(options: dict[str, object]) -> object:
    """The output intent WeasyPrint gives a document rendered with `options`."""
    return _with_variant_defaults(options).get("output_intent")


# --- fonts -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def installed_font_families() -> frozenset[str]:
    """Every font family fontconfig knows, lower-cased (computed once per process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise BuildError(
            "fontconfig's fc-list not found; install it with: apt-get install fontconfig"
        )
    result = subprocess.run(
        [fc_list, "--format", "%{family}\n"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BuildError(f"fc-list failed: {result.stderr.strip()}")
    families = set()
    for line in result.stdout.splitlines():
        # A font lists all its family names, comma-separated ("Noto Sans,Noto Sans Light").
        families.update(name.strip().lower() for name in line.split(",") if name.strip())
    return frozenset(families)


def check_fonts(families: Iterable[str]) -> None:
    """Fail unless every branding font family is installed: never fall back silently."""
    installed = installed_font_families()
    for family in families:
        if family.lower() not in installed:
            package = FONT_PACKAGES.get(family.lower())
            hint = (
                f"install it with: apt-get install {package} (or: make deps)"
                if package
                else "install it, or change fonts in content/branding.yaml"
            )
            raise BuildError(f"font '{family}' not found; {hint}")


# --- resources ---------------------------------------------------------------------


def resource_path(url: str, roots: tuple[Path, ...] = (TEMPLATES_DIR,)) -> Path | None:
    """The file under one of `roots` that `url` names, or None if it is anything else.

    `roots` are the template folders in lookup order (override first). A URL into the
    override folder that names a file it does not have falls back to the built-in file
    of the same relative path, as templates do.
    """
    path = file_path(url)
    if path is None:
        return None
    resolved = [root.resolve() for root in roots]
    for root in resolved:
        if path.is_relative_to(root):
            relative = path.relative_to(root)
            break
    else:
        return None
    for i, root in enumerate(resolved):
        candidate = (root / relative).resolve()
        # resolve() follows symbolic links: one pointing out of the folder is refused. In
        # an override folder (all but the last root), only files a build may use.
        theme_file = i < len(resolved) - 1
        if candidate.is_relative_to(root) and candidate.is_file() and \
                (not theme_file or theme.usable(root, candidate)):
            return candidate
    return None


@lru_cache(maxsize=1)
def _safe_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        """Serves files under the template folders only; remembers and refuses everything else."""

        def __init__(self, roots: tuple[Path, ...], assets: tuple[Asset, ...] = ()) -> None:
            # fail_on_errors makes WeasyPrint stop the render instead of logging.
            super().__init__(allowed_protocols=("file",), fail_on_errors=True)
            self.roots = roots
            self.refused: list[str] = []
            self.assets = {asset.path: asset for asset in assets}

        def fetch(self, url: str, headers: Any = None) -> Any:
            asset = self.assets.get(file_path(url))  # type: ignore[arg-type]
            if asset is not None:
                return _asset_response(url, asset)
            path = resource_path(url, self.roots)
            if path is None:
                shown = url if len(url) <= 80 else url[:77] + "..."
                self.refused.append(shown)
                allowed = " or ".join(["templates/", *(display_path(r) for r in self.roots[:-1])])
                raise UnsafeResourceError(f"refused to load {shown}: only files under {allowed} may be used")
            return super().fetch(path.as_uri(), headers)

    return SafeURLFetcher


def _safe_fetcher(roots: tuple[Path, ...] = (TEMPLATES_DIR,), assets: tuple[Asset, ...] = ()) -> Any:
    return _safe_fetcher_class()(roots, assets)


def file_path(url: str) -> Path | None:
    """The resolved local path of a file: URL, or None for any other URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


def _asset_response(url: str, asset: Asset) -> Any:
    """A checked picture, with the type its bytes showed; refused if it changed since."""
    import hashlib

    from weasyprint.urls import URLFetcherResponse

    data = asset.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != asset.digest:
        raise UnsafeResourceError(f"{asset.path.name} changed during the build: build again")
    return URLFetcherResponse(url, data, {"Content-Type": asset.mime_type})


# --- cached WeasyPrint objects -----------------------------------------------------


@lru_cache(maxsize=1)
def _font_config() -> weasyprint.text.fonts.FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet(path: Path, roots: tuple[Path, ...], stamp: tuple[int, int]) -> weasyprint.CSS:
    """One static stylesheet, parsed once per process (and again if the file changes:
    `stamp` is its modification time and size); a CSS problem fails the build (and,
    being raised, is not cached: the next document reports it again)."""
    from weasyprint import CSS

    with _captured_warnings() as records:
        sheet = CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=str(path.parent) + "/",
            url_fetcher=_safe_fetcher(roots),
            font_config=_font_config(),
        )
    if records:
        raise BuildError("\n".join(f"{display_path(path)}: {r.getMessage()}" for r in records))
    return sheet


def _stylesheets(kind: str, override: Path | None = None, direction: str = "ltr") -> list[weasyprint.CSS]:
    """The static stylesheets of a kind of document, each the override's if it has one."""
    roots = template_dirs(override)
    sheets = []
    for name in stylesheets_for(kind, direction):
        path = template_file(name, override)
        stat = path.stat()
        sheets.append(_stylesheet(path, roots, (stat.st_mtime_ns, stat.st_size)))
    return sheets


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_warnings() -> Iterator[list[logging.LogRecord]]:
    """Collect the `weasyprint` logger's WARNING+ records instead of printing them."""
    logger = logging.getLogger("weasyprint")
    handler = _WarningCollector()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def warm_up() -> None:
    """Pay a worker's one-off costs before its first document: fonts, static CSS, layout code.

    Build workers call this when they start, while the parent is still loading and
    composing content, so the first real document renders at full speed.
    """
    native.load()
    from weasyprint import HTML

    from pipeline.render import pdf_finish  # noqa: F401  (pikepdf and the tagging pass, before the first write)

    sheets = [sheet for kind in STYLESHEETS for sheet in _stylesheets(kind)]
    with _captured_warnings():
        HTML(string="<html><body><h1>.</h1><p>.</p></body></html>").render(
            font_config=_font_config(), stylesheets=sheets)
