"""Turn validated content into document models, applying typography once for all formats."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import replace

from pipeline.content import model, schema
from pipeline.content.fingerprints import FRONT_DOC, STRINGS_DOC, approvals
from pipeline.content.loader import Loc
from pipeline.content.project import Language, Project
from pipeline.render.typography import Typographer, parse_inline, strip_bidi_controls

NO_BREAK_SPACE = "\u00a0"
CONTACT_PATH = ("contact",)
# Keywords are separated by a comma, in whichever script the language writes it:
# , (Latin), ، (Arabic), 、 and ， (ideographic, full-width).
_LIST_SEPARATOR = re.compile("[,\u060c\u3001\uff0c]")


class _Composer:
    """Builds the model objects of one language, with its typography."""

    def __init__(self, project: Project, language: Language):
        self.project = project
        self.language = language
        self.typo = Typographer(language.strings.typography, language.strings.direction)
        self.doc = FRONT_DOC  # the document whose texts are being composed (a topic id in a chapter)

    # Every text is composed with `at`, its path in the YAML of the document being composed
    # (`self.doc`), which it carries as its `model.Origin` (the DOCX anchors it).

    def text(self, value: str, at: Loc | None = None, doc: str | None = None) -> str:
        text = self.typo.isolate(self.typo(value))
        return text if at is None else model.SourcedText(text, model.Origin(doc or self.doc, at))

    def inline(self, value: str, at: Loc | None = None) -> model.Inline:
        """The spans of `value`; with `at` (its field path) they carry their origin."""
        # Latin runs inside right-to-left text are isolated (a no-op for left-to-right languages).
        spans = (replace(span, text=self.typo.isolate(span.text)) for span in parse_inline(value, self.typo))
        return tuple(spans) if at is None else model.SourcedInline(spans, model.Origin(self.doc, at))

    def optional(self, value: str | None, at: Loc) -> model.Inline | None:
        return self.inline(value, at) if value is not None else None

    def paragraph(self, value: str, at: Loc) -> model.Paragraph:
        return model.Paragraph(self.inline(value, at))

    def block(self, raw: object, at: Loc) -> model.Block:
        if isinstance(raw, str):
            return self.paragraph(raw, at)
        if isinstance(raw, schema.ListBlock):
            body, at = raw.list, (*at, "list")
            intro = self.inline(body.intro, (*at, "intro")) if body.intro else None
            return model.BulletList(intro, tuple(self.inline(item, (*at, "items", i))
                                                 for i, item in enumerate(body.items)))
        if isinstance(raw, schema.FocusBlock):
            focus, at = raw.focus, (*at, "focus")
            return model.Focus(self.inline(focus.title, (*at, "title")),
                               tuple(self.paragraph(p, (*at, "body", i)) for i, p in enumerate(focus.body)))
        if isinstance(raw, schema.QuoteBlock):
            quote, at = raw.quote, (*at, "quote")
            return model.Quote(self.inline(quote.text, (*at, "text")),
                               self.optional(quote.attribution, (*at, "attribution")),
                               self.optional(quote.source, (*at, "source")))
        if isinstance(raw, schema.KeyFigureBlock):
            kf, at = raw.key_figure, (*at, "key_figure")
            return model.KeyFigure(self.inline(kf.value, (*at, "value")), self.inline(kf.text, (*at, "text")),
                                   self.optional(kf.source, (*at, "source")))
        if isinstance(raw, schema.FigureBlock):
            fig, at = raw.figure, (*at, "figure")
            return model.Figure(self.asset(fig.src), self.text(fig.alt, (*at, "alt")),
                                self.optional(fig.caption, (*at, "caption")),
                                self.optional(fig.credit, (*at, "credit")), fig.width)
        if isinstance(raw, schema.TableBlock):
            table, at = raw.table, (*at, "table")
            align = tuple(table.align or ["start"] * len(table.header))
            header = tuple(self.inline(h, (*at, "header", c)) for c, h in enumerate(table.header))
            rows = tuple(tuple(self.inline(cell, (*at, "rows", r, c)) for c, cell in enumerate(row))
                         for r, row in enumerate(table.rows))
            return model.Table(self.inline(table.caption, (*at, "caption")), header, rows, align)
        raise TypeError(f"unknown block {raw!r}")

    def asset(self, src: str) -> model.Asset:
        """A picture checked at load time, in this language's version."""
        return self.project.assets[(self.language.code, src)]

    def logo(self) -> model.Logo | None:
        src = self.project.branding.logo
        if src is None:
            return None
        alt = self.text(self.language.strings.labels.logo).replace("{organisation}", self.text(
            self.language.front.organisation))
        return model.Logo(self.asset(src), alt)

    def blocks(self, raws: list, at: Loc) -> tuple[model.Block, ...]:
        return tuple(self.block(raw, (*at, i)) for i, raw in enumerate(raws))

    def chapter(self, topic_id: str, holds: Collection[str] | None = None) -> model.Chapter:
        """One topic's chapter; `holds` names the topics of a pack (None: every topic the
        document refers to has its chapter in it, or, in a factsheet, does not matter)."""
        topic = self.language.topics[topic_id]
        self.doc = topic_id
        anchor = f"topic-{topic_id}"
        sections = []
        for s, section in enumerate(topic.sections, start=1):
            at = ("sections", s - 1)
            subs = tuple(
                model.Section(self.inline(sub.heading, (*at, "subsections", u - 1, "heading")),
                              f"{anchor}-s{s}-{u}", self.blocks(sub.blocks, (*at, "subsections", u - 1, "blocks")))
                for u, sub in enumerate(section.subsections, start=1)
            )
            sections.append(
                model.Section(self.inline(section.heading, (*at, "heading")), f"{anchor}-s{s}",
                              self.blocks(section.blocks, (*at, "blocks")), subs)
            )
        related = tuple(self.related(rid, holds) for rid in topic.related)
        return model.Chapter(
            topic_id=topic_id,
            anchor=anchor,
            title=self.text(topic.title, ("title",)),
            lead=self.inline(topic.lead, ("lead",)),
            intro=self.blocks(topic.intro, ("intro",)),
            sections=tuple(sections),
            related=related,
            reference=reference_code(self.project, "factsheet", topic_id),
        )

    def related(self, topic_id: str, holds: Collection[str] | None) -> model.RelatedRef:
        """A related crime area: its chapter's anchor, or, outside a pack, no anchor (so no
        page number, never a wrong one) and its factsheet's published address, if any."""
        title = self.text(self.language.topics[topic_id].title, ("title",), topic_id)
        if holds is None or topic_id in holds:
            return model.RelatedRef(topic_id, title, f"topic-{topic_id}")
        return model.RelatedRef(topic_id, title, None, factsheet_address(self.project, self.language.code, topic_id))

    def edition_label(self) -> str:
        return date_label(self.language.strings, self.project.edition.edition_date)

    def meta(self, title: str, subject: str, reference: str) -> model.Meta:
        strings = self.language.strings
        edition = self.project.edition
        keywords = tuple(k.strip() for k in _LIST_SEPARATOR.split(self.typo(strings.labels.keywords)) if k.strip())
        # Metadata is read by machines (PDF Info, XMP, DOCX core properties): no isolates.
        return model.Meta(
            title=strip_bidi_controls(title),
            subject=strip_bidi_controls(subject),
            author=self.typo(self.language.front.organisation),
            keywords=keywords,
            lang=strings.language,
            locale=strings.locale,
            date=edition.edition_date,
            edition_label=self.edition_label(),
            reference=reference,
            classification=self.typo(strings.classification[edition.classification]),
            status=self.typo(strings.status[edition.status]),
            draft=edition.status == "draft",
            direction=strings.direction,
        )

    def credits(self) -> model.Credits:
        front = self.language.front
        contact = self.contact(front.contact) if front.contact else None
        return model.Credits(contact=contact,
                             source=self.text(front.source, ("source",), FRONT_DOC) if front.source else None)

    @staticmethod
    def contact(value: str) -> model.SourcedText:
        """The contact is an address, printed as typed: no typography, but an origin."""
        return model.SourcedText(value, model.Origin(FRONT_DOC, CONTACT_PATH))

    def labels(self) -> dict[str, str]:
        labels = {name: self.typo(value) for name, value in self.language.strings.labels}
        # A page reference ("p. 21") never breaks between its words and its number.
        labels["page_ref"] = labels["page_ref"].replace(" ", NO_BREAK_SPACE)
        return labels

    def approvals(self, kind: str, docs: list[str], layout: model.Layout) -> dict[str, object]:
        """The current sign-offs of the document's text (its documents `docs`), where they
        are printed or recorded: archive files (XMP) and, when the edition asks, a
        handbook's imprint. Other files leave them out, so that a sign-off rebuilds nothing else."""
        imprint = kind == "handbook" and self.project.edition.imprint.approval
        if layout.variant != "archive" and not imprint:
            return {}
        label = self.text(self.language.strings.editions.approved)

        def line(signoff: schema.SignOff) -> str:
            # The date as recorded (ISO 8601): typography would turn its hyphens into dashes.
            return label.format(role=self.text(signoff.role or signoff.by), date=signoff.date.isoformat())

        found = approvals(self.project, self.language.code, docs, line)
        return {"approvals": found, "imprint_approval": imprint}

    def margins(self, kind: str) -> model.PageMargins:
        m = getattr(self.project.branding.margins, kind)
        return model.PageMargins(top=m.top, bottom=m.bottom, inner=m.inner, outer=m.outer)

    def branding(self) -> dict[str, dict[str, str]]:
        brand = self.project.branding
        fonts = {"body": brand.fonts.body, "heading": brand.fonts.heading}
        branding = {"colours": dict(brand.colours), "fonts": fonts}
        own = brand.fonts.by_language.get(self.language.code)
        if own is not None:
            branding["script_fonts"] = {"body": own.body, "heading": own.heading}
        return branding


