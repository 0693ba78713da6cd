"""The DOCX renderer, checked on the real content the way Word would read it.

Every real document (each factsheet and the handbook, in every language) plus a "rich"
factsheet and handbook (a real one with one block of every kind added) is rendered once
per session (`docx_cache`). The assertions read the package XML: which styles the
paragraphs use, that runs carry no direct formatting, the fields (PAGE, NUMPAGES, TOC,
PAGEREF, STYLEREF) and the bookmarks they point at, the section breaks, the settings,
the language and the core properties. A LibreOffice round trip checks that another
word processor opens and lays out the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from lxml import etree

from pipeline.content import model
from pipeline.engine.plan import output_path
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.render.docx import render_docx
from pipeline.render.docx_styles import PAPER_MM, margins_of, twips
from pipeline.render.html import document_css

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
LANGS = sorted(path.parent.name for path in CONTENT.glob("*/_strings.yaml"))
TOPICS = sorted(p.stem for p in (CONTENT / "en").glob("*.yaml") if not p.name.startswith("_"))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "v": "urn:schemas-microsoft-com:vml"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Every document the build makes, plus the rich variants: (kind, lang, topic).
REAL = [("handbook", lang, None) for lang in LANGS] + [
    ("factsheet", lang, topic) for lang in LANGS for topic in TOPICS
]
RICH = [("rich-factsheet", lang, None) for lang in LANGS] + [("rich-handbook", lang, None) for lang in LANGS]
# The handbook with chapter_start: recto (the real content's is `page`).
RECTO = [("recto-handbook", lang, None) for lang in LANGS]
ALL = REAL + RICH + RECTO
HANDBOOKS = [key for key in ALL if key[0].endswith("handbook")]
FACTSHEETS = [key for key in ALL if key[0].endswith("factsheet")]


def ident(key) -> str:
    return "-".join(part for part in key if part)


# --- the rich fixture: one block of every kind, in both languages -------------------------

RICH_TEXT = {
    "en": {
        "heading": "Responding together", "sub": "Operational support",
        "para": ("Member countries exchange ", "police data", " through ", "secure channels", "."),
        "intro": "Support covers three areas:",
        "items": ("analysis of seized devices", "coordination of operations", "training of investigators"),
        "focus": ("Operation Pangea", "Coordinated action against illicit online pharmacies.",
                  "It ran in 90 countries over one week."),
        "focus2": ("Operation Lionfish", "Maritime operations against drug trafficking."),
        "quote": ("Crime does not stop at borders, and neither should police cooperation.",
                  "Head of unit, 2026 annual conference"),
        "figure": ("Over 190", "member countries share police data every day."),
    },
    "fr": {
        "heading": "Agir ensemble", "sub": "Soutien opérationnel",
        "para": ("Les pays membres échangent des ", "données policières", " par des ",
                 "canaux sécurisés", "."),
        "intro": "Ce soutien porte sur trois domaines\u00a0:",
        "items": ("analyse des appareils saisis", "coordination des opérations", "formation des enquêteurs"),
        "focus": ("Opération Pangea", "Action coordonnée contre les pharmacies illicites en ligne.",
                  "Elle a été menée dans 90\u00a0pays en une semaine\u202f!"),
        "focus2": ("Opération Lionfish", "Opérations maritimes contre le trafic de drogue."),
        "quote": ("\u00ab\u00a0La criminalité ne s’arrête pas aux frontières\u202f; la coopération "
                  "policière non plus.\u00a0\u00bb", "Chef d’unité, conférence annuelle 2026"),
        "figure": ("Plus de 190", "pays membres échangent des données chaque jour."),
    },
}


def rich_section(lang: str, anchor: str) -> model.Section:
    t, s = RICH_TEXT[lang], model.Span
    a, b, c, d, e = t["para"]
    focus_title, *focus_body = t["focus"]
    return model.Section(
        heading=(s(t["heading"]),),
        anchor=f"{anchor}-rich",
        blocks=(
            model.Paragraph((s(a), s(b, bold=True), s(c), s(d, italic=True), s(e))),
            model.BulletList((s(t["intro"]),), tuple((s(item),) for item in t["items"])),
            model.Focus((s(focus_title),), tuple(model.Paragraph((s(p),)) for p in focus_body)),
            model.Focus((s(t["focus2"][0]),), (model.Paragraph((s(t["focus2"][1]),)),)),
            model.KeyFigure((s(t["figure"][0]),), (s(t["figure"][1]),)),
            model.Quote((s(t["quote"][0]),), (s(t["quote"][1]),)),
            model.BulletList(None, tuple((s(item, italic=True),) for item in t["items"][:2])),
        ),
        subsections=(
            model.Section((s(t["sub"]),), f"{anchor}-rich-1",
                          (model.Quote((s(t["quote"][0]),)), model.Paragraph((s(a + b),)))),
        ),
    )


def enrich(doc: model.Document) -> model.Document:
    """`doc` with a section holding every kind of block added to its first chapter."""
    first = doc.chapters[0]
    richer = dataclasses.replace(first, sections=(*first.sections, rich_section(doc.meta.lang, first.anchor)))
    return dataclasses.replace(doc, chapters=(richer, *doc.chapters[1:]))


def lengthen(doc: model.Document, times: int) -> model.Document:
    """`doc` with its first chapter's sections repeated `times` times (anchors kept unique)."""
    first = doc.chapters[0]
    sections = tuple(dataclasses.replace(s, anchor=f"{s.anchor}-{i}", subsections=())
                     for i in range(times) for s in first.sections)
    return dataclasses.replace(doc, chapters=(dataclasses.replace(first, sections=sections), *doc.chapters[1:]))


