"""The PDF renderer, checked on the real content: structure, text, metadata, safety.

Every real document is rendered once per session (`pdfs` cache) with strict=True, so a
single WeasyPrint warning in any of them fails the session. Assertions read the PDFs
the way a reader or a print shop would: text through pdftotext/pypdf, outline and
metadata through pypdf, fonts through pdffonts, structure through qpdf.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pypdf
import pytest
import yaml

from pipeline.content import model
from pipeline.content.project import load_project
from pipeline.engine.plan import output_path
from pipeline.errors import BuildError
from pipeline.render import html as html_renderer
from pipeline.render import pdf as pdf_renderer
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.render.html import css_content, css_string, render_html
from pipeline.render.pdf import UnsafeResourceError, layout_pdf, render_pdf

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
LANGS = sorted(path.parent.name for path in CONTENT.glob("*/_strings.yaml"))
PAPERS = ("a4", "letter")
MM = 72 / 25.4  # PDF points per millimetre

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="poppler-utils not installed"
)
needs_qpdf = pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf not installed")


# --- session fixtures: every document rendered once -----------------------------------


class PdfCache:
    """Documents and their PDFs, composed and rendered on first use, kept for the session.

    A document the build makes (A4, screen, the edition's own chapter_start) is read from
    the session's real build, which `pipeline build` rendered from the very same model;
    any other is rendered once per session and shared between xdist workers (`shared`).
    """

    def __init__(self, project, workdir: Path, shared, real_build: Callable[[], Path]):
        self.project = project
        self.workdir = workdir
        self.shared = shared
        self.real_build = real_build
        self._pdfs: dict[tuple, bytes] = {}

    def _get(self, key: tuple, doc: model.Document) -> bytes:
        if key not in self._pdfs:
            kind, lang, topic = key[0], key[1], key[2] if key[0] == "factsheet" else None
            built = (compose_factsheet(self.project, lang, topic) if topic
                     else compose_handbook(self.project, lang))
            if doc == built:
                self._pdfs[key] = output_path(self.real_build(), kind, lang, "pdf", topic).read_bytes()
            else:
                self._pdfs[key] = self.shared.data("-".join(map(str, key)) + ".pdf", lambda: render_pdf(doc))
        return self._pdfs[key]

    def factsheet_doc(self, lang, topic, paper="a4", print_mode=False) -> model.Document:
        return compose_factsheet(self.project, lang, topic, model.Layout(paper, print_mode))

    def handbook_doc(self, lang, paper="a4", print_mode=False, chapter_start="page", long=False) -> model.Document:
        """The real handbook; `chapter_start` as edition.yaml would set it; `long` cuts it
        to four chapters, the first over three pages (to see running heads, page sides and
        chapters that move: `long_first_chapter`). A `recto` handbook (not the edition's
        choice, which the real build checks in full) keeps the first four chapters too:
        their right-hand openings and blank pages show what eleven chapters would."""
        doc = compose_handbook(self.project, lang, model.Layout(paper, print_mode))
        doc = dataclasses.replace(doc, chapter_start=chapter_start)
        if long:
            return long_first_chapter(doc)
        return first_chapters(doc) if chapter_start == "recto" else doc

    def factsheet(self, lang, topic, paper="a4", print_mode=False) -> bytes:
        key = ("factsheet", lang, topic, paper, print_mode)
        return self._get(key, self.factsheet_doc(lang, topic, paper, print_mode))

    def handbook(self, lang, paper="a4", print_mode=False, chapter_start="page", long=False) -> bytes:
        key = ("handbook", lang, paper, print_mode, chapter_start, long)
        return self._get(key, self.handbook_doc(lang, paper, print_mode, chapter_start, long))

    def path(self, pdf: bytes) -> Path:
        """The PDF written to a file (for the command-line tools), named by its hash."""
        path = self.workdir / f"{hashlib.sha256(pdf).hexdigest()[:16]}.pdf"
        if not path.exists():
            path.write_bytes(pdf)
        return path


@pytest.fixture(scope="session")
def pdf_project():
    return load_project(CONTENT)


@pytest.fixture(scope="session")
def pdfs(pdf_project, tmp_path_factory, shared, request) -> PdfCache:
    return PdfCache(pdf_project, tmp_path_factory.mktemp("pdfs"), shared,
                    lambda: request.getfixturevalue("real_build"))


def page_texts(cache: PdfCache, pdf: bytes, layout: bool = False) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    out = subprocess.run([*args, str(cache.path(pdf)), "-"], capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(text: str) -> str:
    """Whitespace runs (including line breaks) as one space, for searching across lines."""
    return re.sub(r"\s+", " ", text).strip()


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def outline_entries(pdf: bytes) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) for every bookmark, in order."""
    r = reader(pdf)
    entries: list[tuple[int, str, int]] = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, r.get_destination_page_number(item) + 1))

    walk(r.outline, 1)
    return entries


# Chapters kept in a handbook made to run long: the first, and three that move after it.
LONG_HANDBOOK_CHAPTERS = 4


def first_chapters(doc: model.Document, count: int = LONG_HANDBOOK_CHAPTERS) -> model.Document:
    """`doc` cut to its first `count` chapters, keeping the cross-references between them."""
    kept = doc.chapters[:count]
    anchors = {chapter.anchor for chapter in kept}
    return dataclasses.replace(doc, chapters=tuple(
        dataclasses.replace(chapter, related=tuple(ref for ref in chapter.related if ref.anchor in anchors))
        for chapter in kept))