def inline_composer(project: Project, lang: str):
    """A function that turns a text of `lang` into the model's inline spans, with the
    language's typography, exactly as a document's text is composed (for a redline's
    old text)."""
    return _Composer(project, project.languages[lang]).inline


def date_label(strings: schema.Strings, date: dt.date) -> str:
    """An edition date in a language's words ("November 2026"), as printed on every document."""
    fmt = strings.date
    return fmt.format.format(month=fmt.months[date.month - 1], year=date.year, day=date.day)


def reference_code(project: Project, kind: str, topic_id: str | None = None) -> str:
    """`COM/FS/2026-11/COR-01`: unit, series, year-month, area code, revision. A pack
    (`topic_id` is then the pack's id) is in the handbook series, with its own code."""
    edition = project.edition
    if kind == "factsheet" and topic_id:
        entry: schema.TopicEntry | schema.HandbookEntry | schema.PackEntry = project.topic_entry(topic_id)
    elif kind == "pack" and topic_id:
        entry = project.pack_entry(topic_id)
    else:
        entry = edition.handbook
    series = edition.series.factsheet if kind == "factsheet" else edition.series.handbook
    month = f"{edition.edition_date.year}-{edition.edition_date.month:02d}"
    return f"{edition.unit}/{series}/{month}/{entry.code}-{entry.revision:02d}"