# --- session cache: every document rendered once --------------------------------------------


class DocxCache:
    """Documents and their DOCX, kept for the session. A document the build makes (the
    real ones, A4, as the edition says) is read from the session's real build, which
    `pipeline build` rendered from the very same model; any other (rich, recto, long,
    letter, draft) is rendered once per session and shared between xdist workers."""

    def __init__(self, project, shared, real_build: Callable[[], Path]):
        self.project = project
        self.shared = shared
        self.real_build = real_build
        self._docs: dict[tuple, model.Document] = {}
        self._bytes: dict[tuple, bytes] = {}

    def doc(self, key, paper="a4", draft=None) -> model.Document:
        full = (*key, paper, draft)
        if full not in self._docs:
            kind, lang, topic = key
            layout = model.Layout(paper=paper)
            if kind.endswith("handbook"):
                doc = compose_handbook(self.project, lang, layout)
            else:
                doc = compose_factsheet(self.project, lang, topic or self.project.topic_ids[0], layout)
            if kind.startswith("rich"):
                doc = enrich(doc)
            if kind.startswith("long"):
                doc = lengthen(doc, 6)
            if kind.startswith("recto"):
                doc = dataclasses.replace(doc, chapter_start="recto")
            if draft is not None:
                doc = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, draft=draft))
            self._docs[full] = doc
        return self._docs[full]

    def data(self, key, paper="a4", draft=None) -> bytes:
        full = (*key, paper, draft)
        if full not in self._bytes:
            doc = self.doc(key, paper, draft)
            kind, lang, topic = key
            # What `pipeline build` composes for this key, if it builds such a document at all.
            built = {"handbook": lambda: compose_handbook(self.project, lang),
                     "factsheet": lambda: compose_factsheet(self.project, lang, topic)}.get(kind)
            if built is not None and (kind == "handbook" or topic is not None) and doc == built():
                self._bytes[full] = output_path(self.real_build(), kind, lang, "docx", topic).read_bytes()
            else:
                name = "-".join(str(part) for part in full if part is not None) + ".docx"
                self._bytes[full] = self.shared.data(name, lambda: render_docx(doc))
        return self._bytes[full]


@pytest.fixture(scope="session")
def docx_cache(project, shared, request) -> DocxCache:
    return DocxCache(project, shared, lambda: request.getfixturevalue("real_build"))


# --- reading the package ---------------------------------------------------------------------