def long_first_chapter(doc: model.Document) -> model.Document:
    """`doc` cut to its first four chapters, the first one's sections repeated: it then
    runs to three pages and every later chapter moves by two. Three later chapters show
    that as well as ten, for a third of the layout work (each of these handbooks is laid
    out twice, and the real one is checked with one-page chapters)."""
    doc = first_chapters(doc)
    first = doc.chapters[0]
    sections = tuple(dataclasses.replace(section, anchor=f"{section.anchor}-{i}", subsections=())
                     for i in range(15) for section in first.sections)
    return dataclasses.replace(doc, chapters=(dataclasses.replace(first, sections=sections), *doc.chapters[1:]))


def all_blocks_factsheet(cache: PdfCache, lang: str) -> model.Document:
    """A real factsheet plus one block of every kind and a subsection, so that every
    style (call-outs, quote with attribution, key figure, list with intro) is exercised."""
    doc = cache.factsheet_doc(lang, cache.project.topic_ids[0])
    chapter = doc.chapters[0]
    s = model.Span
    extra = model.Section(
        heading=(s("Section"),),
        anchor=f"{chapter.anchor}-extra",
        blocks=(
            model.Paragraph((s("Text "), s("bold", bold=True), s(" and "), s("italic", italic=True))),
            model.BulletList((s("Intro:"),), ((s("one"),), (s("two"),))),
            model.Focus((s("Focus"),), (model.Paragraph((s("Body."),)),)),
            model.KeyFigure((s("90%"),), (s("of goods"),)),
            model.Quote((s("Quoted."),), (s("Source"),)),
        ),
        subsections=(
            model.Section((s("Sub"),), f"{chapter.anchor}-extra-1", (model.Paragraph((s("Sub text."),)),)),
        ),
    )
    chapter = dataclasses.replace(chapter, sections=(*chapter.sections, extra))
    return dataclasses.replace(doc, chapters=(chapter,))


# --- factsheets ----------------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("lang", LANGS)
def test_factsheets_fit_on_two_pages(pdfs, lang, paper):
    counts = {
        topic: len(reader(pdfs.factsheet(lang, topic, paper)).pages)
        for topic in pdfs.project.topic_ids
    }
    too_long = {topic: n for topic, n in counts.items() if n > 2}
    assert not too_long, f"factsheets over 2 pages ({lang}, {paper}): {too_long}"


def lengthened(doc: model.Document, times: int) -> model.Document:
    """The factsheet with its sections repeated `times` times (anchors kept unique)."""
    chapter = doc.chapters[0]
    sections = tuple(
        dataclasses.replace(section, anchor=f"{section.anchor}-{i}", subsections=())
        for i in range(times)
        for section in chapter.sections
    )
    return dataclasses.replace(doc, chapters=(dataclasses.replace(chapter, sections=sections),))


_TWO_PAGE_TIMES: dict[str, int] = {}  # per language: the repeat count found last


def two_page_factsheet(cache: PdfCache, lang: str, **meta) -> model.Document:
    """A real factsheet made just long enough to run onto a second page: the fewest
    repeats of its sections that make two pages. The count found for a language is
    tried first next time (two layouts: one page with one repeat fewer, two with it)."""
    doc = cache.factsheet_doc(lang, cache.project.topic_ids[0])
    doc = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, **meta))

    def pages(times: int) -> int:
        return len(layout_pdf(lengthened(doc, times)).pages) if times else 1

    known = _TWO_PAGE_TIMES.get(lang)
    if known is not None and pages(known - 1) == 1 and pages(known) == 2:
        return lengthened(doc, known)
    for times in range(1, 30):
        if pages(times) == 2:
            _TWO_PAGE_TIMES[lang] = times
            return lengthened(doc, times)
    raise AssertionError("could not make a two-page factsheet")


def test_factsheet_over_two_pages_is_refused(pdfs):
    doc = lengthened(pdfs.factsheet_doc("fr", pdfs.project.topic_ids[0]), 40)
    with pytest.raises(BuildError, match=r"runs to \d+ pages; a factsheet must fit on 2"):
        render_pdf(doc)


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_factsheet_footer_on_every_page(pdfs, lang):
    doc = two_page_factsheet(pdfs, lang)
    pages = page_texts(pdfs, render_pdf(doc))
    assert len(pages) == 2
    for number, text in enumerate(pages, start=1):
        flat = squash(text)
        page_of = doc.labels["page_of"].format(page=number, pages=len(pages))
        for expected in (doc.meta.author, doc.meta.edition_label, doc.meta.title,
                         doc.meta.reference, doc.meta.classification, page_of):
            assert expected in flat, f"page {number}: footer lacks {expected!r}"
    first = squash(pages[0])
    assert doc.labels["factsheet"].upper() in first  # the kicker, set in capitals
    related = doc.labels["related"].upper()  # set in capitals by the stylesheet
    assert related in first or related in squash(pages[-1])
    for ref in doc.chapters[0].related:
        assert ref.title in squash(" ".join(pages))


