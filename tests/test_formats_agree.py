"""The PDF and the DOCX of each document carry the same text in the same order.

Both are compared with the document model: every heading, paragraph, list item,
call-out, quotation, key figure and related-area entry must appear, in model order,
in the text extracted from the PDF (pdftotext, content-stream order) and from the
DOCX (python-docx, body paragraphs in order). Text is compared without whitespace,
punctuation or case, so line breaks, hyphenation and typography do not matter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from pipeline.content import model
from pipeline.engine.plan import output_path
from pipeline.render.compose import compose_factsheet, compose_handbook


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def block_items(block: model.Block) -> list[str]:
    if isinstance(block, model.Paragraph):
        return [model.plain(block.spans)]
    if isinstance(block, model.BulletList):
        return ([model.plain(block.intro)] if block.intro else []) + [model.plain(i) for i in block.items]
    if isinstance(block, model.Focus):
        return [model.plain(block.title)] + [model.plain(p.spans) for p in block.body]
    if isinstance(block, model.Quote):
        return [model.plain(block.spans)] + ([model.plain(block.attribution)] if block.attribution else [])
    return [model.plain(block.value), model.plain(block.text)]


def chapter_items(doc: model.Document, chapter: model.Chapter) -> list[str]:
    items = [chapter.title, model.plain(chapter.lead)]
    for block in chapter.intro:
        items += block_items(block)
    for section in chapter.sections:
        items.append(model.plain(section.heading))
        for block in section.blocks:
            items += block_items(block)
        for sub in section.subsections:
            items.append(model.plain(sub.heading))
            for block in sub.blocks:
                items += block_items(block)
    if chapter.related:
        items.append(doc.labels["related"])
        items += [ref.title for ref in chapter.related]
    return items


def document_items(doc: model.Document) -> list[str]:
    items: list[str] = []
    if doc.front:
        items += [doc.front.title, doc.front.subtitle, doc.labels["foreword"]]
        items += [model.plain(p.spans) for p in doc.front.foreword]
    for chapter in doc.chapters:
        items += chapter_items(doc, chapter)
    return items


def pdf_text(path: Path, doc: model.Document) -> str:
    """The text of the page bodies, in content-stream order (running heads and footers cropped).

    Running heads and footers live in the page margins (the document's, shared by the
    CSS and the DOCX), so cropping them keeps a paragraph that crosses a page whole.
    """
    margins = doc.margins
    mm = 72 / 25.4
    pages = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        top, body = margins.top * mm - 2, height - (margins.top + margins.bottom) * mm + 4
        pages.append(subprocess.run(
            ["pdftotext", "-raw", "-f", str(number), "-l", str(number), "-x", "0", "-y", str(int(top)),
             "-W", str(int(width)), "-H", str(int(body)), str(path), "-"],
            capture_output=True, text=True, check=True).stdout)
    return norm("\n".join(pages))


def docx_text(path: Path) -> str:
    body = open_docx(str(path)).element.body
    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return norm("\n".join(paragraphs))


def missing_in_order(items: list[str], text: str) -> list[str]:
    """Items not found in `text` after the previous item (the first few are enough to debug)."""
    missing, pos = [], 0
    for item in items:
        key = norm(item)
        found = text.find(key, pos)
        if found < 0:
            missing.append(item)
        else:
            pos = found + len(key)
    return missing


def all_documents(project):
    for lang in project.edition.languages:
        yield "handbook", lang, None
        for topic in project.topic_ids:
            yield "factsheet", lang, topic


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (make deps-test)")
def test_pdf_and_docx_carry_the_model_text_in_order(project, real_build):
    problems = []
    count = 0
    for kind, lang, topic in all_documents(project):
        doc = compose_handbook(project, lang) if kind == "handbook" else compose_factsheet(project, lang, topic)
        items = document_items(doc)
        extractors = (("pdf", lambda p, d=doc: pdf_text(p, d)), ("docx", lambda p, d=doc: docx_text(p)))
        for fmt, extract in extractors:
            path = output_path(real_build, kind, lang, fmt, topic)
            missing = missing_in_order(items, extract(path))
            count += 1
            if missing:
                problems.append(f"{path.relative_to(real_build)}: {len(missing)} of {len(items)} items "
                                f"missing or out of order, first: {missing[0][:70]!r}")
    assert count == 2 * len(project.edition.languages) * (len(project.topic_ids) + 1)  # PDF and DOCX of each
    assert not problems, "\n".join(problems)


def test_comparison_detects_a_missing_paragraph(project, real_build):
    """The check above can fail: drop one paragraph from the text and it notices."""
    doc = compose_factsheet(project, "en", "corruption")
    items = document_items(doc)
    text = docx_text(output_path(real_build, "factsheet", "en", "docx", "corruption"))
    assert missing_in_order(items, text) == []
    removed = text.replace(norm(items[4]), "")
    assert missing_in_order(items, removed) == [items[4]]
    swapped = missing_in_order([items[5], items[4]], text)
    assert swapped == [items[4]]
