"""Hostile input on every surface: content YAML, branding, the theme folder, pictures, XLIFF,
the preview's HTTP, release folders and signals (issue 19, SECURITY.md).

Every case runs as a user would (the CLI, in-process; a subprocess where a process must die)
and asserts, beside its own expectation:

- refused with a located one-line message (`file:line: field: message`) and exit 1, or
  handled; never a traceback (the CLI runs with `catch_exceptions=False`);
- nothing read outside the content folder: a *canary* folder beside it holds files whose
  text would show in any output if they were read (a template, a stylesheet, YAML, an SVG,
  a whole theme); their access times, set before their modification times so that any
  read moves them (relatime), must not change, and their text (`MARK`) must appear in no
  output, message or log;
- no connection to a *canary port*, a socket listening on 127.0.0.1 that records them;
- nothing written when refused: the good outputs of an earlier build stay byte-identical;
- nothing left running.

Kept cheap: most refusals happen in `validate` (no rendering); the few cases that must
render build one English factsheet in-process (`-j 1`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from pipeline.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
MARK = "CANARY-9D4BE1"  # the canary's text: it must never show anywhere
LINUX = sys.platform.startswith("linux")


# --- the canary folder and the canary port ------------------------------------------------------


class Canary:
    """Files outside the content folder, each of which would print MARK if a build read it."""

    FILES: ClassVar[dict[str, str]] = {
        "canary.txt": f"{MARK}\n",
        "canary.j2": f"<p>{MARK}</p>\n",
        "canary.css": f'.title-band::after {{ content: "{MARK}"; }}\n',
        "canary.yaml": f"id: alpha\ntitle: {MARK}\nlead: {MARK}\n",
        "canary.svg": f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><text>{MARK}</text></svg>\n',
        "theme/extra.css": f'.title-band::after {{ content: "{MARK}"; }}\n',
        "theme/factsheet.html.j2": f'{{% extends "base.html.j2" %}}{{% block body %}}<p>{MARK}</p>{{% endblock %}}\n',
        "lang/_strings.yaml": f"language: es\nlabels: {{contents: {MARK}}}\n",
    }

    def __init__(self, folder: Path):
        self.folder = folder
        for name, text in self.FILES.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            stat = path.stat()
            # atime before mtime: under relatime (and strictatime) the next read moves it.
            os.utime(path, ns=(stat.st_mtime_ns - 3_600_000_000_000, stat.st_mtime_ns))
        self.stamps = self._stamps()

    def __truediv__(self, name: str) -> Path:
        return self.folder / name

    def _stamps(self) -> dict[str, int]:
        return {name: (self.folder / name).stat().st_atime_ns for name in self.FILES}

    def check(self) -> None:
        read = [name for name, atime in self._stamps().items() if atime != self.stamps[name]]
        assert not read, f"read outside the content folder: {read}"


class CanaryPort:
    """A socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[tuple[str, int]] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.connections.append(peer)
            conn.close()

    def check(self) -> None:
        assert not self.connections, f"the canary port was connected to: {self.connections}"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def port():
    canary = CanaryPort()
    yield canary
    canary.close()


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """One English factsheet (PDF and DOCX) built from the valid fixture: the good outputs."""
    content = tmp_path_factory.mktemp("good") / "content"
    shutil.copytree(FIXTURES / "valid", content)
    build_dir = content.parent / "build"
    result = _invoke("--content", content, "--build-dir", build_dir, "build", "--lang", "en", "--topic", "alpha",
                     "--no-handbook", "-j", "1")
    assert result.exit_code == 0, result.output
    return build_dir


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _children() -> set[int]:
    """Live child processes of this process (zombies are reaped ones' ghosts: ignored)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def _outputs(build_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(build_dir)): p.read_bytes() for p in sorted(build_dir.rglob("*"))
            if p.is_file() and p.suffix in (".pdf", ".docx")}


def _text_of(path: Path) -> str:
    """What a reader of an output sees: a PDF's text, a DOCX's XML."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    with zipfile.ZipFile(path) as docx:
        return "\n".join(docx.read(name).decode("utf-8", "replace") for name in docx.namelist()
                         if name.endswith(".xml"))