def page_of_pattern(label: str) -> re.Pattern:
    """A label such as `Page {page} of {pages}` with any numbers in the placeholders."""
    parts = re.split(r"\{\w+\}", label)
    return re.compile(r"\s*\d+\s*".join(re.escape(part.strip()) for part in parts).strip())


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_one_page_factsheets_print_no_page_count(pdfs, lang):
    """"Page 1 of 1" is noise: the count appears only past one page (see the
    two-page factsheet above)."""
    one_page = 0
    for topic in pdfs.project.topic_ids:
        doc = pdfs.factsheet_doc(lang, topic)
        pages = page_texts(pdfs, pdfs.factsheet(lang, topic))
        if len(pages) == 1:
            one_page += 1
            text = squash(pages[0])
            assert not page_of_pattern(doc.labels["page_of"]).search(text), topic
            assert doc.meta.reference in text  # the rest of the foot is still there
    assert one_page, "no one-page factsheet to check"


@pytest.mark.parametrize("lang", LANGS)
def test_factsheet_outline_has_title_and_sections(pdfs, lang):
    topic = pdfs.project.topic_ids[2]
    doc = pdfs.factsheet_doc(lang, topic)
    entries = outline_entries(pdfs.factsheet(lang, topic))
    chapter = doc.chapters[0]
    expected = [(1, chapter.title)] + [(2, model.plain(s.heading)) for s in chapter.sections]
    assert [(level, title) for level, title, _ in entries] == expected


# --- handbook ------------------------------------------------------------------------

MODES = ("page", "recto")  # chapter_start in edition.yaml


def _toc_entries(pages: list[str], contents_label: str) -> tuple[int, list[tuple[str, int]]]:
    """The page holding the contents and its entries in order: (title, printed page)."""
    toc_page = next(i for i, text in enumerate(pages) if text.strip().startswith(contents_label))
    entries: list[tuple[str, int]] = []
    for text in pages[toc_page : toc_page + 3]:
        for line in text.splitlines():
            match = re.match(r"^\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", line)
            if match:
                entries.append((match.group(1).strip(), int(match.group(2))))
    return toc_page + 1, entries


def _chapter_start_pages(doc: model.Document, pages: list[str]) -> dict[str, int]:
    """Where each chapter really starts: the page that opens with its number and title."""
    starts = {}
    for number, chapter in enumerate(doc.chapters, start=1):
        opener = re.compile(rf"^\s*{number:02d}\s+{re.escape(chapter.title)}\s")
        hits = [i + 1 for i, text in enumerate(pages) if opener.match(text)]
        assert len(hits) == 1, f"chapter {chapter.title!r} opens on pages {hits}"
        starts[chapter.title] = hits[0]
    return starts


def blank_pages(pages: list[str]) -> list[int]:
    """The pages that carry no text at all (numbered from 1)."""
    return [number for number, text in enumerate(pages, start=1) if not text.strip()]