def factsheet_address(project: Project, lang: str, topic_id: str) -> str | None:
    """Where a topic's factsheet is published (edition.yaml `factsheet_address`), if anywhere."""
    pattern = project.edition.factsheet_address
    if pattern is None:
        return None
    code = project.topic_entry(topic_id).code
    return pattern.replace("{id}", topic_id).replace("{lang}", lang).replace("{code}", code)


def compose_factsheet(project: Project, lang: str, topic_id: str,
                      layout: model.Layout | None = None) -> model.Document:
    """The model of one topic's factsheet in one language."""
    c = _Composer(project, project.languages[lang])
    chapter = c.chapter(topic_id)
    labels = c.labels()
    layout = layout or model.Layout()
    return model.Document(
        kind="factsheet",
        meta=c.meta(chapter.title, model.plain(chapter.lead), chapter.reference),
        labels=labels,
        branding=c.branding(),
        margins=c.margins("factsheet"),
        chapters=(chapter,),
        layout=layout,
        credits=c.credits(),
        templates=project.template_override,
        logo=c.logo(),
        **c.approvals("factsheet", [STRINGS_DOC, topic_id], layout),
    )


def compose_handbook(project: Project, lang: str, layout: model.Layout | None = None) -> model.Document:
    """The model of the combined handbook in one language, chapters in edition order."""
    c = _Composer(project, project.languages[lang])
    front = c.language.front
    return _book(c, front.title, front.subtitle, front.foreword, project.topic_ids,
                 reference_code(project, "handbook"), None, layout, (FRONT_DOC, ()))