@dataclass
class Case:
    """One hostile case: a fresh content folder, the canary beside it, the good outputs."""

    content: Path
    canary: Canary
    port: CanaryPort
    build_dir: Path
    good: dict[str, bytes]
    children: set[int]
    messages: list[str] = field(default_factory=list)

    def run(self, *args: object):
        result = _invoke("--content", self.content, "--build-dir", self.build_dir, *args)
        self.messages.append(result.output)
        assert "Traceback" not in result.output
        return result

    def validate(self):
        return self.run("validate")

    def build(self, *formats: str):
        fmts = [arg for fmt in formats or ("pdf",) for arg in ("--format", fmt)]
        return self.run("build", "--lang", "en", *fmts, "--topic", "alpha", "--no-handbook", "-j", "1")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.content / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def set_branding(self, line: str) -> int:
        """Append a line to branding.yaml; returns its line number."""
        path = self.content / "branding.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([*lines, line]) + "\n", encoding="utf-8")
        return len(lines) + 1

    def theme(self, files: dict[str, str] | None = None, folder: str = "theme") -> Path:
        self.set_branding(f"templates: {folder}")
        target = self.content / folder
        target.mkdir(parents=True, exist_ok=True)
        for name, text in (files or {}).items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(text, encoding="utf-8")
        return target

    def refused(self, result, where: str, pattern: str) -> None:
        """Exit 1 with a located line `where:line: pattern` (where: a path under the content
        folder, or another name); nothing written."""
        assert result.exit_code == 1, result.output
        path = re.escape(str(self.content / where) if not where.startswith("/") else where)
        assert re.search(rf"^(Error: )?(\S+: )?{path}:\d+: {pattern}", result.stderr, re.MULTILINE), result.stderr
        assert _outputs(self.build_dir) == self.good, "an output was written or changed"


@pytest.fixture
def case(tmp_path, port, good_build):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    build_dir = tmp_path / "build"
    shutil.copytree(good_build, build_dir)
    before = _children()
    this = Case(content, Canary(tmp_path / "outside"), port, build_dir, _outputs(build_dir), before)
    yield this
    this.canary.check()
    port.check()
    for text in this.messages:
        assert MARK not in text
    for path in build_dir.rglob("*"):
        if path.suffix in (".pdf", ".docx") and path.read_bytes() != this.good.get(str(path.relative_to(build_dir))):
            assert MARK not in _text_of(path)
    assert _children() <= before, "a process was left running"


# --- content YAML ---------------------------------------------------------------------------------


def test_a_20_mb_paragraph_is_refused_by_its_size_before_parsing(case):
    """Issue table: `validate` took 236 s and 400 MB. Refused by the file's size, unread."""
    path = case.content / "en" / "alpha.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("lead2: " + "word " * 4_000_000 + "\n")
    size = path.stat().st_size
    case.refused(case.validate(), "en/alpha.yaml", rf"file of {size / 2**20:.1f} MB: a topic file may be at most ")
    case.refused(case.build(), "en/alpha.yaml", "file of ")


def test_an_overlong_paragraph_is_refused_with_its_line(case):
    """Issue table: a 1 MB paragraph took 14 s to validate and 65 s to be refused by the build."""
    case.edit("en/alpha.yaml", '  - Alpha affects everyone; is it "serious"? Yes!', "  - " + "Alpha word " * 6_000)
    case.refused(case.validate(), "en/alpha.yaml", r"intro\[0\]: text of [\d,]+ characters: a text may have at most ")