class Package:
    """The XML parts of a DOCX, parsed."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.xml = {name: etree.fromstring(self.zip.read(name))
                    for name in self.zip.namelist() if name.endswith((".xml", ".rels"))}

    @property
    def document(self):
        return self.xml["word/document.xml"]

    @property
    def styles(self):
        return self.xml["word/styles.xml"]

    @property
    def settings(self):
        return self.xml["word/settings.xml"]

    def parts(self, prefix: str) -> dict[str, etree._Element]:
        return {name: root for name, root in self.xml.items() if name.startswith(prefix)}

    def story_roots(self):
        """The document body and every header and footer."""
        return [self.document, *self.parts("word/header").values(), *self.parts("word/footer").values()]

    def style(self, style_id: str):
        found = self.styles.findall(f"w:style[@w:styleId='{style_id}']", NS)
        assert len(found) == 1, f"style {style_id!r} defined {len(found)} times"
        return found[0]


def text_of(el) -> str:
    """The visible text of an element: w:t, tabs as \\t, breaks as \\n."""
    out = []
    for node in el.iter(w("t"), w("tab"), w("br")):
        if node.tag == w("t"):
            out.append(node.text or "")
        elif node.tag == w("tab") and node.getparent().tag == w("r"):
            out.append("\t")
        elif node.tag == w("br"):
            out.append("\n")
    return "".join(out)


def style_of(p) -> str:
    found = p.find("w:pPr/w:pStyle", NS)
    return found.get(w("val")) if found is not None else "Normal"


def body_paragraphs(pkg: Package):
    return pkg.document.findall("w:body/w:p", NS)


def fields(root) -> list[tuple[str, str]]:
    """(instruction, result text) of every complex field, nested ones included."""
    found, stack = [], []
    for node in root.iter(w("fldChar"), w("instrText"), w("t")):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                stack.append({"instr": "", "result": "", "in_result": False})
            elif kind == "separate":
                stack[-1]["in_result"] = True
            elif kind == "end":
                done = stack.pop()
                found.append((done["instr"].strip(), done["result"]))
                if stack and stack[-1]["in_result"]:
                    stack[-1]["result"] += done["result"]
        elif node.tag == w("instrText"):
            stack[-1]["instr"] += node.text or ""
        elif stack and stack[-1]["in_result"]:
            stack[-1]["result"] += node.text or ""
    assert not stack, "unbalanced field characters"
    return found


# --- what the document should say, from the model (the PDF templates' order) --------------

NUMBER = re.compile(r"\d+")


def expected_paragraphs(doc: model.Document) -> list[tuple[str, str | re.Pattern]]:
    """(style id, text or pattern) of every non-empty body paragraph, in order."""
    labels, meta, out = doc.labels, doc.meta, []
    handbook = doc.kind == "handbook"

    def blocks(items):
        for b in items:
            if isinstance(b, model.Paragraph):
                out.append(("Normal", model.plain(b.spans)))
            elif isinstance(b, model.BulletList):
                if b.intro is not None:
                    out.append(("ListIntro", model.plain(b.intro)))
                out.extend(("ListBullet", model.plain(item)) for item in b.items)
            elif isinstance(b, model.Focus):
                out.append(("CalloutLabel", labels["in_focus"]))
                out.append(("CalloutTitle", model.plain(b.title)))
                out.extend(("CalloutBody", model.plain(p.spans)) for p in b.body)
            elif isinstance(b, model.KeyFigure):
                out.append(("KeyFigureLabel", labels["key_figure"]))
                out.append(("KeyFigure", model.plain(b.value)))
                out.append(("KeyFigureText", model.plain(b.text)))
            elif isinstance(b, model.Quote):
                out.append(("Quote", model.plain(b.spans)))
                if b.attribution is not None:
                    out.append(("Caption", model.plain(b.attribution)))

    def section(s, level):
        out.append((f"Heading{min(level, 3)}", model.plain(s.heading)))
        blocks(s.blocks)
        for sub in s.subsections:
            section(sub, level + 1)

    if handbook:
        front = doc.front
        out += [("Title", front.title), ("Subtitle", front.subtitle),
                ("CoverMeta", front.organisation), ("CoverMeta", meta.edition_label),
                ("CoverMeta", meta.classification), ("ImprintHeading", labels["imprint"]),
                ("ImprintValue", f"{front.organisation}\n{front.unit}")]
        for key, value in (("edition", meta.edition_label), ("reference", meta.reference),
                           ("classification", meta.classification), ("status", meta.status)):
            out += [("ImprintLabel", labels[key]), ("ImprintValue", value)]
        if doc.credits.contact:
            out += [("ImprintLabel", labels["contact"]), ("ImprintValue", doc.credits.contact)]
        if doc.credits.source:
            out.append(("ImprintSource", doc.credits.source))
        out.append(("FrontHeading", labels["foreword"]))
        out += [("Normal", model.plain(p.spans)) for p in front.foreword]
        out.append(("TOCHeading", labels["contents"]))
        # Chapters only: the sections share their chapter's page.
        out += [("TOC1", re.compile(re.escape(ch.title + "\t") + r"\d+")) for ch in doc.chapters]
    for ch in doc.chapters:
        # The handbook's chapter number is Word list numbering: the paragraph has no text.
        out.append(("ChapterNumber", "") if handbook else ("Kicker", labels["factsheet"]))
        out.append(("Heading1", ch.title))
        out.append(("Lead", model.plain(ch.lead)))
        blocks(ch.intro)
        for s in ch.sections:
            section(s, 2)
        if ch.related:
            out.append(("RelatedHeading", labels["related"]))
            for ref in ch.related:
                if handbook:
                    page = re.escape(labels["page_ref"]).replace(re.escape("{page}"), r"\d+")
                    out.append(("RelatedArea", re.compile(re.escape(ref.title + ", ") + page)))
                else:
                    out.append(("RelatedArea", ref.title))
    if not handbook and doc.credits.contact:
        out.append(("Credits", f"{labels['contact']} {doc.credits.contact}"))
    if not handbook and doc.credits.source:
        out.append(("Credits", doc.credits.source))
    return out


# --- tests: content and structure ---------------------------------------------------------------


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_every_paragraph_follows_the_model_in_order_and_style(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    actual = []
    for p in body_paragraphs(pkg):
        text = text_of(p)
        if text or style_of(p) == "ChapterNumber":
            actual.append((style_of(p), text))
        else:
            # The only other empty paragraphs: the gap between two call-outs, and the one
            # that ends the contents' section.
            assert style_of(p) == "CalloutGap" or p.find("w:pPr/w:sectPr", NS) is not None
    expected = expected_paragraphs(doc)
    assert [s for s, _ in actual] == [s for s, _ in expected]
    for (style, text), (_, want) in zip(actual, expected, strict=True):
        if isinstance(want, re.Pattern):
            assert want.fullmatch(text), (style, text, want.pattern)
        else:
            assert text == want, style


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_runs_carry_no_direct_formatting_but_the_models_emphasis(docx_cache, key):
    pkg = Package(docx_cache.data(key))
    for root in pkg.story_roots():
        for rpr in root.iter(w("rPr")):
            if rpr.getparent().tag != w("r"):
                continue
            tags = {etree.QName(child).localname for child in rpr}
            assert tags <= {"rStyle", "b", "i"}, tags
            style = rpr.find("w:rStyle", NS)
            assert style is None or style.get(w("val")) in ("Hyperlink", "PageNumber", "CreditsLabel")
        for ppr in root.iter(w("pPr")):
            if ppr.getparent().tag == w("p"):
                assert {etree.QName(c).localname for c in ppr} <= {"pStyle", "sectPr"}
    # Each emphasised span of the model is one run with the same emphasis.
    doc = docx_cache.doc(key)
    runs = {(text_of(r), r.find("w:rPr/w:b", NS) is not None, r.find("w:rPr/w:i", NS) is not None)
            for r in pkg.document.iter(w("r"))}
    for span in emphasised_spans(doc):
        assert (span.text, span.bold, span.italic) in runs


def emphasised_spans(doc: model.Document):
    def inline(spans):
        yield from (s for s in spans if s.bold or s.italic)

    def blocks(items):
        for b in items:
            if isinstance(b, model.Paragraph):
                yield from inline(b.spans)
            elif isinstance(b, model.BulletList):
                for item in ((b.intro,) if b.intro else ()) + b.items:
                    yield from inline(item)
            elif isinstance(b, model.Focus):
                yield from inline(b.title)
                for p in b.body:
                    yield from inline(p.spans)
            elif isinstance(b, model.KeyFigure):
                yield from inline(b.value + b.text)
            elif isinstance(b, model.Quote):
                yield from inline(b.spans + (b.attribution or ()))

    def sections(items):
        for s in items:
            yield from inline(s.heading)
            yield from blocks(s.blocks)
            yield from sections(s.subsections)

    for ch in doc.chapters:
        yield from inline(ch.lead)
        yield from blocks(ch.intro)
        yield from sections(ch.sections)


def test_the_rich_fixture_has_emphasis_and_every_block_kind(docx_cache):
    """Guards the guard: the rich documents really exercise what the tests check."""
    for key in RICH:
        doc = docx_cache.doc(key)
        styles = {style for style, _ in expected_paragraphs(doc)}
        assert {"ListIntro", "ListBullet", "CalloutTitle", "CalloutBody", "KeyFigure", "Quote", "Caption",
                "Heading3"} <= styles
        spans = list(emphasised_spans(doc))
        assert any(s.bold for s in spans) and any(s.italic for s in spans)


# Which font each style is drawn in (body or heading face), and which styles share the
# call-out look. Custom styles are marked with *.
HEADING_FONT = ("Heading1", "Heading2", "Heading3", "Title", "Subtitle", "Kicker*", "ChapterNumber*",
                "CalloutLabel*",
                "CalloutTitle*", "KeyFigureLabel*", "KeyFigure*", "RelatedHeading*", "RelatedArea*",
                "TOC1", "Header", "Footer", "Caption", "CoverMeta*", "ImprintHeading*",
                "ImprintLabel*", "ImprintValue*", "ImprintSource*", "Credits*", "FrontHeading*", "TOCHeading")
BODY_FONT = ("Normal", "Lead*", "CalloutBody*", "KeyFigureText*", "Quote", "ListBullet", "ListIntro*",
             "TOC2")


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_styles_define_the_look_in_brand_fonts_and_colours(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    fonts, colours = doc.branding["fonts"], doc.branding["colours"]

    def hexed(name):
        return colours[name].lstrip("#").upper()

    for group, family in ((HEADING_FONT, fonts["heading"]), (BODY_FONT, fonts["body"])):
        for entry in group:
            style = pkg.style(entry.rstrip("*"))
            assert (style.get(w("customStyle")) == "1") == entry.endswith("*"), entry
            rfonts = style.find("w:rPr/w:rFonts", NS)
            assert rfonts is not None, entry
            assert {rfonts.get(w(a)) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {family}, entry
    assert pkg.style("Heading2").find("w:rPr/w:color", NS).get(w("val")) == hexed("primary")
    assert pkg.style("Heading1").find("w:rPr/w:color", NS).get(w("val")) == "FFFFFF"  # on the band
    assert pkg.style("KeyFigure").find("w:rPr/w:color", NS).get(w("val")) == hexed("accent")
    for callout in ("CalloutLabel", "CalloutTitle", "CalloutBody", "KeyFigureLabel", "KeyFigure",
                    "KeyFigureText"):
        ppr = pkg.style(callout).find("w:pPr", NS)
        assert ppr.find("w:shd", NS).get(w("fill")) == hexed("tint"), callout
        assert ppr.find("w:pBdr/w:left", NS) is not None, callout
    # The title band: kicker, title and lead share one border and fill, so they form a
    # single block, white on the primary colour.
    band = [pkg.style(sid).find("w:pPr", NS) for sid in ("Kicker", "ChapterNumber", "Heading1", "Lead")]
    assert len({etree.tostring(ppr.find("w:pBdr", NS)) for ppr in band}) == 1
    assert {ppr.find("w:shd", NS).get(w("fill")) for ppr in band} == {hexed("primary")}
    assert len({ppr.find("w:ind", NS).get(w("left")) for ppr in band}) == 1
    # Heading levels: chapter titles and sections reach the navigation pane and the TOC;
    # the front matter and "related" headings do not.
    for style_id, level in (("Heading1", "0"), ("Heading2", "1"), ("Heading3", "2"),
                            ("FrontHeading", "9"), ("RelatedHeading", "9"), ("TOCHeading", "9")):
        assert pkg.style(style_id).find("w:pPr/w:outlineLvl", NS).get(w("val")) == level
    # No style points at the template's theme fonts any more.
    assert not pkg.styles.xpath("//w:rFonts[@w:asciiTheme or @w:hAnsiTheme]", namespaces=NS)
    # Every style a paragraph names exists.
    defined = {s.get(w("styleId")) for s in pkg.styles.findall("w:style", NS)}
    for root in pkg.story_roots():
        for ref in root.iter(w("pStyle"), w("rStyle")):
            assert ref.get(w("val")) in defined
    # List Bullet is a real list: its numbering is a bullet.
    num_id = pkg.style("ListBullet").find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
    numbering = pkg.xml["word/numbering.xml"]
    abstract = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
    level = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl", NS)
    assert level.find("w:numFmt", NS).get(w("val")) == "bullet"


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_language_is_the_documents_locale(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    default = pkg.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    normal = pkg.style("Normal").find("w:rPr/w:lang", NS)
    for lang in (default, normal):
        assert lang.get(w("val")) == doc.meta.locale
        assert lang.get(w("eastAsia")) == lang.get(w("bidi")) == doc.meta.locale
    # No other language anywhere, so proofing and hyphenation follow the locale.
    for root in (pkg.styles, *pkg.story_roots()):
        assert {el.get(w("val")) for el in root.iter(w("lang"))} <= {doc.meta.locale}
    settings = pkg.settings
    assert settings.find("w:autoHyphenation", NS) is not None
    assert settings.find("w:themeFontLang", NS).get(w("val")) == doc.meta.locale
    # Word must check spelling afresh in the right language, not trust the template.
    assert settings.find("w:proofState", NS) is None


def test_locales_differ_between_languages(docx_cache):
    locales = {docx_cache.doc(("handbook", lang, None)).meta.locale for lang in LANGS}
    assert len(locales) == len(LANGS)


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_settings_do_not_ask_word_to_update_fields(docx_cache, key):
    # updateFields (or a dirty field) makes Word ask "Update the fields?" on every open.
    pkg = Package(docx_cache.data(key))
    assert pkg.settings.find("w:updateFields", NS) is None
    assert pkg.document.find(".//w:fldChar[@w:dirty]", NS) is None
    assert pkg.settings.find("w:rsids", NS) is None
    handbook = key[0].endswith("handbook")
    assert (pkg.settings.find("w:evenAndOddHeaders", NS) is not None) == handbook
    assert (pkg.settings.find("w:mirrorMargins", NS) is not None) == handbook


def page_of_pattern(label: str) -> re.Pattern:
    """A label such as `Page {page} of {pages}` with any numbers (or none) in the
    placeholders: what a footer shows of it, whatever the fields hold."""
    parts = re.split(r"\{\w+\}", label)
    return re.compile(r"\s*\d*\s*".join(re.escape(part.strip()) for part in parts).strip())


@pytest.mark.parametrize("key", FACTSHEETS, ids=ident)
def test_factsheet_footer_has_document_control_and_no_count_on_one_page(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    footers = list(pkg.parts("word/footer").values())
    assert len(footers) == 1
    footer = footers[0]
    text = text_of(footer)
    for value in (doc.meta.author, doc.meta.edition_label, doc.meta.reference, doc.meta.classification,
                  doc.meta.title):
        assert value in text
    if key[0] == "factsheet":  # the real ones are single pages: "Page 1 of 1" is noise
        assert fields(footer) == []
        assert not page_of_pattern(doc.labels["page_of"]).search(text)
    # No field in the body: a factsheet has no contents and no cross-references.
    assert fields(pkg.document) == []
    assert not pkg.document.findall(".//w:hyperlink", NS)


@pytest.mark.parametrize("lang", LANGS)
def test_factsheet_over_one_page_prints_page_n_of_m(docx_cache, lang):
    key = ("long-factsheet", lang, None)
    doc = docx_cache.doc(key)
    footer, = Package(docx_cache.data(key)).parts("word/footer").values()
    (page, _), (count, pages) = fields(footer)
    assert (page, count) == ("PAGE", "NUMPAGES") and int(pages) > 1
    # The words around the numbers are the label's, with the results in place of the fields.
    assert doc.labels["page_of"].format(page=1, pages=pages) in text_of(footer)


@pytest.mark.parametrize("key", HANDBOOKS, ids=ident)
def test_handbook_running_heads_and_feet_follow_the_pdf(docx_cache, key):
    doc = docx_cache.doc(key)
    file = docx.Document(io.BytesIO(docx_cache.data(key)))
    front, contents, *chapters = file.sections
    assert len(chapters) == len(doc.chapters)
    # The cover has neither head nor foot; front matter pages have feet only.
    assert front.different_first_page_header_footer
    assert text_of(front.first_page_footer._element) == ""
    for header in (front.first_page_header, front.header, front.even_page_header):
        assert text_of(header._element) == ""
    odd, even = front.footer._element, front.even_page_footer._element
    for footer in (odd, even):
        assert [instr for instr, _ in fields(footer)] == ["PAGE"]
        assert doc.meta.classification in text_of(footer)
        assert footer.find(".//w:rStyle[@w:val='PageNumber']", NS) is not None
    assert doc.meta.edition_label in text_of(odd)
    assert doc.meta.reference in text_of(even)
    # The contents' section inherits everything.
    for part in (contents.header, contents.even_page_header, contents.footer, contents.even_page_footer):
        assert part.is_linked_to_previous
    # Chapters: the first page of each has no head, and the foot of its side (by the
    # estimate stored in the contents): the page number on the outer edge. Left pages
    # carry the handbook title; right pages the chapter title.
    assert all(s.different_first_page_header_footer for s in chapters)
    first = chapters[0]
    assert text_of(first.first_page_header._element) == ""
    assert text_of(first.even_page_header._element) == doc.front.title
    opening_feet = []
    for section in chapters:
        assert section.footer.is_linked_to_previous and section.even_page_footer.is_linked_to_previous
        if not section.first_page_footer.is_linked_to_previous or not opening_feet:
            opening_feet.append(section.first_page_footer._element)
        else:
            opening_feet.append(opening_feet[-1])
    for section in chapters[1:]:
        assert section.even_page_header.is_linked_to_previous
    for foot, page in zip(opening_feet, stored_toc_pages(docx_cache.data(key)), strict=True):
        assert [i for i, _ in fields(foot)] == ["PAGE"]
        text = text_of(foot)
        if page % 2:
            assert text.startswith(doc.meta.edition_label) and text.endswith("\t1"), (page, text)
        else:
            assert text.startswith("1\t") and doc.meta.reference in text, (page, text)
    sides = {page % 2 for page in stored_toc_pages(docx_cache.data(key))}
    assert sides == ({1} if doc.chapter_start == "recto" else {0, 1})


@pytest.mark.parametrize("key", HANDBOOKS, ids=ident)
def test_handbook_contents_and_chapters_are_sections_started_as_chapter_start_says(docx_cache, key):
    doc = docx_cache.doc(key)
    data = docx_cache.data(key)
    file = docx.Document(io.BytesIO(data))
    assert len(file.sections) == 2 + len(doc.chapters)
    assert doc.chapter_start == ("recto" if key[0].startswith("recto") else "page")
    start = WD_SECTION.ODD_PAGE if doc.chapter_start == "recto" else WD_SECTION.NEW_PAGE
    assert [s.start_type for s in file.sections[1:]] == [start] * (1 + len(doc.chapters))
    for section, chapter in zip(file.sections[2:], doc.chapters, strict=True):
        assert not section.header.is_linked_to_previous
        assert fields(section.header._element) == [('STYLEREF "Heading 1"', chapter.title)]
    # The contents heading, then each chapter's number, open the sections.
    paragraphs = body_paragraphs(Package(data))
    starts = [paragraphs[i + 1] for i, p in enumerate(paragraphs[:-1])
              if p.find("w:pPr/w:sectPr", NS) is not None]
    assert [style_of(p) for p in starts] == ["TOCHeading"] + ["ChapterNumber"] * len(doc.chapters)


@pytest.mark.parametrize("key", HANDBOOKS, ids=ident)
def test_handbook_chapter_numbers_are_word_numbering(docx_cache, key):
    pkg = Package(docx_cache.data(key))
    num_id = pkg.style("ChapterNumber").find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
    numbering = pkg.xml["word/numbering.xml"]
    abstract = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
    level = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl", NS)
    assert level.find("w:numFmt", NS).get(w("val")) == "decimalZero"
    assert level.find("w:lvlText", NS).get(w("val")) == "%1"
    assert level.find("w:start", NS).get(w("val")) == "1"
    # Abstract definitions precede the instances (schema order).
    tags = [etree.QName(c).localname for c in numbering]
    last_abstract = max(i for i, t in enumerate(tags) if t == "abstractNum")
    assert last_abstract < min(i for i, t in enumerate(tags) if t == "num")


def bookmarks(pkg: Package) -> dict[str, etree._Element]:
    """Bookmark name -> the paragraph it marks."""
    marks = {}
    for start in pkg.document.iter(w("bookmarkStart")):
        name = start.get(w("name"))
        assert name not in marks, f"duplicate bookmark {name}"
        marks[name] = start.getparent()
    return marks


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_bookmarks_are_valid_word_names_on_the_headings(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    marks = bookmarks(pkg)
    for name in marks:
        # Visible names start with a letter; the review anchors are hidden ones (`_`, as Word's `_Toc`).
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", name), name
    ids = [s.get(w("id")) for s in pkg.document.iter(w("bookmarkStart"))]
    assert sorted(ids) == sorted({e.get(w("id")) for e in pkg.document.iter(w("bookmarkEnd"))})
    chapter_marks = [(text_of(p), style_of(p)) for name, p in marks.items()
                     if style_of(p) == "Heading1" and not name.startswith("_")]
    assert chapter_marks == [(ch.title, "Heading1") for ch in doc.chapters]


@pytest.mark.parametrize("key", HANDBOOKS, ids=ident)
def test_handbook_contents_is_a_prefilled_toc_field(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    marks = bookmarks(pkg)
    toc = [(i, r) for i, r in fields(pkg.document) if i.startswith("TOC")]
    assert len(toc) == 1
    # Chapters only (level 1): each section shares its chapter's page.
    assert toc[0][0] == 'TOC \\o "1-1" \\h \\z \\u'
    begin = pkg.document.find(".//w:fldChar[@w:fldCharType='begin']", NS)
    assert begin.getparent().getnext().find("w:instrText", NS).text.strip().startswith("TOC")
    entries = [p for p in body_paragraphs(pkg) if style_of(p) in ("TOC1", "TOC2")]
    expected = [("TOC1", ch.title) for ch in doc.chapters]
    assert len(entries) == len(expected)
    pages = {}
    for p, (style, title) in zip(entries, expected, strict=True):
        assert style_of(p) == style
        link = p.find("w:hyperlink", NS)
        anchor = link.get(w("anchor"))
        assert anchor in marks
        target = marks[anchor]
        assert text_of(target) == title
        assert style_of(target) == ("Heading1" if style == "TOC1" else "Heading2")
        (instr, result), = fields(link)
        assert instr == f"PAGEREF {anchor} \\h" and NUMBER.fullmatch(result)
        pages[anchor] = int(result)
    # The estimated chapter pages increase; with `recto` they are odd (right-hand pages).
    # Today's chapters fill less than a page each: with `page` they follow one another
    # from page 5 (cover, imprint, foreword, contents).
    chapter_pages = [pages[p.find("w:hyperlink", NS).get(w("anchor"))]
                     for p in entries if style_of(p) == "TOC1"]
    assert chapter_pages == sorted(chapter_pages) and len(set(chapter_pages)) == len(chapter_pages)
    if doc.chapter_start == "recto":
        assert all(n % 2 == 1 for n in chapter_pages)
    elif key[0] == "handbook":
        assert chapter_pages == list(range(5, 5 + len(doc.chapters)))


@pytest.mark.parametrize("key", HANDBOOKS, ids=ident)
def test_handbook_related_areas_link_to_chapter_bookmarks_with_pageref(docx_cache, key):
    doc = docx_cache.doc(key)
    pkg = Package(docx_cache.data(key))
    marks = bookmarks(pkg)
    toc_pages = {}
    for p in body_paragraphs(pkg):
        if style_of(p) == "TOC1":
            link = p.find("w:hyperlink", NS)
            toc_pages[link.get(w("anchor"))] = fields(link)[0][1]
    related = [p for p in body_paragraphs(pkg) if style_of(p) == "RelatedArea"]
    refs = [ref for ch in doc.chapters for ref in ch.related]
    assert len(related) == len(refs) > 0
    for p, ref in zip(related, refs, strict=True):
        link = p.find("w:hyperlink", NS)
        anchor = link.get(w("anchor"))
        assert text_of(link) == ref.title
        assert text_of(marks[anchor]) == ref.title and style_of(marks[anchor]) == "Heading1"
        (instr, result), = fields(p)
        assert instr == f"PAGEREF {anchor} \\h"
        assert result == toc_pages[anchor]  # the same estimate as in the contents
        # "p. 21": a no-break space keeps the number with its abbreviation.
        assert re.search(r"\S\u00a0\d+$", text_of(p)) and not re.search(r" \d+$", text_of(p)), text_of(p)


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_core_properties_come_from_the_document(docx_cache, key):
    doc = docx_cache.doc(key)
    props = docx.Document(io.BytesIO(docx_cache.data(key))).core_properties
    midnight = dt.datetime.combine(doc.meta.date, dt.time(0, 0))
    assert props.title == doc.meta.title
    assert props.subject == doc.meta.subject
    assert props.author == props.last_modified_by == doc.meta.author
    assert props.keywords == ", ".join(doc.meta.keywords)
    assert props.language == doc.meta.lang
    assert props.identifier == doc.meta.reference
    assert props.created.replace(tzinfo=None) == props.modified.replace(tzinfo=None) == midnight
    assert props.revision == 1
    assert "python-docx" not in (props.comments or "")


def test_package_has_no_template_leftovers(docx_cache):
    pkg = Package(docx_cache.data(("handbook", LANGS[0], None)))
    names = set(pkg.zip.namelist())
    assert not any(n.startswith(("customXml/", "docProps/thumbnail")) for n in names)
    assert "word/stylesWithEffects.xml" not in names
    assert b"Microsoft" not in pkg.zip.read("docProps/app.xml")


@pytest.mark.parametrize("draft", [True, False])
@pytest.mark.parametrize("kind", ["factsheet", "handbook"])
@pytest.mark.parametrize("lang", LANGS)
def test_draft_watermark_in_every_header_iff_draft(docx_cache, lang, kind, draft):
    key = (kind, lang, TOPICS[0] if kind == "factsheet" else None)
    doc = docx_cache.doc(key, draft=draft)
    pkg = Package(docx_cache.data(key, draft=draft))
    headers = pkg.parts("word/header")
    if kind == "factsheet" and not draft:
        assert headers == {}
    for name, header in headers.items():
        shapes = header.findall(".//v:shape", NS)
        if draft:
            assert len(shapes) == 1, name
            assert shapes[0].get("id").startswith("PowerPlusWaterMarkObject")
            assert shapes[0].find("v:textpath", NS).get("string") == doc.labels["draft_mark"]
        else:
            assert shapes == [], name
    if draft:
        ids = [s.get("id") for h in headers.values() for s in h.findall(".//v:shape", NS)]
        assert len(ids) == len(set(ids)) >= 1
        # Every section has a header for every kind of page it shows.
        file = docx.Document(io.BytesIO(docx_cache.data(key, draft=draft)))
        first = file.sections[0]
        assert not first.header.is_linked_to_previous
        if kind == "handbook":
            assert not first.first_page_header.is_linked_to_previous
            assert not first.even_page_header.is_linked_to_previous


@pytest.mark.parametrize("kind", ["factsheet", "handbook"])
def test_margins_are_the_pdfs(docx_cache, kind):
    """Both formats take their page margins from the document (branding.yaml)."""
    doc = docx_cache.doc((kind, LANGS[0], TOPICS[0] if kind == "factsheet" else None))
    m = doc.margins
    assert (m.top, m.bottom, m.inner, m.outer) == ((15, 21, 16, 16) if kind == "factsheet" else (15, 21, 21, 16))
    assert f"margin: {m.top:.2f}mm {m.outer:.2f}mm {m.bottom:.2f}mm {m.inner:.2f}mm" in document_css(doc)
    margins = margins_of(doc)
    assert (margins.top, margins.bottom, margins.inner, margins.outer) == (m.top, m.bottom, m.inner, m.outer)
    assert margins.mirror == (kind == "handbook")


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("kind", ["factsheet", "handbook"])
def test_paper_and_margins_in_every_section(docx_cache, kind, paper):
    key = (kind, LANGS[-1], TOPICS[-1] if kind == "factsheet" else None)
    pkg = Package(docx_cache.data(key, paper=paper))
    width, height = PAPER_MM[paper]
    margins = margins_of(docx_cache.doc(key))
    sections = pkg.document.findall(".//w:sectPr", NS)
    assert len(sections) == (1 if kind == "factsheet" else 2 + len(docx_cache.doc(key).chapters))
    for sect in sections:
        size = sect.find("w:pgSz", NS)
        assert (int(size.get(w("w"))), int(size.get(w("h")))) == (twips(width), twips(height))
        mar = sect.find("w:pgMar", NS)
        assert int(mar.get(w("left"))) == twips(margins.inner)
        assert int(mar.get(w("right"))) == twips(margins.outer)
        assert int(mar.get(w("top"))) == twips(margins.top)
        assert int(mar.get(w("bottom"))) == twips(margins.bottom)
    if paper == "letter":
        assert (twips(width), twips(height)) == (12240, 15840)


# --- reproducibility --------------------------------------------------------------------------

RENDER_IN_SUBPROCESS = """
import hashlib, sys
from pathlib import Path
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.content.project import load_project
from pipeline.render.docx import render_docx
project = load_project(Path(sys.argv[1]))
kind, lang, topic = sys.argv[2:5]
doc = (compose_handbook(project, lang) if kind == "handbook"
       else compose_factsheet(project, lang, topic))