@needs_poppler
@pytest.mark.parametrize("long", [False, True], ids=["one-page-chapters", "long-first-chapter"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_contents_lists_chapters_at_their_real_pages(pdfs, lang, mode, long):
    """Also when the first chapter runs over three pages, which the renderer's first
    guess (one page per chapter) gets wrong: every later chapter moves."""
    doc = pdfs.handbook_doc(lang, chapter_start=mode, long=long)
    pdf = pdfs.handbook(lang, chapter_start=mode, long=long)
    pages = page_texts(pdfs, pdf)
    toc_page, toc = _toc_entries(page_texts(pdfs, pdf, layout=True), doc.labels["contents"])
    starts = _chapter_start_pages(doc, pages)
    # Chapters only: a line per section ("The problem" eight times) would say nothing more.
    assert [title for title, _ in toc] == [chapter.title for chapter in doc.chapters]
    for title, page in toc:
        assert page == starts[title] > toc_page, f"contents say {title!r} is on p. {page}"


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_chapters_open_on_the_next_page_without_blank_pages(pdfs, lang):
    """chapter_start: page (the default): no blank page at all, so today's one-page
    chapters make a handbook of cover, imprint, foreword, contents and 11 pages."""
    doc = pdfs.handbook_doc(lang)
    pages = page_texts(pdfs, pdfs.handbook(lang))
    assert blank_pages(pages) == []
    starts = sorted(_chapter_start_pages(doc, pages).values())
    assert starts == list(range(5, 5 + len(doc.chapters)))
    assert len(pages) == 4 + len(doc.chapters)


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_recto_chapters_open_on_right_hand_pages(pdfs, lang):
    doc = pdfs.handbook_doc(lang, chapter_start="recto")
    pages = page_texts(pdfs, pdfs.handbook(lang, chapter_start="recto"))
    starts = _chapter_start_pages(doc, pages)
    assert all(page % 2 == 1 for page in starts.values()), starts
    # Pages left blank by the right-hand rule carry no header or footer at all.
    blank = blank_pages(pages)
    assert blank, "expected blank left-hand pages before some chapters"
    assert all(number % 2 == 0 and number + 1 in {*starts.values(), toc_page(doc, pages)}
               for number in blank), blank


def toc_page(doc: model.Document, pages: list[str]) -> int:
    return next(n for n, text in enumerate(pages, start=1) if text.strip().startswith(doc.labels["contents"]))


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_blank_pages_are_at_most_a_tenth_of_the_default_handbook(pdfs, lang):
    """`chapter_start: page`, the default. (`recto` cannot meet this while chapters fill
    less than a page: each leaves its left-hand neighbour blank, 12 of 27 pages today;
    the test above checks that it leaves no other blank page.)"""
    pages = page_texts(pdfs, pdfs.handbook(lang))
    assert len(blank_pages(pages)) / len(pages) <= 0.10, f"{blank_pages(pages)} of {len(pages)} pages blank"


def left_text_edges(pdfs: PdfCache, pdf: bytes) -> list[float | None]:
    """Per page, how far from the left edge (mm) its leftmost word starts (None if blank)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdfs.path(pdf)), "-"], capture_output=True, text=True,
                         check=True).stdout
    edges = []
    for page in out.split("<page ")[1:]:
        xs = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"', page)]
        edges.append(min(xs) / MM if xs else None)
    return edges


def page_sides(pdfs: PdfCache, pdf: bytes) -> list[tuple[str, str]]:
    """(first, last) non-empty line of each page as pdftotext lays it out."""
    out = []
    for text in page_texts(pdfs, pdf, layout=True):
        lines = [line for line in text.splitlines() if line.strip()]
        out.append((lines[0], lines[-1]) if lines else ("", ""))
    return out


@needs_poppler
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_running_heads_page_numbers_and_margins_follow_the_page_side(pdfs, lang, mode):
    """A first chapter over three pages: left pages carry the handbook title above and
    the page number at the outer (left) edge below; right pages the chapter title and
    the number at the right edge; an opening page has no head, whatever its side; the
    wider inner margin is on the binding side of each page."""
    doc = pdfs.handbook_doc(lang, chapter_start=mode, long=True)
    pdf = pdfs.handbook(lang, chapter_start=mode, long=True)
    pages = page_texts(pdfs, pdf)
    starts = _chapter_start_pages(doc, pages)
    first, second = starts[doc.chapters[0].title], starts[doc.chapters[1].title]
    assert second - first >= 3, "the first chapter should run over three pages"
    if mode == "page":
        assert second == first + 3 and second % 2 == 0  # the second chapter opens on a left page
    else:
        assert second % 2 == 1
    sides = page_sides(pdfs, pdf)
    opening = set(starts.values())
    for number in range(2, len(pages) + 1):
        head, foot = sides[number - 1]
        if not head:
            continue  # a blank page (recto mode)
        foot_number = str(number)
        if number % 2 == 0:
            assert foot.strip().startswith(foot_number + " "), f"p. {number}: {foot!r}"
        else:
            assert foot.strip().endswith(" " + foot_number), f"p. {number}: {foot!r}"
        if first < number < second:
            title = doc.front.title if number % 2 == 0 else doc.chapters[0].title
            assert head.strip() == title, f"p. {number}: running head {head!r}"
        if number in opening:
            assert head.strip().startswith(f"{sorted(opening).index(number) + 1:02d}"), head
    # Mirrored margins: text starts at the outer margin on left pages, the inner
    # (binding) one on right pages.
    m = doc.margins
    for number, edge in enumerate(left_text_edges(pdfs, pdf), start=1):
        if number > 1 and edge is not None:
            expected = m.outer if number % 2 == 0 else m.inner
            assert abs(edge - expected) < 1, f"p. {number}: text starts {edge:.1f} mm from the left edge"


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_front_matter(pdfs, lang):
    doc = pdfs.handbook_doc(lang)
    pages = [squash(text) for text in page_texts(pdfs, pdfs.handbook(lang))]
    front, meta, labels = doc.front, doc.meta, doc.labels
    for item in (front.title, front.subtitle, front.organisation, meta.edition_label, meta.classification):
        assert item in pages[0], f"cover lacks {item!r}"
    # The cover does not repeat "HANDBOOK" above the title.
    assert pages[0].startswith(front.title)
    assert labels["handbook"].upper() not in pages[0]
    for item in (labels["imprint"].upper(), front.organisation, front.unit, labels["edition"],
                 labels["reference"], meta.reference, labels["status"], meta.status):
        assert item in pages[1], f"imprint lacks {item!r}"
    # The real content gives no contact and no source: no orphan label either.
    assert doc.credits == model.Credits()
    assert labels["contact"] not in pages[1]
    assert pages[2].startswith(labels["foreword"])
    assert model.plain(front.foreword[0].spans)[:40] in pages[2]


@needs_poppler
@pytest.mark.parametrize("long", [False, True], ids=["one-page-chapters", "long-first-chapter"])
@pytest.mark.parametrize("lang", LANGS)
def test_handbook_related_areas_print_their_page(pdfs, lang, long):
    doc = pdfs.handbook_doc(lang, long=long)
    pdf = pdfs.handbook(lang, long=long)
    pages = page_texts(pdfs, pdf)
    starts = _chapter_start_pages(doc, pages)
    text = squash(" ".join(pages)).replace("\u2010 ", "").replace("- ", "-")
    refs = [ref for chapter in doc.chapters for ref in chapter.related]
    assert refs, "the content has no related areas to check"
    titles = {c.anchor: c.title for c in doc.chapters}
    for ref in refs:
        page = starts[titles[ref.anchor]]
        expected = squash(f"{ref.title}, " + doc.labels["page_ref"].format(page=page))
        assert expected in text, f"missing cross-reference {expected!r}"
    # "p." and its number are held together by a no-break space (pypdf keeps U+00A0).
    raw = "".join(page.extract_text() for page in reader(pdf).pages)
    abbreviation = re.escape(doc.labels["page_ref"].split("{page}")[0].strip())
    assert len(re.findall(abbreviation + "\u00a0\\d+", raw)) == len(refs)
    assert not re.findall(abbreviation + "[ \n]\\d+", raw)
    # They are real links to the chapter, not just text.
    links = [
        annot.get_object()
        for page in reader(pdf).pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    assert len(links) >= len(refs)


class _LayoutCounter:
    """Counts the renderer's WeasyPrint layouts: (front matter only, whole document)."""

    def __init__(self, monkeypatch):
        self.front = self.whole = 0
        layout = pdf_renderer._Render.layout

        def counting(render, pagination, front_only=False):
            if front_only:
                self.front += 1
            else:
                self.whole += 1
            return layout(render, pagination, front_only)

        monkeypatch.setattr(pdf_renderer._Render, "layout", counting)


def test_handbook_is_laid_out_once_when_its_chapters_fit_on_a_page(pdfs, monkeypatch):
    """The page numbers come from the layout, not from target-counter() (which makes
    WeasyPrint lay every page holding one out two or three times): the front matter is
    measured, the chapters are expected on one page each and the handbook is laid out
    once; a chapter over three pages costs one more layout, never a wrong number."""
    counter = _LayoutCounter(monkeypatch)
    layout_pdf(first_chapters(pdfs.handbook_doc("en")))
    assert (counter.front, counter.whole) == (1, 1)
    counter.front = counter.whole = 0
    layout_pdf(pdfs.handbook_doc("en", long=True))
    assert (counter.front, counter.whole) == (1, 2)


def test_page_numbers_left_to_weasyprint_print_the_same(pdfs, monkeypatch):
    """Should the layouts never agree on the page numbers, WeasyPrint finds them itself
    with target-counter(): the same PDF, byte for byte, only slower. Shown on a handbook
    whose first chapter runs long, where the renderer's first guess is wrong."""
    laid_out_twice = pdfs.handbook("fr", long=True)
    monkeypatch.setattr(pdf_renderer, "MAX_LAYOUTS", 0)
    assert render_pdf(pdfs.handbook_doc("fr", long=True)) == laid_out_twice


@pytest.mark.parametrize("lang", LANGS)
def test_handbook_outline_has_chapters_and_sections(pdfs, lang):
    doc = pdfs.handbook_doc(lang)
    entries = outline_entries(pdfs.handbook(lang))
    level_one = [title for level, title, _ in entries if level == 1]
    assert doc.front.title not in level_one, "the cover must not create a bookmark"
    assert doc.labels["imprint"] not in level_one
    chapters = [(level, title) for level, title, _ in entries if title not in
                (doc.labels["foreword"], doc.labels["contents"])]
    expected = []
    for chapter in doc.chapters:
        expected.append((1, chapter.title))
        expected += [(2, model.plain(s.heading)) for s in chapter.sections]
    assert chapters == expected
    chapter_titles = {c.title for c in doc.chapters}
    chapter_pages = [page for level, title, page in entries if title in chapter_titles]
    assert chapter_pages == list(range(5, 5 + len(doc.chapters)))


@pytest.mark.parametrize("kind", ["factsheet", "handbook"])
@pytest.mark.parametrize("lang", LANGS)
def test_metadata_and_tagging(pdfs, lang, kind):
    topic = pdfs.project.topic_ids[0]
    if kind == "factsheet":
        doc, pdf = pdfs.factsheet_doc(lang, topic), pdfs.factsheet(lang, topic)
    else:
        doc, pdf = pdfs.handbook_doc(lang), pdfs.handbook(lang)
    r = reader(pdf)
    info = r.metadata
    assert info["/Title"] == doc.meta.title
    assert info["/Author"] == doc.meta.author
    assert info["/Subject"] == doc.meta.subject
    assert info["/Keywords"] == ", ".join(doc.meta.keywords)
    assert info["/CreationDate"].startswith("D:" + doc.meta.date.strftime("%Y%m%d"))
    assert info["/ModDate"].startswith("D:" + doc.meta.date.strftime("%Y%m%d"))
    catalog = r.trailer["/Root"]
    assert catalog["/Lang"] == doc.meta.locale
    assert catalog["/MarkInfo"]["/Marked"] == True  # tagged PDF  # noqa: E712 (a PDF boolean)
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
    roles = _structure_roles(catalog["/StructTreeRoot"])
    assert {"/H1", "/H2", "/P"} <= roles
    if any(isinstance(b, model.BulletList) for c in doc.chapters for s in c.sections for b in s.blocks):
        assert {"/L", "/LI"} <= roles


def _structure_roles(node) -> set[str]:
    roles: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop().get_object()
        if isinstance(item, pypdf.generic.ArrayObject):
            stack.extend(item)
        elif isinstance(item, pypdf.generic.DictionaryObject):
            if "/S" in item:
                roles.add(str(item["/S"]))
            if "/K" in item:
                stack.append(item["/K"])
    return roles


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_fonts_are_the_branding_fonts_embedded_and_subset(pdfs, lang):
    doc = pdfs.handbook_doc(lang)
    allowed = {family.replace(" ", "-") for family in doc.branding["fonts"].values()}
    for pdf in (pdfs.handbook(lang), pdfs.factsheet(lang, pdfs.project.topic_ids[0])):
        out = subprocess.run(["pdffonts", str(pdfs.path(pdf))], capture_output=True, text=True, check=True)
        rows = out.stdout.splitlines()[2:]
        assert rows, "no fonts in the PDF"
        for row in rows:
            name = row.split()[0]
            emb, sub = row.split()[-5:-3]
            assert (emb, sub) == ("yes", "yes"), f"font not embedded and subset: {row}"
            family = re.sub(r"^[A-Z]{6}\+", "", name)
            assert any(family.startswith(a) for a in allowed), f"fallback font used: {family}"


@needs_qpdf
@pytest.mark.parametrize("lang", LANGS)
def test_qpdf_check_is_clean(pdfs, lang):
    for pdf in (pdfs.handbook(lang), pdfs.factsheet(lang, pdfs.project.topic_ids[0]),
                pdfs.factsheet(lang, pdfs.project.topic_ids[0], print_mode=True)):
        out = subprocess.run(["qpdf", "--check", str(pdfs.path(pdf))], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "No syntax or stream encoding errors found" in out.stdout
        assert "WARNING" not in out.stdout + out.stderr


# --- text: typography, escaping -----------------------------------------------------


def test_french_spaces_survive_into_the_pdf(pdfs):
    """U+202F before ; ! ? and U+00A0 inside « » are printed, neither dropped nor
    turned into ordinary (breakable) spaces."""
    doc = pdfs.factsheet_doc("fr", pdfs.project.topic_ids[0])
    chapter = doc.chapters[0]
    probe = "Vraiment\u202f? Oui\u202f! Ensuite\u202f; enfin «\u00a0sûr\u00a0»."
    chapter = dataclasses.replace(chapter, intro=(model.Paragraph((model.Span(probe),)),))
    pdf = render_pdf(dataclasses.replace(doc, chapters=(chapter,)))
    text = "".join(page.extract_text() for page in reader(pdf).pages)
    for fragment in ("Vraiment\u202f?", "Oui\u202f!", "Ensuite\u202f;", "«\u00a0sûr\u00a0»"):
        assert fragment in text, f"{fragment!r} not in the PDF text"


def test_french_content_keeps_narrow_spaces(pdfs):
    texts = []
    for topic in pdfs.project.topic_ids:
        pdf = pdfs.factsheet("fr", topic)
        texts += [page.extract_text() for page in reader(pdf).pages]
    text = "\n".join(texts)
    marks = re.findall(r"(.)([;!?])", text)
    assert marks, "the French content has no ; ! ? to check"
    # Some marks sit in URLs or after a closing bracket; all others have the thin space.
    bad = [f"{before}{mark}" for before, mark in marks if before not in "\u202f)]/=" and not before.isdigit()]
    assert not bad, f"missing narrow no-break space before: {bad[:5]}"


def test_markup_in_content_prints_literally(pdfs):
    doc = pdfs.factsheet_doc("en", pdfs.project.topic_ids[0])
    chapter = doc.chapters[0]
    nasty = '<script>alert(1)</script> Fish & Chips <img src="file:///etc/hostname">'
    title = 'Crime & "Punishment" </style><b>'
    chapter = dataclasses.replace(chapter, title=title,
                                  intro=(model.Paragraph((model.Span(nasty),)),))
    doc = dataclasses.replace(doc, chapters=(chapter,), meta=dataclasses.replace(doc.meta, title=title))
    html = render_html(doc)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fish &amp; Chips" in html
    pdf = render_pdf(doc)  # the <img> in the text is not fetched (it is text)
    text = squash("".join(page.extract_text() for page in reader(pdf).pages))
    assert "<script>alert(1)</script> Fish & Chips" in text
    assert title in text  # in the title band and in the footer (a CSS string)
    assert reader(pdf).metadata["/Title"] == title


def test_css_strings_cannot_escape():
    value = css_string('a"b\\c</style>{}\n;é\u202f')
    inner = value[1:-1]
    assert value.startswith('"') and value.endswith('"')
    assert '"' not in inner and "<" not in inner and "{" not in inner and "\n" not in inner
    assert "é" in inner and "\\202F " in inner
    assert css_content("Page {page} of {pages}", page="counter(page)", pages="counter(pages)") == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert css_content("{page}", page="counter(page)") == "counter(page)"
    with pytest.raises(BuildError, match=r"uses \{total\}"):
        css_content("Page {page} of {total}", page="counter(page)", pages="counter(pages)")


def test_missing_label_fails_the_build(pdfs):
    doc = pdfs.factsheet_doc("en", pdfs.project.topic_ids[0])
    labels = {key: value for key, value in doc.labels.items() if key != "related"}
    with pytest.raises(BuildError, match="related"):
        render_html(dataclasses.replace(doc, labels=labels))


# --- safety: resources, warnings, fonts ----------------------------------------------


@pytest.fixture
def patched_template(monkeypatch):
    """Replace one template's source for the duration of a test."""

    def patch(name: str, edit):
        source = (html_renderer.TEMPLATES_DIR / name).read_text(encoding="utf-8")
        env = html_renderer.environment()
        loader = jinja2.ChoiceLoader(
            [jinja2.DictLoader({name: edit(source)}), jinja2.FileSystemLoader(html_renderer.TEMPLATES_DIR)]
        )
        monkeypatch.setattr(env, "loader", loader)

    return patch


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "https://example.org/logo.png", "../pipeline/content/model.py"]
)
def test_resources_outside_templates_are_refused(pdfs, patched_template, url):
    image = f'<img src="{url}" alt=""></header>'
    patched_template("factsheet.html.j2", lambda s: s.replace("</header>", image))
    doc = pdfs.factsheet_doc("en", pdfs.project.topic_ids[0])
    with pytest.raises(UnsafeResourceError, match=r"refused to load .*only files under templates/"):
        render_pdf(doc, strict=False)


def test_resources_inside_templates_are_served():
    templates = html_renderer.TEMPLATES_DIR
    assert pdf_renderer.resource_path((templates / "style.css").as_uri()) is not None
    assert pdf_renderer.resource_path("file:///etc/hostname") is None
    assert pdf_renderer.resource_path((templates / ".." / "pyproject.toml").as_uri()) is None
    assert pdf_renderer.resource_path("http://localhost/templates/style.css") is None


def test_weasyprint_warnings_fail_in_strict_mode(pdfs, patched_template, caplog):
    patched_template("partials/document.css.j2", lambda s: s + "\np { colour: red; }\n")
    doc = pdfs.factsheet_doc("en", pdfs.project.topic_ids[0])
    with pytest.raises(BuildError, match=r"WeasyPrint reported 1 problem\(s\), first: Ignored `colour: red`"):
        render_pdf(doc)
    caplog.clear()
    assert render_pdf(doc, strict=False).startswith(b"%PDF")
    assert any(r.name == "pipeline.pdf" and "colour: red" in r.getMessage() for r in caplog.records)


def test_missing_font_fails_with_install_hint(pdfs, monkeypatch):
    monkeypatch.setattr(pdf_renderer, "installed_font_families", lambda: frozenset({"noto sans"}))
    doc = pdfs.factsheet_doc("en", pdfs.project.topic_ids[0])
    with pytest.raises(BuildError) as info:
        render_pdf(doc)
    assert info.value.message == (
        "font 'Noto Serif' not found; install it with: apt-get install fonts-noto-core (or: make deps)"
    )


def test_branding_fonts_are_installed():
    assert {"noto serif", "noto sans"} <= pdf_renderer.installed_font_families()


def test_importing_the_renderer_does_not_import_weasyprint():
    code = "import sys, pipeline.render.pdf; sys.exit('weasyprint' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --- reproducibility -----------------------------------------------------------------

_RENDER_ONE = """
import hashlib, sys
from pathlib import Path
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.content.project import load_project
from pipeline.render.pdf import render_pdf
project = load_project(Path("content"))
kind, lang, topic = sys.argv[1:4]
doc = compose_handbook(project, lang) if kind == "handbook" else compose_factsheet(project, lang, topic)
print(hashlib.sha256(render_pdf(doc)).hexdigest())
"""


@pytest.mark.parametrize("kind", ["factsheet", "handbook"])
def test_same_document_gives_identical_bytes(pdfs, kind):
    topic = pdfs.project.topic_ids[2]
    here = pdfs.handbook("fr") if kind == "handbook" else pdfs.factsheet("fr", topic)
    digests = {hashlib.sha256(here).hexdigest()}
    seeds = ("1", "2") if kind == "factsheet" else ("3",)
    for seed in seeds:  # other processes, other hash seeds, later clock
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _RENDER_ONE, kind, "fr", topic], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1, digests
    assert b"/ID" in here