def test_a_topic_too_long_for_two_pages_is_refused_by_validate(case):
    paragraph = "Alpha networks move goods across borders through ports and airports. " * 50
    case.edit("en/alpha.yaml", '  - Alpha affects everyone; is it "serious"? Yes!',
              "\n".join(f"  - {paragraph}Part {i}." for i in range(7)))
    case.refused(case.validate(), "en/alpha.yaml", r"the topic has \d{2},\d{3} characters of text: a factsheet holds ")
    case.refused(case.build(), "en/alpha.yaml", "the topic has ")


def test_a_topic_file_linking_outside_is_refused_unread(case):
    (case.content / "en" / "alpha.yaml").unlink()
    (case.content / "en" / "alpha.yaml").symlink_to(case.canary / "canary.yaml")
    case.refused(case.validate(), "en/alpha.yaml", "links to a file outside the content folder")


def test_a_translation_record_linking_outside_is_refused_unread(case):
    (case.content / "translations" / "fr.yaml").unlink()
    (case.content / "translations" / "fr.yaml").symlink_to(case.canary / "canary.yaml")
    case.refused(case.validate(), "translations/fr.yaml", "links to a file outside the content folder")


def test_schema_headers_leave_a_file_linking_outside_unread(case):
    (case.content / "en" / "gamma.yaml").symlink_to(case.canary / "canary.yaml")
    result = case.run("schema", "--check")
    assert result.exit_code == 1 and "gamma" not in result.output  # the others lack headers; that one is skipped


def test_a_language_folder_linking_outside_is_refused_unread(case):
    (case.content / "es").symlink_to(case.canary / "lang", target_is_directory=True)
    case.refused(case.validate(), "es/_strings.yaml", "links to a file outside the content folder")


def test_yaml_that_would_run_python_is_refused(case, tmp_path):
    evidence = tmp_path / "ran"
    case.edit("en/alpha.yaml", "lead: Alpha is a test topic.",
              f'lead: !!python/object/apply:os.system ["touch {evidence}"]')
    case.refused(case.validate(), "en/alpha.yaml", r"quote this text: .*\(unsupported YAML tag")
    assert not evidence.exists()


def test_yaml_aliases_cannot_expand(case):
    case.edit("en/alpha.yaml", "lead: Alpha is a test topic.", "lead: &a Alpha\ntitle2: *a")
    case.refused(case.validate(), "en/alpha.yaml", "quote this text: a text that starts with & is read as a YAML "
                 "anchor")


def test_a_content_link_to_a_local_address_is_refused(case):
    """A link is printed, never fetched; one to a bare address is not a web address a reader can use."""
    case.edit("en/alpha.yaml", '"serious"? Yes!', f'"serious"? [Yes]({case.port.url.replace("http", "https")})!')
    case.refused(case.validate(), "en/alpha.yaml", r"intro\[0\]: link target .* is not a valid web address")


# --- branding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["/etc", "ABSOLUTE", "../..", "../outside/theme", "theme/../../outside/theme"])
def test_a_theme_folder_outside_the_content_folder_is_refused(case, folder):
    """Issue table: `templates: /etc` and `../..` were accepted; the fingerprint read every file under them."""
    folder = str(case.canary / "theme") if folder == "ABSOLUTE" else folder
    line = case.set_branding(f"templates: {folder}")
    message = "'.*' is not a folder inside the content folder"
    result = case.validate()
    case.refused(result, "branding.yaml", f"templates: {message}")
    assert f"branding.yaml:{line}: templates:" in result.stderr
    case.refused(case.build(), "branding.yaml", f"templates: {message}")


def test_a_theme_folder_that_is_a_link_outside_is_refused(case):
    (case.content / "theme").symlink_to(case.canary / "theme", target_is_directory=True)
    case.set_branding("templates: theme")
    case.refused(case.validate(), "branding.yaml", "templates: theme links to a folder outside the content folder")
    case.refused(case.build(), "branding.yaml", "templates: ")


def test_a_missing_font_is_refused_by_validate_and_the_docx_is_not_rewritten(case):
    """Issue table: validate passed; the build rewrote the DOCX, then failed on the PDF."""
    case.edit("branding.yaml", "body: Noto Serif", "body: No Such Font")
    case.refused(case.validate(), "branding.yaml", "fonts.body: font 'No Such Font' is not installed")
    case.refused(case.build("pdf", "docx"), "branding.yaml", "fonts.body: font 'No Such Font' is not installed")