print(hashlib.sha256(render_docx(doc)).hexdigest())
"""


@pytest.mark.parametrize("key", [("handbook", LANGS[-1], None), ("factsheet", LANGS[0], TOPICS[0])],
                         ids=ident)
def test_same_document_gives_the_same_bytes_in_another_process(docx_cache, key):
    data = docx_cache.data(key)
    assert render_docx(docx_cache.doc(key)) == data
    out = subprocess.run(
        [sys.executable, "-c", RENDER_IN_SUBPROCESS, str(CONTENT), key[0], key[1], key[2] or "-"],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )
    assert out.stdout.strip() == hashlib.sha256(data).hexdigest()
    date = docx_cache.doc(key).meta.date
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        assert [i.filename for i in infos[:2]] == ["[Content_Types].xml", "_rels/.rels"]
        assert {i.date_time for i in infos} == {(date.year, date.month, date.day, 0, 0, 0)}


def test_drafts_and_papers_change_the_bytes(docx_cache):
    key = ("factsheet", LANGS[0], TOPICS[0])
    variants = {docx_cache.data(key), docx_cache.data(key, draft=True), docx_cache.data(key, paper="letter")}
    assert len(variants) == 3


# --- LibreOffice ---------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) or pdftotext not installed; `make deps-test` installs them",
)


def squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def foot_number(layout_page: str) -> str:
    """The page number a page prints in its foot (pdftotext -layout): at the start of
    the last line on a left page, at its end on a right page."""
    foot = [line for line in layout_page.splitlines() if line.strip()][-1].strip()
    match = re.match(r"(\d+)\s", foot) or re.search(r"\s(\d+)$", foot)
    assert match, foot
    return match.group(1)


def stored_toc_pages(data: bytes) -> list[int]:
    """The page numbers stored in the contents (the renderer's estimate)."""
    return [int(fields(p.find("w:hyperlink", NS))[0][1])
            for p in body_paragraphs(Package(data)) if style_of(p) == "TOC1"]


@needs_soffice
def test_libreoffice_opens_and_lays_out_the_documents(docx_cache, libreoffice_pdf, tmp_path):
    keys = ([("handbook", lang, None) for lang in LANGS] + [("factsheet", lang, TOPICS[0]) for lang in LANGS]
            + [("recto-handbook", "fr", None), ("long-factsheet", "en", None)])
    names = {}
    for key in keys:
        path = tmp_path / f"{ident(key)}.docx"
        path.write_bytes(docx_cache.data(key))
        names[key] = path
    out = tmp_path / "pdf"
    libreoffice_pdf(list(names.values()), out)
    for key, path in names.items():
        pdf = out / (path.stem + ".pdf")
        assert pdf.exists(), f"LibreOffice did not convert {path.name}"
        page_texts = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout.split("\f")[:-1]
        layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout.split("\f")[:-1]
        text = squash(" ".join(page_texts))
        pages = len(page_texts)
        doc = docx_cache.doc(key)
        for chapter in doc.chapters:
            assert squash(chapter.title) in text, (path.name, chapter.title)
            assert squash(model.plain(chapter.lead)) in text
        page_of = doc.labels["page_of"]
        if key[0] == "factsheet":
            # A one-page factsheet: no "Page 1 of 1".
            assert pages == 1
            assert squash(page_of.format(page=1, pages=1)) not in text
            assert not page_of_pattern(page_of).search(text)
        elif key[0] == "long-factsheet":
            # PAGE and NUMPAGES were computed by LibreOffice, in the label's words.
            assert pages > 1
            for number, page in enumerate(page_texts, start=1):
                assert squash(page_of.format(page=number, pages=pages)) in squash(page), number
        else:
            assert squash(doc.labels["contents"]) in text
            # The contents' stored page numbers (the renderer's estimate) are the page
            # numbers LibreOffice prints on the chapters' opening pages, in either
            # chapter_start mode (its PDF export leaves out the blank pages `recto` makes,
            # so the number printed in the foot is the one to compare).
            opened = [next(n for n, page in enumerate(page_texts) if squash(page).startswith(
                f"{i:02d} {squash(ch.title)}")) for i, ch in enumerate(doc.chapters, start=1)]
            printed = [int(foot_number(layout[n])) for n in opened]
            assert stored_toc_pages(docx_cache.data(key)) == printed, path.name
            if doc.chapter_start == "page":  # cover, imprint, foreword, contents, one page a chapter
                assert pages == 4 + len(doc.chapters)
                # Page numbers on the outer edge: first on left (even) pages, last on right.
                for number, page in enumerate(layout[1:pages], start=2):
                    foot = [line for line in page.splitlines() if line.strip()][-1].strip()
                    edge = foot.split()[0] if number % 2 == 0 else foot.split()[-1]
                    assert edge == str(number), (path.name, number, foot)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        for family in doc.branding["fonts"].values():
            assert family.replace(" ", "") in fonts, f"{family} not used in {path.name}:\n{fonts}"


BOX_STYLES = {"CalloutLabel", "CalloutTitle", "CalloutBody", "KeyFigureLabel", "KeyFigure", "KeyFigureText",
              "Quote", "Caption"}
BOX_STARTS = {"CalloutLabel", "KeyFigureLabel", "Quote"}


@pytest.mark.parametrize("key", ALL, ids=ident)
def test_adjacent_callouts_stay_separate_boxes(docx_cache, key):
    """Paragraphs with the same borders merge into one box, so a call-out that follows
    another straight away needs the gap paragraph between them."""
    styles = [style_of(p) for p in body_paragraphs(Package(docx_cache.data(key)))]
    for before, after in itertools.pairwise(styles):
        if after in BOX_STARTS:
            assert before not in BOX_STYLES, (before, after)
    if key[0].startswith("rich"):
        assert "CalloutGap" in styles