# --- draft and print mode ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_draft_mark_on_every_page(pdfs, lang):
    # pypdf, not pdftotext: poppler leaves out diagonal text.
    doc = pdfs.factsheet_doc(lang, pdfs.project.topic_ids[0])
    mark = doc.labels["draft_mark"]
    final = reader(pdfs.factsheet(lang, doc.chapters[0].topic_id)).pages
    assert all(mark not in page.extract_text() for page in final)
    pages = reader(render_pdf(two_page_factsheet(pdfs, lang, draft=True))).pages
    assert len(pages) == 2, "the check needs two pages"
    assert all(mark in page.extract_text() for page in pages)


@needs_poppler
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_print_handbook_is_a_multiple_of_four_ending_with_a_back_cover(pdfs, lang, mode):
    """Saddle stitching: the print-mode handbook is the screen one, then blank pages if
    need be, then a back cover with the imprint's essentials on the last page."""
    doc = pdfs.handbook_doc(lang, print_mode=True, chapter_start=mode)
    printed = page_texts(pdfs, pdfs.handbook(lang, print_mode=True, chapter_start=mode))
    screen = page_texts(pdfs, pdfs.handbook(lang, chapter_start=mode))
    assert len(printed) % 4 == 0 and len(printed) > len(screen)
    assert [squash(t) for t in printed[: len(screen)]] == [squash(t) for t in screen]
    assert all(not text.strip() for text in printed[len(screen) : -1])
    back = squash(printed[-1])
    for item in (doc.front.organisation, doc.front.unit, doc.labels["edition"], doc.meta.edition_label,
                 doc.labels["reference"], doc.meta.reference, doc.meta.classification):
        assert item in back, f"back cover lacks {item!r}"
    # No back cover on screen: the screen edition ends with the last chapter.
    assert _chapter_start_pages(doc, screen)[doc.chapters[-1].title] == len(screen)
    assert doc.front.unit not in squash(screen[-1])