def test_a_docx_is_not_rewritten_when_the_pdf_of_its_document_fails(case):
    """What validate cannot predict (a topic a little too long for two pages) fails the PDF
    in layout: the DOCX of the same document, rendered fine, is not written either."""
    paragraph = "Alpha networks move goods across borders through ports and airports. " * 45
    case.edit("en/alpha.yaml", '  - Alpha affects everyone; is it "serious"? Yes!',
              "\n".join(f"  - {paragraph}Part {i}." for i in range(3)))
    assert case.validate().exit_code == 0
    result = case.build("pdf", "docx")
    assert result.exit_code == 1
    assert "Error: en/factsheets/alpha-en.pdf: factsheet COM/FS/2026-11/ALP-01 (en, a4) runs to 3 pages" \
        in result.stderr
    assert ("Error: en/factsheets/alpha-en.docx: not written: en/factsheets/alpha-en.pdf failed (the formats "
            "of a document are written together)") in result.stderr
    assert _outputs(case.build_dir) == case.good
    assert not [p for p in case.build_dir.rglob(".*") if ".part-" in p.name]


def test_a_missing_font_of_one_language_is_refused_with_its_line(case):
    case.edit("branding.yaml", "  heading: Noto Sans\n",
              "  heading: Noto Sans\n  by_language:\n    fr: {body: Noto Serif, heading: Nowhere Sans}\n")
    case.refused(case.validate(), "branding.yaml", r"fonts.by_language.fr.heading: font 'Nowhere Sans' is not ")


def test_a_logo_outside_the_assets_is_refused(case):
    (case.content / "assets").mkdir()
    (case.content / "assets" / "logo.svg").symlink_to(case.canary / "canary.svg")
    case.edit("branding.yaml", "logo: null", "logo: logo.svg")
    case.refused(case.validate(), "branding.yaml", "logo: assets/logo.svg links to a file outside")


def test_an_oversized_branding_file_is_refused_unparsed(case):
    with (case.content / "branding.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# " + "x" * 2 * 2**20 + "\n")
    case.refused(case.validate(), "branding.yaml", "file of 2.0 MB: a content file may be at most 1.0 MB")


# --- the theme folder -------------------------------------------------------------------------------


