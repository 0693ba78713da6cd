"""The tool as an IT department installs it: a wheel in a fresh virtual environment,
run from a folder that is not the repository, against a copy of a content folder.

The content is the rich test edition (tests/fixtures/rich: two topics in English and
French with figures, tables, links and a logo): it reaches every template, picture
format and package-data path the real content does, at a third of its documents'
layout work. The real content's build is tested in the repository (real_build).

Building the wheel and the environment takes a few seconds; downloading every
dependency from the package index on each run would take a minute and need the
network. So the wheel itself is installed with `pip --python ... --no-deps` into an
environment that has no pip and no project, and the third-party dependencies are
borrowed from the test environment through a `.pth` line. That shortcut is kept honest
by `test_declared_dependencies_are_enough`: every third-party module an installed
build imports must belong to a distribution that the wheel's metadata requires
(directly or through its dependencies), as `pip install`/`pipx install` would resolve.

Only this module builds the installed tool (module-scoped fixtures); each test reads
its outputs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline import DISTRIBUTION, SOURCE_VERSION

ROOT = Path(__file__).resolve().parent.parent
# What the installed tool builds (see the module docstring).
CONTENT = ROOT / "tests" / "fixtures" / "rich"
README = ROOT / "README.md"
DESIGN_GUIDE = ROOT / "docs" / "design.md"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="needs poppler-utils (make deps)")

# What the wheel is built from: the package, its templates and the build configuration.
SOURCES = ("pyproject.toml", "README.md", "pipeline", "templates")
# The wheel's version differs from the source's SOURCE_VERSION (and from the editable
# install whose site-packages the test borrows), so the tests see which one is reported.
WHEEL_VERSION = f"{SOURCE_VERSION}+installtest"


@dataclass
class Installed:
    """A fresh virtual environment with the wheel installed, and a scratch folder."""

    venv: Path
    wheel: Path
    scratch: Path
    seconds: float

    @property
    def pipeline(self) -> Path:
        return self.venv / "bin" / "pipeline"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def run(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run the installed `pipeline` from `cwd`, with nothing of the repository around."""
        return subprocess.run([str(self.pipeline), *map(str, args)], cwd=cwd, env=clean_env(),
                              capture_output=True, text=True, check=False, timeout=600)


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python or the CLI at the repository."""
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PIPELINE_CONTENT", "PIPELINE_BUILD_DIR")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _quiet(*cmd: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, check=False,
                            timeout=600)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """Build the wheel from a copy of the sources, install it into a new environment."""
    start = time.perf_counter()
    base = tmp_path_factory.mktemp("install")
    source = base / "source"  # a copy: setuptools writes build/ and *.egg-info beside its input
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    pyproject = source / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text
    text = re.sub(r"\[tool\.setuptools\.dynamic\]\nversion = .*\n", "", text)
    pyproject.write_text(text.replace('dynamic = ["version"]', f'version = "{WHEEL_VERSION}"'), encoding="utf-8")
    dist = base / "dist"
    # No build isolation and no index: the test environment's setuptools (the `test`
    # extra) builds it, so no download happens.
    _quiet(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
           "--wheel-dir", dist, source)
    (wheel,) = dist.glob("*.whl")
    venv = base / "venv"
    _quiet(sys.executable, "-m", "venv", "--without-pip", venv)
    _quiet(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
           "--no-index", wheel)
    purelib = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()"
                                   "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    # Third-party dependencies only: a plain path line, so the test environment's own
    # .pth files (among them the editable install of this repository) are not run.
    borrowed = Path(sysconfig.get_paths()["purelib"])
    (purelib / "zz_borrowed_dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")
    return Installed(venv, wheel, base, time.perf_counter() - start)


@pytest.fixture(scope="module")
def default_build(installed: Installed) -> Path:
    """`pipeline validate` and `pipeline build` of a copy of content/, from a scratch folder."""
    work = installed.scratch / "work"
    shutil.copytree(CONTENT, work / "content")
    result = installed.run("validate", cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content valid: ")
    result = installed.run("build", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    return work / "build"


# The design guide's own example: the test builds with exactly what the guide tells a user.
def readme_example() -> tuple[str, str]:
    """The `templates:` line and the extra.css of "Restyling without forking" (docs/design.md)."""
    text = DESIGN_GUIDE.read_text(encoding="utf-8")
    section = text.split("## Restyling without forking", 1)[1].split("\n## ", 1)[0]
    yaml_block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    css_block = re.search(r"```css\n(.*?)```", section, re.S).group(1)
    templates_line = next(line for line in yaml_block.splitlines() if line.startswith("templates:"))
    return templates_line, css_block


OVERRIDE_GREEN = (0x0B, 0x6E, 0x4F)


@pytest.fixture(scope="module")
def override_build(installed: Installed, default_build: Path) -> Path:
    """The same content with the README's override folder; PDFs only."""
    templates_line, css = readme_example()
    assert "#0B6E4F" in css, "the design guide example and OVERRIDE_GREEN must agree"
    work = installed.scratch / "work-override"
    shutil.copytree(CONTENT, work / "content")
    branding = work / "content" / "branding.yaml"
    branding.write_text(branding.read_text(encoding="utf-8") + templates_line + "\n", encoding="utf-8")
    folder = work / "content" / templates_line.split(":", 1)[1].strip()
    folder.mkdir()
    (folder / "extra.css").write_text(css, encoding="utf-8")
    result = installed.run("build", "--format", "pdf", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    return work / "build"


# --- packaging -----------------------------------------------------------------------


def test_every_package_and_template_folder_is_packaged():
    """The package list in pyproject.toml is explicit: a new subpackage or template
    folder must be added there, or the wheel silently lacks it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    expected = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    expected |= {".".join(("pipeline", *p.relative_to(ROOT).parts)) for p in [ROOT / "templates"]
                 + [d for d in (ROOT / "templates").rglob("*") if d.is_dir() and d.name != "__pycache__"]}
    assert set(config["packages"]) == expected
    assert config["package-dir"] == {"pipeline.templates": "templates"}


@pytest.mark.slow
def test_wheel_carries_the_templates_inside_the_package(installed: Installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    templates = {"pipeline/templates/" + str(p.relative_to(ROOT / "templates"))
                 for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert templates <= names
    assert not any(name.startswith("templates/") for name in names)  # never a top-level package


@pytest.mark.slow
def test_installed_package_is_the_wheel_not_the_repository(installed: Installed, tmp_path: Path):
    code = "import json, sys, pipeline, pipeline.paths as p; print(json.dumps([pipeline.__file__, " \
           "str(p.TEMPLATES_DIR), sys.path]))"
    result = subprocess.run([installed.python, "-c", code], cwd=tmp_path, env=clean_env(), capture_output=True,
                            text=True, check=True)
    import json

    module, templates, path = json.loads(result.stdout)
    assert Path(module).is_relative_to(installed.venv)
    assert Path(templates) == Path(module).parent / "templates"
    # The repository is not on the path (the borrowed dependencies live in its .venv,
    # which holds no `pipeline` package), and no folder but the new one provides it.
    borrowed = Path(sysconfig.get_paths()["purelib"]).resolve()
    entries = [Path(entry).resolve() if entry else tmp_path for entry in path]
    assert not any(e.is_relative_to(ROOT) and e != borrowed for e in entries), path
    assert [e for e in entries if (e / "pipeline").exists()] == [Path(module).parent.parent.resolve()]


@pytest.mark.slow
def test_version_comes_from_the_installed_metadata(installed: Installed, tmp_path: Path):
    assert installed.wheel.name.split("-")[1] == WHEEL_VERSION
    result = installed.run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"pipeline, version {WHEEL_VERSION}\n"


@pytest.mark.slow
def test_installing_takes_seconds(installed: Installed):
    """Not a timing assertion: it reports the set-up cost in the test log (-rP)."""
    print(f"wheel built and installed into a fresh environment in {installed.seconds:.1f} s")
    assert installed.seconds > 0


# --- the installed tool builds everything --------------------------------------------


def _expected_documents() -> list[str]:
    from pipeline.content.project import load_project

    project = load_project(CONTENT)
    names = []
    for lang in project.edition.languages:
        for fmt in ("pdf", "docx"):
            names.append(f"{lang}/handbook-{lang}.{fmt}")
            names += [f"{lang}/factsheets/{topic}-{lang}.{fmt}" for topic in project.topic_ids]
    return names


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    out = subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out


def _words(text: str) -> str:
    """Text with every kind of space (French narrow spaces included) as one plain space."""
    return " ".join(text.replace("\u00ad", "").split())


@pytest.fixture(scope="module")
def project():
    """The content the installed tool builds, as the repository's code reads it."""
    from pipeline.content.project import load_project

    return load_project(CONTENT)


@pytest.mark.slow
def test_installed_tool_builds_every_document_from_another_folder(default_build: Path, project):
    built = {str(p.relative_to(default_build)) for p in default_build.rglob("*") if p.is_file()
             and not p.name.startswith(".")}
    assert built == set(_expected_documents())
    from pipeline.render.compose import compose_factsheet, compose_handbook

    for lang in project.edition.languages:
        handbook = default_build / lang / f"handbook-{lang}.pdf"
        handbook_text = _words(pdf_text(handbook))
        assert PdfReader(handbook).metadata["/Title"] == compose_handbook(project, lang).meta.title
        for topic in project.topic_ids:
            doc = compose_factsheet(project, lang, topic)
            pdf = default_build / lang / "factsheets" / f"{topic}-{lang}.pdf"
            text = _words(pdf_text(pdf))
            assert _words(doc.chapters[0].title) in text
            assert _words("".join(s.text for s in doc.chapters[0].lead)) in text
            assert doc.meta.reference in text
            assert _words(doc.chapters[0].title) in handbook_text


@pytest.mark.slow
def test_outputs_name_the_tool_and_version(default_build: Path):
    producer = f"{DISTRIBUTION} {WHEEL_VERSION}"
    pdf = PdfReader(default_build / "en" / "handbook-en.pdf")
    assert pdf.metadata["/Creator"] == producer
    assert pdf.metadata["/Producer"].startswith("WeasyPrint ")
    assert f"<xmp:CreatorTool>{producer}</xmp:CreatorTool>".encode() in \
        pdf.trailer["/Root"]["/Metadata"].get_object().get_data()
    with zipfile.ZipFile(default_build / "fr" / "factsheets" / f"{_first_topic()}-fr.docx") as docx:
        app = docx.read("docProps/app.xml").decode()
    assert f"<Application>{producer}</Application>" in app


def _first_topic() -> str:
    import yaml

    return yaml.safe_load((CONTENT / "edition.yaml").read_text(encoding="utf-8"))["topics"][0]["id"]


@pytest.mark.slow
def test_declared_dependencies_are_enough(installed: Installed, tmp_path: Path):
    """Every third-party module a build imports belongs to a required distribution,
    so a real `pip install` of the wheel (which installs only those) would work."""
    shutil.copytree(CONTENT, tmp_path / "content")
    script = r"""
import json, re, sys
from importlib import metadata
from pipeline.cli import main
topic, borrowed = sys.argv[1:]
sys.argv = ["pipeline", "build", "--jobs", "1", "--lang", "fr", "--topic", topic, "--no-handbook"]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

# The requirement closure, with the extras asked for (weasyprint needs fonttools[woff]).
needed, seen, todo = set(), set(), [("briefings-pipeline", ())]
while todo:
    name, extras = todo.pop()
    if (norm(name), extras) in seen:
        continue
    seen.add((norm(name), extras))
    try:
        requires = metadata.requires(name) or []
    except metadata.PackageNotFoundError:  # excluded by its marker (e.g. brotlicffi off PyPy)
        continue
    needed.add(norm(name))
    for req in requires:
        spec, _, marker = req.partition(";")
        wanted = re.findall(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if wanted and not set(map(norm, wanted)) & set(extras):
            continue
        dep, _, more = re.match(r"\s*([A-Za-z0-9._-]+)\s*(\[([^\]]*)\])?", spec).groups()
        todo.append((dep, tuple(sorted(norm(e) for e in (more or "").split(",") if e.strip()))))
owners = metadata.packages_distributions()
modules = {}
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None)
    if path and path.startswith(borrowed):
        top = module.__name__.partition(".")[0]
        modules[top] = sorted(norm(d) for d in owners.get(top, ["?"]))
print(json.dumps({"needed": sorted(needed), "modules": modules}))
"""
    borrowed = sysconfig.get_paths()["purelib"]
    result = subprocess.run([installed.python, "-c", script, _first_topic(), borrowed], cwd=tmp_path,
                            env=clean_env(), capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    needed = set(report["needed"])
    assert {"weasyprint", "python-docx", "jinja2"} <= needed
    assert "weasyprint" in report["modules"]  # the build really ran on borrowed packages
    strays = {top: owners for top, owners in report["modules"].items() if not needed & set(owners)}
    assert not strays, f"imported but not required by the wheel: {strays}"


# --- the override folder -----------------------------------------------------------------


@dataclass
class Raster:
    width: int
    height: int
    pixels: bytes  # RGB

    def at(self, x: int, y: int) -> tuple[int, int, int]:
        i = 3 * (y * self.width + x)
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]

    def coordinates(self) -> Iterator[tuple[int, int]]:
        for y in range(self.height):
            for x in range(self.width):
                yield x, y


def raster(pdf: Path, page: int, tmp_path: Path, dpi: int = 24) -> Raster:
    """One page as RGB pixels (poppler's PPM output: a text header, then raw bytes)."""
    stem = tmp_path / f"{pdf.stem}-{page}-{hashlib.md5(str(pdf).encode()).hexdigest()[:6]}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True)
    data = stem.with_suffix(".ppm").read_bytes()
    magic, width, height, _maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6"
    return Raster(int(width), int(height), pixels)


def _close(colour: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=True))


