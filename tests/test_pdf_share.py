"""A document's screen and archive PDF laid out once (pipeline.render.pdf.SharedLayout,
grouped by pipeline.engine.run): the same bytes as two layouts, fewer layouts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline.content.model import Layout
from pipeline.content.project import load_project
from pipeline.engine import run as engine
from pipeline.engine.plan import Job
from pipeline.engine.workers import render_group_to
from pipeline.errors import BuildError
from pipeline.render import pdf as pdf_renderer
from pipeline.render.compose import compose_factsheet, compose_handbook

# The tiny fixture: its handbook is quick to lay out.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
VARIANTS = ("screen", "archive", "print")


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURE)


@pytest.fixture(scope="module")
def docs(project):
    """Each variant of the handbook and of two factsheets."""
    makers = {"handbook": lambda layout: compose_handbook(project, "en", layout),
              "factsheet": lambda layout: compose_factsheet(project, "en", "alpha", layout),
              "other": lambda layout: compose_factsheet(project, "en", "beta", layout)}
    return {(kind, variant): make(Layout().for_variant(variant))
            for kind, make in makers.items() for variant in VARIANTS}


@pytest.fixture(scope="module")
def alone(docs):
    """Each document rendered on its own, on first use."""
    rendered: dict[tuple[str, str], bytes] = {}

    def get(kind: str, variant: str) -> bytes:
        if (kind, variant) not in rendered:
            rendered[kind, variant] = pdf_renderer.render_pdf(docs[kind, variant])
        return rendered[kind, variant]

    return get


@pytest.fixture
def layouts(monkeypatch) -> list[str]:
    """The variant of each full layout made from now on."""
    made: list[str] = []
    real = pdf_renderer._Render.layout

    def counted(self, pagination, front_only=False):
        if not front_only:
            made.append(self.doc.layout.variant)
        return real(self, pagination, front_only)

    monkeypatch.setattr(pdf_renderer._Render, "layout", counted)
    return made


@pytest.mark.parametrize("kind", [pytest.param("handbook", marks=pytest.mark.slow), "factsheet"])
@pytest.mark.parametrize("order", [("screen", "archive"), ("archive", "screen")])
def test_two_copies_share_one_layout_and_keep_their_bytes(docs, alone, layouts, kind, order):
    expected = {variant: alone(kind, variant) for variant in order}
    layouts.clear()
    share = pdf_renderer.SharedLayout()
    for variant in order:
        assert pdf_renderer.render_pdf(docs[kind, variant], share=share) == expected[variant], variant
    # The first copy's layouts (one per page-number round), none for the second.
    assert layouts and set(layouts) == {order[0]}


@pytest.mark.slow
def test_a_print_copy_is_laid_out_anew(docs, alone, layouts):
    expected = {variant: alone("factsheet", variant) for variant in VARIANTS}
    layouts.clear()
    share = pdf_renderer.SharedLayout()
    for variant in ("screen", "print", "archive"):
        assert pdf_renderer.render_pdf(docs["factsheet", variant], share=share) == expected[variant]
    # print differs from screen (bleed, marks); archive is laid out again after print.
    assert {"screen", "print", "archive"} <= set(layouts)


def test_another_document_is_laid_out_anew(docs, alone, layouts):
    expected = alone("other", "archive")
    layouts.clear()
    share = pdf_renderer.SharedLayout()
    pdf_renderer.render_pdf(docs["factsheet", "screen"], share=share)
    assert pdf_renderer.render_pdf(docs["other", "archive"], share=share) == expected
    assert "archive" in layouts


def test_what_the_shared_layout_warned_of_fails_the_second_copy_too(docs):
    share = pdf_renderer.SharedLayout()
    pdf_renderer.render_pdf(docs["factsheet", "screen"], share=share)
    share.records.append(logging.LogRecord("weasyprint", logging.WARNING, __file__, 1, "bad thing", None, None))
    with pytest.raises(BuildError, match="bad thing"):
        pdf_renderer.render_pdf(docs["factsheet", "archive"], share=share)


def job(variant: str, fmt: str = "pdf", topic: str | None = "alpha", kind: str = "factsheet") -> Job:
    return Job(kind, "en", fmt, topic, Path(f"/nowhere/{variant}-{topic}.{fmt}"), variant=variant)


def test_the_engine_groups_a_documents_screen_and_archive_pdf(docs):
    doc = docs["factsheet", "screen"]
    archive, printed = docs["factsheet", "archive"], docs["factsheet", "print"]
    todo = [(job("screen"), doc, "a"), (job("screen", "docx"), doc, "b"), (job("print"), printed, "c"),
            (job("archive"), archive, "d"), (job("screen", topic="beta"), doc, "e")]
    groups = [[fingerprint for _, _, fingerprint in group] for group in engine._groups(todo)]
    assert groups == [["a", "d"], ["b"], ["c"], ["e"]]


def test_a_failing_document_does_not_stop_the_rest_of_its_group(project, docs, tmp_path, monkeypatch):
    real = pdf_renderer._Render.check_pages

    def alpha_too_long(self, rendered):
        if self.doc.chapters[0].topic_id == "alpha":
            raise BuildError(f"{self.what} runs to 9 pages")
        real(self, rendered)

    monkeypatch.setattr(pdf_renderer._Render, "check_pages", alpha_too_long)
    results = render_group_to("pdf", [(docs["factsheet", "screen"], tmp_path / "a.pdf"),
                                      (docs["other", "screen"], tmp_path / "b.pdf")])
    assert isinstance(results[0], BuildError) and "runs to 9 pages" in str(results[0])
    assert isinstance(results[1], float) and (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "a.pdf").exists()