UNSAFE = {
    "globals": "{{ cycler.__init__.__globals__.os.popen('touch EVIDENCE').read() }}",
    "class": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "item": "{{ cycler['__init__'] }}",
    "attr filter": "{{ cycler | attr('__init__') }}",
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_a_template_reaching_python_internals_is_refused_never_run(case, tmp_path, kind):
    """Issue table: the shell command ran (as root) and `validate` said the content was valid."""
    evidence = tmp_path / "ran"
    body = UNSAFE[kind].replace("EVIDENCE", str(evidence))
    case.theme({"factsheet.html.j2": f'{{% extends "base.html.j2" %}}\n{{% block body %}}\n<p>{body}</p>\n'
                                     "{% endblock %}\n"})
    case.refused(case.validate(), "theme/factsheet.html.j2", "template: unsafe ")
    case.refused(case.build(), "theme/factsheet.html.j2", "template: unsafe ")
    assert not evidence.exists()


def test_unsafe_access_built_at_run_time_is_stopped_by_the_sandbox(case):
    """What no static check can see (a name built at run time) the sandbox refuses while rendering."""
    case.theme({"factsheet.html.j2": '{% extends "base.html.j2" %}\n{% block body %}\n'
                                     "<p>{{ cycler | attr('_' ~ '_init_' ~ '_') }}</p>\n{% endblock %}\n"})
    assert case.validate().exit_code == 0
    case.refused(case.build(), "theme/factsheet.html.j2", "template: unsafe: ")


def test_a_template_cannot_read_files_through_the_paths_it_is_given(case):
    """`doc.templates` is a path: its methods (read_text, open, unlink...) are not for templates."""
    rel = os.path.relpath(case.canary / "canary.txt", case.content / "theme")
    case.theme({"factsheet.html.j2": '{% extends "base.html.j2" %}\n{% block body %}\n'
                                     f"<p>{{{{ doc.templates.joinpath('{rel}').read_text() }}}}</p>\n"
                                     "{% endblock %}\n"})
    case.refused(case.build(), "theme/factsheet.html.j2", "template: unsafe: ")


def test_a_theme_template_linking_outside_is_refused(case):
    """Issue table: theme/leak.j2, a link to /etc/passwd included by a theme template, was printed in the PDF."""
    folder = case.theme({"factsheet.html.j2": '{% extends "base.html.j2" %}\n{% block body %}\n'
                                              '{% include "leak.j2" %}\n{% endblock %}\n'})
    (folder / "leak.j2").symlink_to(case.canary / "canary.j2")
    case.refused(case.validate(), "branding.yaml", "templates: theme/leak.j2 links to a file outside the theme folder")
    case.refused(case.build(), "branding.yaml", "templates: theme/leak.j2 links to ")


def test_a_theme_stylesheet_linking_outside_is_refused(case):
    """Issue table: theme/extra.css, a link to a file outside, had its rules applied."""
    folder = case.theme()
    (folder / "extra.css").symlink_to(case.canary / "canary.css")
    case.refused(case.validate(), "branding.yaml", "templates: theme/extra.css links to a file outside the theme")
    case.refused(case.build(), "branding.yaml", "templates: theme/extra.css links to ")


def test_a_theme_subfolder_linking_outside_is_refused(case):
    folder = case.theme()
    (folder / "partials").symlink_to(case.canary / "theme", target_is_directory=True)
    case.refused(case.validate(), "branding.yaml", "templates: theme/partials links to a folder outside the theme")


@pytest.mark.parametrize("url", ["PORT", "file:///CANARY", "notes.txt"])
def test_a_theme_stylesheet_cannot_fetch_outside(case, url):
    """Nor a file of its own folder that a build may not use (not fingerprinted either)."""
    url = {"PORT": case.port.url, "file:///CANARY": (case.canary / "canary.css").as_uri()}.get(url, url)
    case.theme({"extra.css": f'@import url("{url}");\n', "notes.txt": f"p::after {{ content: '{MARK}' }}"})
    result = case.build()
    assert result.exit_code == 1 and "refused to load" in result.stderr
    assert _outputs(case.build_dir) == case.good


def test_a_theme_template_cannot_fetch_outside(case):
    case.theme({"factsheet.html.j2": '{% extends "base.html.j2" %}\n{% block body %}\n'
                                     f'<img src="{case.port.url}x.png" alt="x">\n{{% endblock %}}\n'})
    result = case.build()
    assert result.exit_code == 1 and "refused to load" in result.stderr
    assert _outputs(case.build_dir) == case.good


def test_an_oversized_theme_file_is_refused(case):
    case.theme({"extra.css": "/* " + "x" * 600 * 1024 + " */\n"})
    case.refused(case.validate(), "branding.yaml", "templates: theme/extra.css is 600 KB: a template or stylesheet ")


def test_a_theme_with_too_many_files_is_refused(case):
    case.theme({f"icons/{i}.svg": "<svg/>" for i in range(260)})
    case.refused(case.validate(), "branding.yaml", "templates: theme holds more than ")


def test_a_good_theme_builds_and_only_its_templates_are_read(case):
    """Handled: a theme with a stylesheet builds; a file a build cannot use (notes.txt) is not read."""
    folder = case.theme({"extra.css": ".title-band { background: #0B6E4F; }\n"})
    notes = folder / "notes.txt"
    notes.write_text(MARK, encoding="utf-8")
    stat = notes.stat()
    os.utime(notes, ns=(stat.st_mtime_ns - 3_600_000_000_000, stat.st_mtime_ns))
    atime = notes.stat().st_atime_ns
    assert case.validate().exit_code == 0
    result = case.build()
    assert result.exit_code == 0, result.output
    assert notes.stat().st_atime_ns == atime


def test_a_template_cannot_exhaust_memory(case):
    case.theme({"factsheet.html.j2": '{% extends "base.html.j2" %}\n{% block body %}\n'
                                     "<p>{{ 'x' * 100000000 }}</p>\n{% endblock %}\n"})
    case.refused(case.build(), "theme/factsheet.html.j2", "template: unsafe: ")


def test_the_sandbox_allows_the_renderers_values_and_nothing_reaching_the_machine(tmp_path):
    """The sandbox itself, on values a template could meet (a unit test: no rendering)."""
    import datetime
    import types

    from jinja2 import StrictUndefined
    from jinja2.sandbox import SecurityError

    from pipeline.render.sandbox import Environment

    env = Environment(autoescape=True, undefined=StrictUndefined)  # as the renderer's
    values = {"path": tmp_path / "logo.svg", "date": datetime.date(2026, 11, 24), "labels": {"a": "b"},
              "module": types, "holder": {"os": os}}
    assert env.from_string("{{ path.name }} {{ date.isoformat() }} {{ labels.a }} {{ 2 ** 10 }}").render(
        **values) == "logo.svg 2026-11-24 b 1024"
    for unsafe in ("{{ path.read_text() }}", "{{ path.parent }}", "{{ module.ModuleType }}",
                   "{{ holder.os.system('true') }}",
                   "{{ 'x' * 1000000 }}", "{{ 2 ** 100000 }}", "{{ [1] * 200000 }}", "{{ labels.pop('a') }}"):
        with pytest.raises(SecurityError):
            env.from_string(unsafe).render(**values)
    assert values["labels"] == {"a": "b"}


# --- pictures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["link", "path"])
def test_a_figure_outside_the_assets_is_refused(case, how):
    (case.content / "assets").mkdir()
    if how == "link":
        (case.content / "assets" / "map.svg").symlink_to(case.canary / "canary.svg")
        src = "map.svg"
    else:
        src = "../../outside/canary.svg"
    case.edit("en/alpha.yaml", '  - Alpha affects everyone; is it "serious"? Yes!',
              f"  - figure: {{src: {src}, alt: A map}}")
    case.refused(case.validate(), "en/alpha.yaml", r"intro\[0\]\.figure\.src: ")


def test_an_svg_pointing_at_a_local_port_is_refused(case):
    (case.content / "assets").mkdir()
    (case.content / "assets" / "map.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 4 4">'
        f'<image xlink:href="{case.port.url}" width="4" height="4"/></svg>', encoding="utf-8")
    case.edit("en/alpha.yaml", '  - Alpha affects everyone; is it "serious"? Yes!',
              "  - figure: {src: map.svg, alt: A map}")
    case.refused(case.validate(), "en/alpha.yaml", r"intro\[0\]\.figure\.src: assets/map.svg refers to ")


# --- XLIFF ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xliff(tmp_path_factory) -> str:
    """The fixture's French, exported: the text a translator's tool sends back."""
    folder = tmp_path_factory.mktemp("xliff")
    shutil.copytree(FIXTURES / "valid", folder / "content")
    out = folder / "fr.xlf"
    result = _invoke("--content", folder / "content", "translations", "export", "--lang", "fr", "-o", out)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


LEAD = "<target>Alpha est un thème de test.</target>"


def test_an_xliff_with_a_50_mb_target_is_refused_by_its_size(case, xliff, tmp_path):
    """Issue table: imported after 100-160 s; the content then held a 50 MB lead."""
    path = tmp_path / "fr.xlf"
    assert LEAD in xliff
    with path.open("w", encoding="utf-8") as handle:
        head, tail = xliff.split(LEAD)
        handle.write(head + "<target>")
        chunk = "Alpha est un thème de test. " * 1000
        for _ in range(50_000_000 // len(chunk)):
            handle.write(chunk)
        handle.write("</target>" + tail)
    before = _snapshot(case.content)
    result = case.run("translations", "import", path)
    assert result.exit_code == 1
    size = path.stat().st_size / 2**20
    assert result.stderr == f"Error: {path}: file of {size:.1f} MB: an XLIFF file may be at most 8.0 MB\n"
    assert _snapshot(case.content) == before


def test_an_xliff_target_over_the_text_limit_is_refused(case, xliff, tmp_path):
    path = tmp_path / "fr.xlf"
    path.write_text(xliff.replace(LEAD, "<target>" + "Alpha est long. " * 5_000 + "</target>"), encoding="utf-8")
    before = _snapshot(case.content)
    result = case.run("translations", "import", path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path}: unit alpha:lead: target of 80,000 characters: "
                             "a text may have at most 15,000\n")
    assert _snapshot(case.content) == before


def test_an_import_reads_nothing_a_link_in_the_content_folder_points_to(case, xliff, tmp_path):
    """Handled: an import checks its result in a scratch copy of the content folder; a link
    there to a file outside (which no content file names) is copied as a link, not read."""
    (case.content / "notes.txt").symlink_to(case.canary / "canary.txt")
    path = tmp_path / "fr.xlf"
    path.write_text(xliff.replace(LEAD, "<target>Alpha est un thème d'essai.</target>"), encoding="utf-8")
    result = case.run("translations", "import", path)
    assert result.exit_code == 0, result.output
    assert "Alpha est un thème d'essai." in (case.content / "fr" / "alpha.yaml").read_text(encoding="utf-8")


def test_an_xliff_entity_cannot_read_the_canary(case, xliff, tmp_path):
    path = tmp_path / "fr.xlf"
    text = xliff.replace("<xliff ", f'<!DOCTYPE xliff [<!ENTITY x SYSTEM "{(case.canary / "canary.txt").as_uri()}">]>'
                                    "\n<xliff ", 1)
    path.write_text(text.replace(LEAD, "<target>&x;</target>"), encoding="utf-8")
    result = case.run("translations", "import", path)
    assert result.exit_code == 1 and "refused: the file has a DOCTYPE" in result.stderr


# --- release folders --------------------------------------------------------------------------------


def _release_set(folder: Path, files: dict[str, bytes]) -> None:
    import hashlib

    folder.mkdir()
    listed = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        listed.append({"path": name, "sha256": hashlib.sha256(data).hexdigest()})
    manifest = json.dumps({"files": listed}).encode()
    (folder / "manifest.json").write_bytes(manifest)
    sums = {**{f["path"]: f["sha256"] for f in listed}, "manifest.json": hashlib.sha256(manifest).hexdigest()}
    (folder / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()))


