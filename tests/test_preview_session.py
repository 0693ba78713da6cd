"""The preview session without a browser: what is re-rendered when, and how failures are reported."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader

from pipeline.errors import BuildError, display_path
from pipeline.paths import TEMPLATES_DIR
from pipeline.preview.pages import rasterise
from pipeline.preview.session import PreviewSession, Target, describe

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def generations(session: PreviewSession) -> dict[str, int]:
    return {lang: pages["generation"] for lang, pages in session.snapshot()["pages"].items()}


def page_counts(session: PreviewSession) -> dict[str, int]:
    return {lang: len(pages["images"]) for lang, pages in session.snapshot()["pages"].items()}


@pytest.fixture(scope="module")
def content(module_content) -> Path:
    return module_content


@pytest.fixture(scope="module")
def live(content):
    """One session for the module (starting workers is the slow part); tests restore the content."""
    with PreviewSession(content, Target("factsheet", "alpha")) as preview:
        preview.refresh()
        yield preview


@pytest.fixture
def session(live, content):
    files = {path: path.read_bytes() for path in content.rglob("*") if path.is_file()}
    yield live
    for path in content.rglob("*"):
        if path.is_file() and path not in files:
            path.unlink()
    for path, data in files.items():
        path.write_bytes(data)
    live.refresh(set(files))
    assert live.snapshot()["errors"] == []


@pytest.fixture
def fixture_copy(content):
    return content


@pytest.mark.slow
def test_only_changed_languages_render_again(session, fixture_copy):
    first = generations(session)
    assert set(first) == {"en", "fr"} and session.snapshot()["errors"] == []
    session.refresh({fixture_copy / "en" / "beta.yaml"})  # nothing alpha shows changed
    assert generations(session) == first
    path = fixture_copy / "fr" / "alpha.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Criminalité alpha", "Criminalité alpha (bis)"),
                    encoding="utf-8")
    session.refresh({path})
    after = generations(session)
    assert after["en"] == first["en"] and after["fr"] > first["fr"]
    assert session.snapshot()["pages"]["fr"]["title"] == "Criminalité alpha (bis)"


@pytest.mark.slow
def test_a_template_change_renders_everything_in_fresh_workers(session):
    first, pids = generations(session), [w.process.pid for w in session._workers]
    session.refresh({TEMPLATES_DIR / "style.css"})
    after = generations(session)
    assert all(after[lang] > first[lang] for lang in first)
    assert not set(pids) & {w.process.pid for w in session._workers}


@pytest.mark.slow
def test_a_dead_worker_is_replaced(session, fixture_copy):
    for worker in session._workers:
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    path = fixture_copy / "en" / "alpha.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Alpha crime", "Alpha crimes"), encoding="utf-8")
    session.refresh({path})
    snapshot = session.snapshot()
    assert snapshot["errors"] == [] and snapshot["pages"]["en"]["title"] == "Alpha crimes"


@pytest.mark.slow
def test_images_are_only_those_published(session):
    images = [image["src"].removeprefix("/pages/") for pages in session.snapshot()["pages"].values()
              for image in pages["images"]]
    assert images and all(session.image(name) is not None for name in images)
    for name in ("../../etc/passwd", "en.pdf", "en-1-000000000000.png", ""):
        assert session.image(name) is None


@pytest.mark.slow
def test_the_handbook_in_the_languages_asked_for(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "content")
    with PreviewSession(tmp_path / "content", Target("handbook"), ["fr", "xx"]) as live:
        live.refresh()
        snapshot = live.snapshot()
        assert snapshot["langs"] == ["fr"]
        assert snapshot["errors"] == [f"{display_path(tmp_path / 'content')}: no language folder 'xx' "
                                      "(asked for by --lang)"]
        assert page_counts(live)["fr"] >= 3 and snapshot["pages"]["fr"]["title"] == "Domaines de test"


@pytest.mark.slow
def test_content_problems_keep_the_last_good_pages(session, fixture_copy):
    good = session.snapshot()["pages"]
    (fixture_copy / "edition.yaml").write_text("topics: [\n", encoding="utf-8")
    session.refresh({fixture_copy / "edition.yaml"})
    snapshot = session.snapshot()
    assert snapshot["pages"] == good
    assert len(snapshot["errors"]) == 1 and snapshot["errors"][0].startswith(f"{fixture_copy / 'edition.yaml'}:")


@pytest.mark.slow
def test_a_topic_removed_from_the_edition_is_reported(session, fixture_copy):
    edition = fixture_copy / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8").replace("  - {id: alpha, code: ALP, revision: 1}\n", ""),
                       encoding="utf-8")
    for lang in ("en", "fr"):
        (fixture_copy / lang / "alpha.yaml").unlink()
        beta = fixture_copy / lang / "beta.yaml"
        beta.write_text(beta.read_text(encoding="utf-8").replace("related: [alpha]", "related: []"),
                        encoding="utf-8")
    session.refresh({edition})
    assert session.snapshot()["errors"] == [f"{edition}: topics: no topic 'alpha' any more"]


@pytest.mark.slow
def test_close_removes_every_file_and_process(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "content")
    live = PreviewSession(tmp_path / "content", Target("factsheet", "alpha"), workers=1)
    live.refresh()
    assert any(live.tmp.rglob("*.png"))
    processes = [worker.process for worker in live._workers]
    live.close()
    assert not live.tmp.exists()
    assert all(process.poll() is not None for process in processes)


def test_render_failures_are_described_where_they_happened():
    assert describe(BuildError("factsheet X runs to 3 pages")) == "factsheet X runs to 3 pages"
    try:
        jinja2.Environment().parse("{% if %}", filename=str(TEMPLATES_DIR / "factsheet.html.j2"))
    except jinja2.TemplateSyntaxError as exc:
        described = describe(exc)
    where = display_path(TEMPLATES_DIR / "factsheet.html.j2")
    assert described == f"{where}:1: TemplateSyntaxError: Expected an expression, got 'end of statement block'"


def test_rasterise_names_pages_by_content(tmp_path, real_build):
    handbook = real_build / "en" / "handbook-en.pdf"
    images = rasterise(handbook, tmp_path / "a", prefix="en", dpi=20)
    again = rasterise(handbook, tmp_path / "b", prefix="en", dpi=20, runs=1)
    assert [i.name for i in images] == [i.name for i in again], "same pages, same names, however split"
    assert len(images) == len(PdfReader(handbook).pages) > 10
    assert len({i.name for i in images}) == len(images)
    factsheet = rasterise(real_build / "fr" / "factsheets" / "corruption-fr.pdf", tmp_path / "c", prefix="fr")
    assert all((i.width, i.height) == (794, 1123) for i in factsheet), "A4 at 96 dpi"
    assert factsheet[0].name.startswith("fr-1-") and factsheet[0].path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.suffix for p in (tmp_path / "c").iterdir()) == [".png"] * len(factsheet), "no raw pixels left"