@pytest.mark.slow
def test_override_changes_the_masthead_colour_and_nothing_else(default_build: Path, override_build: Path,
                                                              project, tmp_path: Path):
    pdfs = sorted(p.relative_to(override_build) for p in override_build.rglob("*.pdf"))
    assert len(pdfs) == len([n for n in _expected_documents() if n.endswith(".pdf")])
    for name in pdfs:
        before, after = PdfReader(default_build / name), PdfReader(override_build / name)
        assert len(after.pages) == len(before.pages), name
        assert pdf_text(override_build / name) == pdf_text(default_build / name), name
    for lang in project.edition.languages:
        name = Path(lang) / "factsheets" / f"{_first_topic()}-{lang}.pdf"
        old, new = raster(default_build / name, 1, tmp_path), raster(override_build / name, 1, tmp_path)
        green = [(x, y) for x, y in new.coordinates() if _close(new.at(x, y), OVERRIDE_GREEN)]
        assert len(green) > 0.03 * new.width * new.height, "the title band is not green"
        assert not any(_close(old.at(x, y), OVERRIDE_GREEN) for x, y in old.coordinates())
        # Every pixel that changed lies in the band (its box, plus a pixel of anti-aliasing).
        left, right = min(x for x, _ in green) - 1, max(x for x, _ in green) + 1
        top, bottom = min(y for _, y in green) - 1, max(y for _, y in green) + 1
        changed = [(x, y) for x, y in new.coordinates() if new.at(x, y) != old.at(x, y)]
        assert changed and all(left <= x <= right and top <= y <= bottom for x, y in changed)
        # Any further page has no title band: identical.
        for page in range(2, len(PdfReader(default_build / name).pages) + 1):
            assert raster(default_build / name, page, tmp_path).pixels == \
                raster(override_build / name, page, tmp_path).pixels


def _stamps(build: Path) -> dict[str, tuple[int, str]]:
    return {str(p.relative_to(build)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in build.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_broken_override_is_one_located_error_and_outputs_stay(installed: Installed, override_build: Path):
    work = override_build.parent.parent / "work-broken"
    shutil.copytree(override_build.parent, work)
    build = work / "build"
    before = _stamps(build)
    broken = work / "content" / "theme" / "factsheet.html.j2"
    broken.write_text('{% extends "base.html.j2" %}\n{% block body %}\n<h1>{{ chapters[0].title }</h1>\n'
                      "{% endblock %}\n", encoding="utf-8")
    result = installed.run("build", cwd=work)  # every PDF is due: its override folder changed
    assert result.returncode == 1
    assert result.stderr == "Error: content/theme/factsheet.html.j2:3: unexpected '}'\n"
    assert _stamps(build) == before
