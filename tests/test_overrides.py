"""Template overrides (branding.yaml `templates:`), template errors, version and producer.

Runs in-process on the tiny fixture project; tests/test_install.py does the same
through an installed wheel on the real content.
"""

from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from pypdf import PdfReader

import pipeline
from pipeline.errors import BuildError
from pipeline.render import html as html_renderer
from pipeline.render import pdf as pdf_renderer

GREEN_CSS = ".title-band { background: #0B6E4F; }\n"


def add_override(content: Path, folder: str = "theme", files: dict[str, str] | None = None) -> Path:
    """Name an override folder in branding.yaml and fill it with `files`."""
    branding = content / "branding.yaml"
    branding.write_text(branding.read_text(encoding="utf-8") + f"templates: {folder}\n", encoding="utf-8")
    target = content / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {}).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    return target


def branding_line(content: Path, key: str) -> int:
    lines = (content / "branding.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


@pytest.fixture
def build(fixture_copy, tmp_path, run_cli):
    """Run the CLI on the fixture copy; by default one English factsheet as PDF."""
    build_dir = tmp_path / "build"

    def run(*args: str):
        args = args or ("build", "--lang", "en", "--format", "pdf", "--topic", "alpha", "--no-handbook")
        return run_cli("--content", fixture_copy, "--build-dir", build_dir, *args)

    run.content = fixture_copy
    run.build_dir = build_dir
    run.pdf = build_dir / "en" / "factsheets" / "alpha-en.pdf"
    return run


# --- the folder in branding.yaml ---------------------------------------------------------


def test_missing_override_folder_is_a_located_content_error(fixture_copy, run_cli):
    add_override(fixture_copy, "theme")
    (fixture_copy / "theme").rmdir()
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    line = branding_line(fixture_copy, "templates")
    assert result.stderr.splitlines()[0] == (
        f"Error: {fixture_copy / 'branding.yaml'}:{line}: templates: folder {fixture_copy / 'theme'} not found "
        "(the path is relative to the content folder)")


def test_override_folder_that_is_a_file_is_refused(fixture_copy, run_cli):
    add_override(fixture_copy, "theme")
    (fixture_copy / "theme").rmdir()
    (fixture_copy / "theme").write_text("", encoding="utf-8")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert "templates: folder" in result.stderr and "is not a folder" in result.stderr


def test_override_folder_is_relative_to_the_content_folder(fixture_copy):
    from pipeline.content.project import load_project

    add_override(fixture_copy, "design/theme")  # a folder outside it is refused: tests/test_hostile.py
    assert load_project(fixture_copy).template_override == (fixture_copy / "design" / "theme").resolve()


# --- what an override changes ---------------------------------------------------------------


@pytest.mark.slow  # a build of every document, with its worker pool
def test_override_stylesheet_restyles_and_edits_rebuild(build):
    assert build().exit_code == 0
    default = PdfReader(build.pdf)
    folder = add_override(build.content, files={"extra.css": GREEN_CSS})
    result = build()
    assert result.exit_code == 0 and "1 built" in result.stdout  # the new folder is an input
    assert _fills(build.pdf, (0x0B, 0x6E, 0x4F))
    assert PdfReader(build.pdf).pages[0].extract_text() == default.pages[0].extract_text()
    assert "0 built, 1 up to date" in build().stdout
    (folder / "extra.css").write_text(GREEN_CSS.replace("0B6E4F", "6E0B4F"), encoding="utf-8")
    assert "1 built" in build().stdout  # an edit in the override folder rebuilds
    assert _fills(build.pdf, (0x6E, 0x0B, 0x4F))


def _fills(pdf: Path, rgb: tuple[int, int, int]) -> bool:
    """Whether page 1's content stream fills with this colour (WeasyPrint writes `r g b rg`)."""
    stream = PdfReader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    colours = {tuple(round(float(v) * 255) for v in match) for match in
               (line.split()[:3] for line in stream.splitlines() if line.endswith(" rg"))}
    return rgb in colours


@pytest.mark.slow  # a build of every document, with its worker pool
def test_override_template_replaces_ours_by_name(build):
    source = (html_renderer.TEMPLATES_DIR / "factsheet.html.j2").read_text(encoding="utf-8")
    add_override(build.content, files={"factsheet.html.j2": source.replace(
        '<p class="kicker">{{ labels.factsheet }}</p>', '<p class="kicker">{{ meta.reference }}</p>')})
    assert build().exit_code == 0
    text = PdfReader(build.pdf).pages[0].extract_text()
    assert text.count("COM/FS/") >= 2  # the kicker now prints the reference (the footer did already)


@pytest.mark.slow  # a build of every document, with its worker pool
def test_override_resources_are_served_and_nothing_beyond(build, tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    folder = add_override(build.content, files={"band.svg": svg, "extra.css":
                                                ".title-band { background-image: url(band.svg); }\n"})
    assert build().exit_code == 0
    (tmp_path / "outside.svg").write_text(svg, encoding="utf-8")
    (folder / "extra.css").write_text(".title-band { background-image: url(../../outside.svg); }\n",
                                      encoding="utf-8")
    result = build()
    assert result.exit_code == 1
    # The URL is shortened in the message when long; the allowed folders are not.
    assert "refused to load file:///" in result.stderr
    assert f": only files under templates/ or {folder} may be used\n" in result.stderr


def test_resource_paths_with_an_override(tmp_path):
    ours = html_renderer.TEMPLATES_DIR
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (theme / "escape.css").symlink_to("/etc/hostname")
    roots = (theme, ours)
    assert pdf_renderer.resource_path((theme / "logo.svg").as_uri(), roots) == theme / "logo.svg"
    # A name the override does not have falls back to ours, as templates do.
    assert pdf_renderer.resource_path((theme / "style.css").as_uri(), roots) == ours / "style.css"
    assert pdf_renderer.resource_path((theme / "escape.css").as_uri(), roots) is None
    assert pdf_renderer.resource_path((tmp_path / "other.css").as_uri(), roots) is None
    assert pdf_renderer.resource_path((theme / "logo.svg").as_uri()) is None  # no override: ours only


# --- template errors: one located line, exit 1, outputs untouched ---------------------------


def _stamps(build_dir: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in build_dir.rglob("*.pdf")}


BROKEN = {
    "syntax": ('{% extends "base.html.j2" %}\n{% block body %}\n<h1>{{ chapters[0].title }</h1>\n{% endblock %}\n',
               "theme/factsheet.html.j2:3: unexpected '}'"),
    "missing include": ('{% extends "base.html.j2" %}\n{% block body %}\n\n{% include "partials/nothing.j2" %}\n'
                        "{% endblock %}\n", "theme/factsheet.html.j2:4: template 'partials/nothing.j2' not found in "),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_override_fails_once_before_rendering(build, case):
    assert build("build", "--lang", "en", "--format", "pdf").exit_code == 0
    before = _stamps(build.build_dir)
    source, message = BROKEN[case]
    add_override(build.content, files={"factsheet.html.j2": source})
    result = build("build", "--lang", "en", "--format", "pdf", "--force")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {build.content / message}")
    assert _stamps(build.build_dir) == before


@pytest.mark.slow  # a build of every document, with its worker pool
def test_undefined_value_in_an_override_names_its_line(build):
    assert build().exit_code == 0
    before = _stamps(build.build_dir)
    add_override(build.content, files={"factsheet.html.j2": (
        '{% extends "base.html.j2" %}\n{% block body %}\n<h1>{{ chapters[0].title }}</h1>\n'
        "<p>{{ meta.nonsense }}</p>\n{% endblock %}\n")})
    result = build()
    assert result.exit_code == 1
    assert result.stderr == (f"Error: en/factsheets/alpha-en.pdf: {build.content}/theme/factsheet.html.j2:4: "
                             "'pipeline.content.model.Meta object' has no attribute 'nonsense'\n")
    assert _stamps(build.build_dir) == before


@pytest.mark.slow  # a build of every document, with its worker pool
def test_a_filter_error_names_the_template_line(build):
    add_override(build.content, files={"factsheet.html.j2": (
        '{% extends "base.html.j2" %}\n{% block body %}\n<p>{{ meta.title | css_colour }}</p>\n{% endblock %}\n')})
    result = build()
    assert result.exit_code == 1
    assert f"{build.content}/theme/factsheet.html.j2:3: branding colour 'Alpha" in result.stderr


@pytest.mark.slow  # a build of every document, with its worker pool
def test_docx_does_not_use_the_templates(build):
    add_override(build.content, files={"factsheet.html.j2": BROKEN["syntax"][0]})
    result = build("build", "--lang", "en", "--format", "docx", "--topic", "alpha", "--no-handbook")
    assert result.exit_code == 0, result.stderr


def test_builtin_templates_pass_the_check():
    html_renderer.check_templates()  # what a build runs first when there is an override


def test_missing_builtin_template_is_named(monkeypatch, tmp_path):
    """An incomplete installation: the first template lookup names what is missing and where."""
    monkeypatch.setattr(html_renderer, "TEMPLATES_DIR", tmp_path)
    html_renderer._environment.cache_clear()
    try:
        with pytest.raises(BuildError) as info:
            html_renderer.check_templates()
    finally:
        html_renderer._environment.cache_clear()
    assert info.value.message == f"template 'factsheet.html.j2' not found in {tmp_path}"


# --- version and producer ----------------------------------------------------------------------


def test_version_is_the_installed_distributions():
    assert pipeline.version() == metadata.version(pipeline.DISTRIBUTION)
    assert pipeline.__version__ == pipeline.version()
    assert pipeline.producer() == f"briefings-pipeline {pipeline.version()}"


def test_version_falls_back_to_the_source_in_a_bare_checkout(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    pipeline.version.cache_clear()
    try:
        assert pipeline.version() == pipeline.SOURCE_VERSION
    finally:
        pipeline.version.cache_clear()


@pytest.mark.slow  # a build of every document, with its worker pool
def test_pdf_and_docx_name_the_producing_tool(build):
    result = build("build", "--lang", "fr", "--topic", "beta", "--no-handbook")
    assert result.exit_code == 0
    pdf = PdfReader(build.build_dir / "fr" / "factsheets" / "beta-fr.pdf")
    assert pdf.metadata["/Creator"] == pipeline.producer()
    with zipfile.ZipFile(build.build_dir / "fr" / "factsheets" / "beta-fr.docx") as docx:
        assert f"<Application>{pipeline.producer()}</Application>" in docx.read("docProps/app.xml").decode()