@pytest.mark.parametrize("paper", PAPERS)
def test_print_mode_adds_bleed(pdfs, paper):
    topic = pdfs.project.topic_ids[0]
    screen = reader(pdfs.factsheet("en", topic, paper)).pages[0]
    printed = reader(pdfs.factsheet("en", topic, paper, print_mode=True)).pages[0]
    size = {"a4": (210 * MM, 297 * MM), "letter": (8.5 * 72, 11 * 72)}[paper]
    for page in (screen, printed):
        assert float(page.trimbox.width) == pytest.approx(size[0], abs=0.5)
        assert float(page.trimbox.height) == pytest.approx(size[1], abs=0.5)
    assert screen.mediabox == screen.trimbox
    # 3 mm of bleed around the trim, and a slug around the bleed that holds the crop marks.
    assert float(printed.bleedbox.width) == pytest.approx(float(printed.trimbox.width) + 6 * MM, abs=0.1)
    assert float(printed.bleedbox.height) == pytest.approx(float(printed.trimbox.height) + 6 * MM, abs=0.1)
    assert float(printed.mediabox.width) > float(printed.bleedbox.width) + 12 * MM


# --- colour contrast (greyscale) -----------------------------------------------------


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance: the grey a greyscale printer or copier reproduces."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hex(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _rgb(color) -> tuple[float, float, float]:
    return tuple(round(c, 4) for c in color.to("srgb").coordinates)