def test_verify_does_not_follow_a_link_out_of_the_set(case, tmp_path):
    """A set whose listed file is a link to a file outside with the listed checksum: not a file of the set."""
    folder = tmp_path / "set"
    _release_set(folder, {"a.pdf": b"%PDF-1.7 good", "b.pdf": Canary.FILES["canary.txt"].encode()})
    (folder / "b.pdf").unlink()
    (folder / "b.pdf").symlink_to(case.canary / "canary.txt")
    result = case.run("release", "--verify", folder)
    assert result.exit_code == 1
    assert "Error: not a file: b.pdf (a link: a release set holds files only)" in result.stderr


def test_verify_does_not_read_paths_the_manifest_names_outside_the_set(case, tmp_path):
    folder = tmp_path / "set"
    outside = os.path.relpath(case.canary / "canary.txt", folder)
    _release_set(folder, {"a.pdf": b"%PDF-1.7 good"})
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"].append({"path": outside, "sha256": "0" * 64})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = case.run("release", "--verify", folder)
    assert result.exit_code == 1
    assert f"Error: missing: {outside}" in result.stderr


# --- the preview's HTTP and signals ------------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.add(pid)
    return alive


def _until(check, timeout: float, what: str):
    """Poll `check()` until it returns something true (no fixed sleeps: a deadline only)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def _drain_to_eof(stream, timeout: float) -> bytes:
    """Everything left on a pipe, asserting that it reaches end of file in time."""
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "the pipe is still held open by a process that outlived the command"
            if selector.select(left):
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    return data
                data += chunk


def _kill_and_check(proc: subprocess.Popen, processes: set[int]) -> bytes:
    """kill -9 `proc`; its descendants must all be gone and its pipes closed within seconds."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        err = _drain_to_eof(proc.stderr, 5)
        _drain_to_eof(proc.stdout, 5)
        _until(lambda: not _alive(processes), 5, f"processes {sorted(_alive(processes))} still running")
    finally:
        for pid in _alive(processes):  # never leave one behind, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return err


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="finds the processes through /proc")
def test_kill_9_of_a_build_leaves_no_worker_and_closes_the_pipes(case):
    """Issue table: both workers lived on forever, holding the caller's stdout, so a script hung."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--content", str(case.content), "--build-dir",
                             str(case.content.parent / "killed"), "build", "--lang", "en", "--topic", "alpha",
                             "--no-handbook", "-j", "2", "--force"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        workers = _until(lambda: len(_descendants(proc.pid)) >= 2 and _descendants(proc.pid), 60, "two workers")
    except BaseException:
        proc.kill()
        raise
    _kill_and_check(proc, workers)


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="finds the processes through /proc")
def test_preview_ignores_dropped_clients_and_its_worker_dies_with_it(case):
    """Issue table: a client dropping a half-sent request printed a traceback per request. Then
    kill -9: the preview's render worker must not outlive it (nor hold its stderr open)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from preview_support import PreviewProcess

    with PreviewProcess(case.content, "alpha", "--lang", "en") as preview:
        for request in (b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % preview.port, b"GET /state.js",
                        b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % preview.port):
            with socket.create_connection(("127.0.0.1", preview.port)) as sock:
                sock.sendall(request)
                # Close with a reset, as a client that gives up does.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert preview.get("/state.json")[0] == 200
        assert preview.get("/state.json", host="evil.example:80")[0] == 403
        assert preview.get("/pages/../../etc/passwd")[0] == 404
        workers = _until(lambda: _descendants(preview.proc.pid), 60, "the preview's render worker")
        err = _kill_and_check(preview.proc, workers).decode()
    assert "Traceback" not in err and "Exception" not in err, err


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="finds the processes through /proc")
def test_the_office_a_release_starts_dies_with_it(tmp_path):
    """A release lays DOCX files out in LibreOffice: a script that starts a launcher that
    starts the office. Here a stand-in office (a script that starts a child and waits) is
    run the same way (`docx_pages.probe`); kill -9 of the caller must end all of it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "soffice").write_text("#!/bin/sh\necho 'LibreOffice 0.0 stand-in'\n", encoding="utf-8")
    office = bin_dir / "office"
    office.write_text("#!/bin/sh\nsleep 120 &\necho started\nsleep 120\n", encoding="utf-8")
    for script in (bin_dir / "soffice", office):
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PIPELINE_UNO_PYTHON": str(office)}
    env.pop("PIPELINE_OFFICE", None)  # a release's own office, not the session's
    caller = ("from pathlib import Path; from pipeline.release.docx_pages import probe; "
              f"probe([Path({str(tmp_path / 'x.docx')!r})], Path({str(tmp_path)!r}))")
    proc = subprocess.Popen([sys.executable, "-c", caller], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:  # the guard, the office and its child: two of them are `sleep`
        tree = _until(lambda: (found := _descendants(proc.pid)) and
                      sum(_command(pid) == "sleep" for pid in found) == 2
                      and found, 30, "the stand-in office and its child")
    except BaseException:
        proc.kill()
        raise
    _kill_and_check(proc, tree)
