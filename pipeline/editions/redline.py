"""The redline PDF: the changed documents as they now stand, their changes marked.

A redline is the handbook's own document model (`compose_handbook`), rendered by the
same templates and stylesheets, with three differences a reviewer needs:

* only the chapters that changed (or are new), and the foreword if it changed;
* each changed text marked word by word in the model (`Span.change`): insertions
  underlined in colour, deletions struck through in another, removed blocks shown
  struck where they were, and a change bar in the outer margin beside each marked
  line, drawn after the layout (pikepdf) from where WeasyPrint placed the marks;
* instead of cover, imprint and contents, a first page that lists every change with
  a link (and page number) to it, "Changes since <edition>" as running head, title and
  watermark. It is a screen PDF: no PDF/X or PDF/A claim, never a release file.

Everything it prints comes from the content and the language's `editions:` labels.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.content import model
from pipeline.content.fingerprints import FRONT_DOC
from pipeline.content.loader import Loc
from pipeline.content.project import Project
from pipeline.editions.changes import Changes, title_of
from pipeline.editions.diff import ADDED, CHANGED, REMOVED, FieldChange
from pipeline.files.output import write_atomic
from pipeline.render.compose import compose_handbook, date_label, inline_composer

# Redline colours: a blue for what is new, a red for what went, as reviewers expect.
INS_COLOUR = "#1F5FBF"
DEL_COLOUR = "#C0392B"
BAR_WIDTH_PT = 2.0
BAR_GAP_MM = 3.0  # between the text's outer edge and the bar

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


# --- marking the model ---------------------------------------------------------------------


def mark(old: model.Inline, new: model.Inline, anchor: str | None = None) -> model.Inline:
    """`new` with the words that differ from `old` marked: deleted words (from `old`,
    keeping their emphasis) struck, inserted ones underlined; `anchor` on the first mark."""
    import difflib

    a, b = _tokens(old), _tokens(new)
    out: list[model.Span] = []
    matcher = difflib.SequenceMatcher(None, [t.text for t in a], [t.text for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += b[j1:j2]
            continue
        out += [replace(span, change="del") for span in a[i1:i2]]
        out += [replace(span, change="ins") for span in b[j1:j2]]
    return _with_anchor(_merge(out), anchor)


def whole(spans: model.Inline, change: str, anchor: str | None = None) -> model.Inline:
    """Every span of `spans` marked `change` (a new or a removed text)."""
    return _with_anchor(tuple(replace(s, change=change) for s in spans), anchor)  # type: ignore[arg-type]


def _tokens(spans: model.Inline) -> list[model.Span]:
    return [replace(span, text=token) for span in spans for token in _TOKEN.findall(span.text)]


def _merge(spans: list[model.Span]) -> model.Inline:
    out: list[model.Span] = []
    for span in spans:
        if out and replace(out[-1], text="") == replace(span, text=""):
            out[-1] = replace(out[-1], text=out[-1].text + span.text)
        else:
            out.append(span)
    return tuple(out)


def _with_anchor(spans: model.Inline, anchor: str | None) -> model.Inline:
    if anchor is None:
        return spans
    for k, span in enumerate(spans):
        if span.change is not None:
            return (*spans[:k], replace(span, anchor=anchor), *spans[k + 1:])
    return spans


Marker = Callable[[model.Inline], model.Inline]


def update_chapter(chapter: model.Chapter, path: Loc, fn: Marker) -> model.Chapter | None:
    """`chapter` with the inline text at a topic field's `path` passed through `fn`;
    None when the path names no inline text of the model (a title, a figure's file)."""
    head, rest = path[0], path[1:]
    if head == "lead" and not rest:
        return replace(chapter, lead=fn(chapter.lead))
    if head == "intro" and rest and isinstance(rest[0], int):
        blocks = _update_blocks(chapter.intro, rest, fn)
        return None if blocks is None else replace(chapter, intro=blocks)
    if head == "sections" and rest and isinstance(rest[0], int) and rest[0] < len(chapter.sections):
        section = _update_section(chapter.sections[rest[0]], rest[1:], fn)
        if section is None:
            return None
        sections = list(chapter.sections)
        sections[rest[0]] = section
        return replace(chapter, sections=tuple(sections))
    return None


def _update_section(section: model.Section, path: Loc, fn: Marker) -> model.Section | None:
    if path == ("heading",):
        return replace(section, heading=fn(section.heading))
    if path[:1] == ("blocks",) and len(path) > 1:
        blocks = _update_blocks(section.blocks, path[1:], fn)
        return None if blocks is None else replace(section, blocks=blocks)
    if path[:1] == ("subsections",) and len(path) > 2 and isinstance(path[1], int) \
            and path[1] < len(section.subsections):
        sub = _update_section(section.subsections[path[1]], path[2:], fn)
        if sub is None:
            return None
        subs = list(section.subsections)
        subs[path[1]] = sub
        return replace(section, subsections=tuple(subs))
    return None


def _update_blocks(blocks: tuple[model.Block, ...], path: Loc, fn: Marker) -> tuple[model.Block, ...] | None:
    index, rest = path[0], path[1:]
    if not isinstance(index, int) or index >= len(blocks):
        return None
    block = _update_block(blocks[index], rest, fn)
    if block is None:
        return None
    return (*blocks[:index], block, *blocks[index + 1:])


def _update_block(block: model.Block, path: Loc, fn: Marker) -> model.Block | None:
    """One block with the inline text at `path` (inside the block's YAML) marked."""
    def item(values: tuple, k: Any, wrap=lambda x: x, unwrap=lambda x: x) -> tuple | None:
        if not isinstance(k, int) or k >= len(values):
            return None
        return (*values[:k], wrap(fn(unwrap(values[k]))), *values[k + 1:])

    if isinstance(block, model.Paragraph) and path == ():
        return replace(block, spans=fn(block.spans))
    tail = path[1:]
    if isinstance(block, model.BulletList):
        if tail == ("intro",) and block.intro is not None:
            return replace(block, intro=fn(block.intro))
        if tail[:1] == ("items",) and len(tail) == 2:
            items = item(block.items, tail[1])
            return None if items is None else replace(block, items=items)
    if isinstance(block, model.Focus):
        if tail == ("title",):
            return replace(block, title=fn(block.title))
        if tail[:1] == ("body",) and len(tail) == 2:
            body = item(block.body, tail[1], wrap=model.Paragraph, unwrap=lambda p: p.spans)
            return None if body is None else replace(block, body=body)
    named = {model.Quote: {"text": "spans", "attribution": "attribution", "source": "source"},
             model.KeyFigure: {"value": "value", "text": "text", "source": "source"},
             model.Figure: {"caption": "caption", "credit": "credit"},
             model.Table: {"caption": "caption"}}.get(type(block), {})
    if len(tail) == 1 and tail[0] in named and getattr(block, named[tail[0]]) is not None:
        attr = named[tail[0]]
        return replace(block, **{attr: fn(getattr(block, attr))})
    if isinstance(block, model.Table) and tail[:1] == ("header",) and len(tail) == 2:
        header = item(block.header, tail[1])
        return None if header is None else replace(block, header=header)
    if isinstance(block, model.Table) and tail[:1] == ("rows",) and len(tail) == 3 and isinstance(tail[1], int) \
            and tail[1] < len(block.rows):
        row = item(block.rows[tail[1]], tail[2])
        if row is None:
            return None
        return replace(block, rows=(*block.rows[:tail[1]], row, *block.rows[tail[1] + 1:]))
    return None


def insert_removed(chapter: model.Chapter, path: Loc, spans: model.Inline) -> model.Chapter:
    """`chapter` with a removed text shown struck, as a paragraph where its block was
    (or, when its section is gone too, at the end of the chapter's last section)."""
    paragraph = model.Paragraph(spans)
    if path[:1] == ("intro",) and len(path) > 1 and isinstance(path[1], int):
        at = min(path[1], len(chapter.intro))
        return replace(chapter, intro=(*chapter.intro[:at], paragraph, *chapter.intro[at:]))
    if path[:1] == ("sections",) and len(path) > 1 and isinstance(path[1], int) and chapter.sections:
        s = min(path[1], len(chapter.sections) - 1)
        section = chapter.sections[s]
        at = path[3] if len(path) > 3 and path[2] == "blocks" and isinstance(path[3], int) else len(section.blocks)
        at = min(at, len(section.blocks))
        section = replace(section, blocks=(*section.blocks[:at], paragraph, *section.blocks[at:]))
        return replace(chapter, sections=(*chapter.sections[:s], section, *chapter.sections[s + 1:]))
    return replace(chapter, intro=(*chapter.intro, paragraph))


def mark_all(chapter: model.Chapter, change: str) -> model.Chapter:
    """A new topic: every text of its chapter marked inserted."""
    fn: Marker = lambda spans: whole(spans, change)  # noqa: E731
    chapter = replace(chapter, lead=fn(chapter.lead), intro=tuple(_all_block(b, fn) for b in chapter.intro))

    def section(s: model.Section) -> model.Section:
        return replace(s, heading=fn(s.heading), blocks=tuple(_all_block(b, fn) for b in s.blocks),
                       subsections=tuple(section(sub) for sub in s.subsections))

    return replace(chapter, sections=tuple(section(s) for s in chapter.sections))


def _all_block(block: model.Block, fn: Marker) -> model.Block:
    if isinstance(block, model.Paragraph):
        return replace(block, spans=fn(block.spans))
    if isinstance(block, model.BulletList):
        return replace(block, intro=fn(block.intro) if block.intro else None, items=tuple(fn(i) for i in block.items))
    if isinstance(block, model.Focus):
        return replace(block, title=fn(block.title), body=tuple(model.Paragraph(fn(p.spans)) for p in block.body))
    if isinstance(block, model.Quote):
        return replace(block, spans=fn(block.spans))
    if isinstance(block, model.KeyFigure):
        return replace(block, value=fn(block.value), text=fn(block.text))
    return block


# --- the redline document -------------------------------------------------------------------


def redline_document(project: Project, report: Changes, lang: str) -> model.Document | None:
    """The redline of one language, or None when nothing of it changed."""
    lc = next(lc for lc in report.languages if lc.lang == lang)
    changed = lc.of(ADDED, REMOVED, CHANGED)
    if not changed:
        return None
    labels = project.languages[lang].strings.editions
    compose_inline = inline_composer(project, lang)
    handbook = compose_handbook(project, lang)
    chapters = {ch.topic_id: ch for ch in handbook.chapters}
    shown: dict[str, model.Chapter] = {}
    front = handbook.front
    assert front is not None
    entries: list[model.RedlineEntry] = []
    counter = iter(range(1, 10**6))
    for change in changed:
        title = title_of(project, report, lang, change.doc)
        chapter = chapters.get(change.doc)
        if change.state == ADDED and chapter is not None:
            shown[change.doc] = mark_all(chapter, "ins")
            entries.append(model.RedlineEntry(title, labels.added, chapter.anchor))
            continue
        if change.state == REMOVED:
            entries.append(model.RedlineEntry(title, labels.removed, None))
            continue
        items = []
        for f in change.fields:
            anchor = f"change-{next(counter)}"
            marked = _marked(f, compose_inline, anchor)
            placed = False
            if chapter is not None:
                chapter, placed = _place(chapter, f, marked, compose_inline)
            elif change.doc == FRONT_DOC and f.path[:1] == ("foreword",) and f.state != REMOVED:
                front, placed = _place_foreword(front, f, marked)
            items.append((_plain_marks(marked), anchor if placed else None))
        if chapter is not None:
            shown[change.doc] = chapter
        first = next((a for _, a in items if a), None)
        entries.append(model.RedlineEntry(title, labels.changed.format(count=len(change.fields)),
                                          first or (chapter.anchor if chapter else None), tuple(items)))
    heading = labels.since.format(edition=_base_label(project, report, lang))
    redline = model.Redline(heading=heading, summary=labels.summary, entries=tuple(entries),
                            show_foreword=front != handbook.front, ins_colour=INS_COLOUR, del_colour=DEL_COLOUR)
    # Cross-references stay only between the chapters shown (the others are not in this file).
    ordered = tuple(replace(shown[t], related=tuple(r for r in shown[t].related if r.topic_id in shown))
                    for t in project.topic_ids if t in shown)
    meta = replace(handbook.meta, title=f"{heading}: {handbook.meta.title}")
    return replace(handbook, chapters=ordered, front=replace(front, title=heading), meta=meta, redline=redline,
                   approvals=(), imprint_approval=False)


def _base_label(project: Project, report: Changes, lang: str) -> str:
    """The edition compared with, in the language's words when it is a dated edition."""
    base = report.base
    if base.edition_label.get(lang):
        return base.edition_label[lang]
    if base.edition and base.label == base.edition:
        import datetime as dt

        return date_label(project.languages[lang].strings, dt.date.fromisoformat(base.edition))
    return base.label


def _marked(f: FieldChange, compose_inline: Callable[[str], model.Inline], anchor: str) -> model.Inline:
    old = compose_inline(f.old.text) if f.old else ()
    new = compose_inline(f.new.text) if f.new else ()
    if f.state == CHANGED:
        return mark(old, new, anchor)
    return whole(new if f.state == ADDED else old, "ins" if f.state == ADDED else "del", anchor)


def _place(chapter: model.Chapter, f: FieldChange, marked: model.Inline,
           compose_inline: Callable[[str], model.Inline]) -> tuple[model.Chapter, bool]:
    if f.state == REMOVED:
        return insert_removed(chapter, f.path, marked), True
    updated = update_chapter(chapter, f.path, lambda _spans: marked)
    return (updated, True) if updated is not None else (chapter, False)


def _place_foreword(front: model.FrontMatter, f: FieldChange, marked: model.Inline) -> tuple[model.FrontMatter, bool]:
    k = f.path[1] if len(f.path) == 2 else None
    if not isinstance(k, int) or k >= len(front.foreword):
        return front, False
    foreword = (*front.foreword[:k], model.Paragraph(marked), *front.foreword[k + 1:])
    return replace(front, foreword=foreword), True


def _plain_marks(spans: model.Inline) -> model.Inline:
    """A change as the first page lists it: its marks, no links or anchors (those belong to the text)."""
    return tuple(replace(s, href=None, anchor=None) for s in spans)


# --- rendering ----------------------------------------------------------------------------------


def render_redline(doc: model.Document) -> bytes:
    """The redline's PDF: rendered as any screen document, then change bars drawn beside
    every marked line, in the outer margin."""
    from pipeline.render.pdf import layout_pdf, render_pdf

    bars = change_bars(layout_pdf(doc), doc)
    return draw_bars(render_pdf(doc), bars)


def change_bars(rendered: Any, doc: model.Document) -> dict[int, list[tuple[float, float, float]]]:
    """Per page (0-based): (x, y_top, y_bottom) in PDF points of each change bar, merged
    where marks touch, on the page's outer side."""
    px = 0.75  # CSS px to PDF points
    gap = BAR_GAP_MM * 96 / 25.4
    bars: dict[int, list[tuple[float, float, float]]] = {}
    for number, page in enumerate(rendered.pages):
        box = page._page_box  # WeasyPrint's laid-out page: the public API has no boxes
        outer_right = _outer_is_right(box, doc)
        x = (box.margin_width() - box.margin_right + gap) if outer_right else (box.margin_left - gap)
        spans = sorted((b.position_y, b.position_y + b.margin_height())
                       for b in box.descendants() if getattr(b, "element_tag", None) in ("ins", "del"))
        merged: list[list[float]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 2:
                merged[-1][1] = max(merged[-1][1], bottom)
            else:
                merged.append([top, bottom])
        height = box.margin_height()
        if merged:
            bars[number] = [(x * px, (height - top) * px, (height - bottom) * px) for top, bottom in merged]
    return bars


def _outer_is_right(box: Any, doc: model.Document) -> bool:
    """The outer margin: the side away from the binding. A handbook's pages face each
    other (WeasyPrint knows each page's side); a factsheet is bound on its start side."""
    if doc.kind == "handbook":
        return box.page_type.side == "right"
    return doc.meta.direction == "ltr"


def draw_bars(data: bytes, bars: dict[int, list[tuple[float, float, float]]]) -> bytes:
    """The PDF with the bars drawn, as artifacts (they are not content for a reader)."""
    import pikepdf

    r, g, b = (int(INS_COLOUR[i:i + 2], 16) / 255 for i in (1, 3, 5))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number, lines in bars.items():
            page = pdf.pages[number]
            # The page's own drawing leaves its coordinate system changed: wrap it in q ... Q.
            page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
            ops = [f"Q /Artifact BMC q {r:.3f} {g:.3f} {b:.3f} RG {BAR_WIDTH_PT} w 0 J"]
            ops += [f"{x:.2f} {top:.2f} m {x:.2f} {bottom:.2f} l S" for x, top, bottom in lines]
            ops.append("Q EMC")
            page.contents_add(pikepdf.Stream(pdf, ("\n".join(ops) + "\n").encode()), prepend=False)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def write_redlines(project: Project, report: Changes, pdf: Path | None, pdf_dir: Path | None) -> dict[str, Path | None]:
    """Write the redline of each language of the report (one file with `pdf`, one per
    language in `pdf_dir`); a language with no change gets none. Every redline is
    rendered before any file is written."""
    rendered: dict[str, bytes | None] = {}
    for lc in report.languages:
        doc = redline_document(project, report, lc.lang)
        rendered[lc.lang] = render_redline(doc) if doc is not None else None
    written: dict[str, Path | None] = {}
    for lang, data in rendered.items():
        target = pdf if pdf is not None else (pdf_dir or Path(".")) / f"changes-{lang}.pdf"
        if data is not None:
            write_atomic(target, data)
        written[lang] = target if data is not None else None
    return written