def text_colour_pairs(document) -> set[tuple[tuple, tuple]]:
    """(text colour, background colour) of every piece of text laid out, the background
    being the nearest painted ancestor's, else the page's, else white paper."""
    from weasyprint.formatting_structure import boxes

    white = (1.0, 1.0, 1.0)
    pairs = set()

    def walk(box, background, decorative):
        element = getattr(box, "element", None)
        if element is not None and "draft-mark" in (element.get("class") or ""):
            decorative = True
        bg = box.style["background_color"]
        if bg.alpha > 0:
            background = _rgb(bg)
        if isinstance(box, boxes.TextBox) and box.text.strip() and not decorative:
            pairs.add((_rgb(box.style["color"]), background))
        for child in getattr(box, "children", ()):
            walk(child, background, decorative)

    for page in document.pages:
        page_box = page._page_box
        bg = page_box.style["background_color"]
        walk(page_box, _rgb(bg) if bg.alpha > 0 else white, False)
    return pairs


@pytest.mark.parametrize("print_mode", [False, True])
def test_text_colours_contrast_in_greyscale(pdfs, print_mode):
    branding = yaml.safe_load((CONTENT / "branding.yaml").read_text(encoding="utf-8"))
    palette = {name: _hex(value) for name, value in branding["colours"].items()}
    allowed = {tuple(round(c, 4) for c in rgb) for rgb in palette.values()} | {(1.0, 1.0, 1.0)}
    factsheet = all_blocks_factsheet(pdfs, "fr")
    factsheet = dataclasses.replace(factsheet, layout=model.Layout("a4", print_mode))
    pairs = text_colour_pairs(layout_pdf(factsheet))
    if not print_mode:  # the handbook's colours do not depend on the print mode
        pairs |= text_colour_pairs(layout_pdf(pdfs.handbook_doc("fr")))
    assert len(pairs) >= 5, pairs
    for text, background in pairs:
        # Colours come from branding.yaml (or are paper white): nothing hard-coded.
        assert text in allowed and background in allowed, (text, background)
        ratio = contrast(text, background)
        assert ratio >= 4.5, f"text {text} on {background}: contrast {ratio:.2f} < 4.5"


