"""Turn validated content into document models, applying typography once for all formats."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from pipeline.content import model, schema
from pipeline.content.project import Language, Project
from pipeline.render.typography import Typographer, parse_inline, strip_bidi_controls

NO_BREAK_SPACE = "\u00a0"
# Keywords are separated by a comma, in whichever script the language writes it:
# , (Latin), ، (Arabic), 、 and ， (ideographic, full-width).
_LIST_SEPARATOR = re.compile("[,\u060c\u3001\uff0c]")


class _Composer:
    """Builds the model objects of one language, with its typography."""

    def __init__(self, project: Project, language: Language):
        self.project = project
        self.language = language
        self.typo = Typographer(language.strings.typography, language.strings.direction)

    def text(self, value: str) -> str:
        return self.typo.isolate(self.typo(value))

    def inline(self, value: str) -> model.Inline:
        # Latin runs inside right-to-left text are isolated (a no-op for left-to-right languages).
        return tuple(replace(span, text=self.typo.isolate(span.text)) for span in parse_inline(value, self.typo))

    def optional(self, value: str | None) -> model.Inline | None:
        return self.inline(value) if value is not None else None

    def paragraph(self, value: str) -> model.Paragraph:
        return model.Paragraph(self.inline(value))

    def block(self, raw: object) -> model.Block:
        if isinstance(raw, str):
            return self.paragraph(raw)
        if isinstance(raw, schema.ListBlock):
            body = raw.list
            intro = self.inline(body.intro) if body.intro else None
            return model.BulletList(intro, tuple(self.inline(item) for item in body.items))
        if isinstance(raw, schema.FocusBlock):
            return model.Focus(self.inline(raw.focus.title), tuple(self.paragraph(p) for p in raw.focus.body))
        if isinstance(raw, schema.QuoteBlock):
            quote = raw.quote
            return model.Quote(self.inline(quote.text), self.optional(quote.attribution), self.optional(quote.source))
        if isinstance(raw, schema.KeyFigureBlock):
            kf = raw.key_figure
            return model.KeyFigure(self.inline(kf.value), self.inline(kf.text), self.optional(kf.source))
        if isinstance(raw, schema.FigureBlock):
            fig = raw.figure
            return model.Figure(self.asset(fig.src), self.text(fig.alt), self.optional(fig.caption),
                                self.optional(fig.credit), fig.width)
        if isinstance(raw, schema.TableBlock):
            table = raw.table
            align = tuple(table.align or ["start"] * len(table.header))
            return model.Table(self.inline(table.caption), tuple(self.inline(h) for h in table.header),
                               tuple(tuple(self.inline(cell) for cell in row) for row in table.rows), align)
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

    def blocks(self, raws: list) -> tuple[model.Block, ...]:
        return tuple(self.block(raw) for raw in raws)

    def chapter(self, topic_id: str, holds: Collection[str] | None = None) -> model.Chapter:
        """One topic's chapter; `holds` names the topics of a pack (None: every topic the
        document refers to has its chapter in it, or, in a factsheet, does not matter)."""
        topic = self.language.topics[topic_id]
        anchor = f"topic-{topic_id}"
        sections = []
        for s, section in enumerate(topic.sections, start=1):
            subs = tuple(
                model.Section(self.inline(sub.heading), f"{anchor}-s{s}-{u}", self.blocks(sub.blocks))
                for u, sub in enumerate(section.subsections, start=1)
            )
            sections.append(
                model.Section(self.inline(section.heading), f"{anchor}-s{s}", self.blocks(section.blocks), subs)
            )
        related = tuple(self.related(rid, holds) for rid in topic.related)
        return model.Chapter(
            topic_id=topic_id,
            anchor=anchor,
            title=self.text(topic.title),
            lead=self.inline(topic.lead),
            intro=self.blocks(topic.intro),
            sections=tuple(sections),
            related=related,
            reference=reference_code(self.project, "factsheet", topic_id),
        )

    def related(self, topic_id: str, holds: Collection[str] | None) -> model.RelatedRef:
        """A related crime area: its chapter's anchor, or, outside a pack, no anchor (so no
        page number, never a wrong one) and its factsheet's published address, if any."""
        title = self.text(self.language.topics[topic_id].title)
        if holds is None or topic_id in holds:
            return model.RelatedRef(topic_id, title, f"topic-{topic_id}")
        return model.RelatedRef(topic_id, title, None, factsheet_address(self.project, self.language.code, topic_id))

    def edition_label(self) -> str:
        date = self.project.edition.edition_date
        fmt = self.language.strings.date
        return fmt.format.format(month=fmt.months[date.month - 1], year=date.year, day=date.day)

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
        return model.Credits(contact=front.contact,
                             source=self.text(front.source) if front.source else None)

    def labels(self) -> dict[str, str]:
        labels = {name: self.typo(value) for name, value in self.language.strings.labels}
        # A page reference ("p. 21") never breaks between its words and its number.
        labels["page_ref"] = labels["page_ref"].replace(" ", NO_BREAK_SPACE)
        return labels

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
    return model.Document(
        kind="factsheet",
        meta=c.meta(chapter.title, model.plain(chapter.lead), chapter.reference),
        labels=labels,
        branding=c.branding(),
        margins=c.margins("factsheet"),
        chapters=(chapter,),
        layout=layout or model.Layout(),
        credits=c.credits(),
        templates=project.template_override,
        logo=c.logo(),
    )


def compose_handbook(project: Project, lang: str, layout: model.Layout | None = None) -> model.Document:
    """The model of the combined handbook in one language, chapters in edition order."""
    c = _Composer(project, project.languages[lang])
    front = c.language.front
    return _book(c, front.title, front.subtitle, front.foreword, project.topic_ids,
                 reference_code(project, "handbook"), None, layout)


def compose_pack(project: Project, lang: str, pack_id: str, layout: model.Layout | None = None) -> model.Document:
    """The model of a briefing pack in one language: a handbook of the pack's topics, in
    the pack's order, under its own title, subtitle, foreword (none if it has none) and
    reference code. A related crime area outside the pack gets no page reference."""
    c = _Composer(project, project.languages[lang])
    words = c.language.strings.packs[pack_id]
    topics = project.pack_entry(pack_id).topics
    assert words.title is not None and words.subtitle is not None, "checked by pipeline.content.packs"
    return _book(c, words.title, words.subtitle, words.foreword, topics,
                 reference_code(project, "pack", pack_id), frozenset(topics), layout)


def _book(c: _Composer, title: str, subtitle: str, foreword: list[str], topics: list[str], reference: str,
          holds: frozenset[str] | None, layout: model.Layout | None) -> model.Document:
    """A handbook-kind document: cover, imprint, foreword, contents and the chapters of
    `topics` (the whole handbook, or a pack: `holds` then names the pack's topics)."""
    front_src = c.language.front
    front = model.FrontMatter(
        title=c.text(title),
        subtitle=c.text(subtitle),
        organisation=c.text(front_src.organisation),
        unit=c.text(front_src.unit),
        foreword=tuple(c.paragraph(p) for p in foreword),
    )
    return model.Document(
        kind="handbook",
        meta=c.meta(front.title, front.subtitle, reference),
        labels=c.labels(),
        branding=c.branding(),
        margins=c.margins("handbook"),
        chapters=tuple(c.chapter(topic_id, holds) for topic_id in topics),
        front=front,
        layout=layout or model.Layout(),
        credits=c.credits(),
        chapter_start=c.project.edition.chapter_start,
        templates=c.project.template_override,
        logo=c.logo(),
    )