def compose_pack(project: Project, lang: str, pack_id: str, layout: model.Layout | None = None) -> model.Document:
    """The model of a briefing pack in one language: a handbook of the pack's topics, in
    the pack's order, under its own title, subtitle, foreword (none if it has none) and
    reference code. A related crime area outside the pack gets no page reference."""
    c = _Composer(project, project.languages[lang])
    words = c.language.strings.packs[pack_id]
    topics = project.pack_entry(pack_id).topics
    assert words.title is not None and words.subtitle is not None, "checked by pipeline.content.packs"
    return _book(c, words.title, words.subtitle, words.foreword, topics,
                 reference_code(project, "pack", pack_id), frozenset(topics), layout,
                 (STRINGS_DOC, ("packs", pack_id)))


def _book(c: _Composer, title: str, subtitle: str, foreword: list[str], topics: list[str], reference: str,
          holds: frozenset[str] | None, layout: model.Layout | None, words_at: tuple[str, Loc]) -> model.Document:
    """A handbook-kind document: cover, imprint, foreword, contents and the chapters of
    `topics` (the whole handbook, or a pack: `holds` then names the pack's topics).
    `words_at` is where its title, subtitle and foreword come from (document, path)."""
    layout = layout or model.Layout()
    front_src = c.language.front
    c.doc, base = words_at
    front = model.FrontMatter(
        title=c.text(title, (*base, "title")),
        subtitle=c.text(subtitle, (*base, "subtitle")),
        organisation=c.text(front_src.organisation, ("organisation",), FRONT_DOC),
        unit=c.text(front_src.unit, ("unit",), FRONT_DOC),
        foreword=tuple(c.paragraph(p, (*base, "foreword", i)) for i, p in enumerate(foreword)),
    )
    return model.Document(
        kind="handbook",
        meta=c.meta(front.title, front.subtitle, reference),
        labels=c.labels(),
        branding=c.branding(),
        margins=c.margins("handbook"),
        chapters=tuple(c.chapter(topic_id, holds) for topic_id in topics),
        front=front,
        layout=layout,
        credits=c.credits(),
        chapter_start=c.project.edition.chapter_start,
        templates=c.project.template_override,
        logo=c.logo(),
        **c.approvals("handbook", [STRINGS_DOC, FRONT_DOC, *topics], layout),
    )


class FieldComposer:
    """Single texts of one language composed exactly as in its documents.

    What a text written back into the YAML (a reviewed DOCX, `pipeline review --apply`)
    will print as: `compose(raw, like)` composes `raw` the way the model text `like`
    was composed (inline markup or plain text, the contact as typed).
    """

    def __init__(self, project: Project, lang: str):
        self._composer = _Composer(project, project.languages[lang])

    def __call__(self, raw: str, like: object) -> object:
        origin = model.origin_of(like)
        if origin is None:
            raise ValueError("only a text with an origin can be composed again")
        if origin == model.Origin(FRONT_DOC, CONTACT_PATH):
            return self._composer.contact(raw)
        if isinstance(like, model.SourcedText):
            return self._composer.text(raw, origin.path, origin.doc)
        self._composer.doc = origin.doc
        return self._composer.inline(raw, origin.path)