def test_contrast_check_can_fail():
    assert contrast(_hex("#777777"), _hex("#E8EEF4")) < 4.5
    assert contrast(_hex("#1A1A1A"), _hex("#FFFFFF")) > 15


def test_branding_colours_reach_the_layout(pdfs):
    doc = all_blocks_factsheet(pdfs, "en")
    branding = {**doc.branding, "colours": {**doc.branding["colours"], "accent": "#7A2E1B"}}
    pairs = text_colour_pairs(layout_pdf(dataclasses.replace(doc, branding=branding)))
    assert any(text == tuple(round(c, 4) for c in _hex("#7A2E1B")) for text, _ in pairs)
    with pytest.raises(BuildError, match="not a hex colour"):
        render_html(dataclasses.replace(doc, branding={**doc.branding, "colours": {
            **doc.branding["colours"], "accent": "red; } body { display: none"}}))


# --- HTML structure for accessibility ------------------------------------------------


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.links: list[list[str]] = []
        self.stack: list[str] = []
        self.in_link = False
        self.li_parents: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a":
            self.links.append([dict(attrs).get("href", ""), ""])
            self.in_link = True
        if tag == "li":
            self.li_parents.append(self.stack[-1] if self.stack else "")
        if tag not in ("br", "meta", "link", "img"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "a":
            self.in_link = False
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.in_link:
            self.links[-1][1] += data


@pytest.mark.parametrize("lang", LANGS)
def test_html_structure_is_accessible(pdfs, lang):
    for doc in (all_blocks_factsheet(pdfs, lang), pdfs.handbook_doc(lang)):
        parser = _Outline()
        parser.feed(render_html(doc))
        assert parser.lang == doc.meta.locale
        assert parser.headings[0] == 1
        for before, after in zip(parser.headings, parser.headings[1:], strict=False):
            assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
        assert parser.li_parents and set(parser.li_parents) <= {"ul", "ol"}
        for href, text in parser.links:
            assert href.startswith("#"), href
            assert text.strip() and not text.strip().startswith(("#", "http")), (href, text)
