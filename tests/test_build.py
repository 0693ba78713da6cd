"""The build as users meet it: layout, incremental rules, atomic writes, locking, exit statuses."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from session_outputs import FIXTURES, all_cores, cli_build

from pipeline.engine import workers as workers_module
from pipeline.files.output import build_lock

FORMATS = ("pdf", "docx")
FIXTURE = FIXTURES / "valid"


def names(build_dir: Path) -> set[str]:
    return {str(p.relative_to(build_dir)) for p in build_dir.rglob("*") if p.is_file() and
            not p.name.startswith(".")}


def built_lines(output: str) -> set[str]:
    return {line.split()[1] for line in output.splitlines() if line.startswith("built")}


def clean_build(shared) -> Path:
    """The tiny fixture (`content/`) and one clean build of it in both formats (`build/`),
    made once per session through the CLI; read-only (copy it to change it)."""

    def make(folder: Path) -> None:
        shutil.copytree(FIXTURE, folder / "content")
        cli_build(folder / "content", folder / "build", "--jobs", "2")

    return shared.folder("fixture-clean-build", make)


@pytest.fixture
def fixture_build(shared, tmp_path, run_cli):
    """A copy of the tiny fixture and of its clean build (both formats), as if just built
    here (copy2 keeps the times the record checks); hands back (content, build dir, run)."""
    made = clean_build(shared)
    content, build_dir = tmp_path / "content", tmp_path / "build"
    shutil.copytree(made / "content", content)
    shutil.copytree(made / "build", build_dir)

    def run(*args: str):
        return run_cli("--content", content, "--build-dir", build_dir, *args)

    return content, build_dir, run


def test_fixed_output_layout(fixture_build):
    _, build_dir, _ = fixture_build
    expected = {f"{lang}/handbook-{lang}.{fmt}" for lang in ("en", "fr") for fmt in FORMATS}
    expected |= {f"{lang}/factsheets/{t}-{lang}.{fmt}" for lang in ("en", "fr") for t in ("alpha", "beta")
                 for fmt in FORMATS}
    assert names(build_dir) == expected


def test_summary_and_noop_build(fixture_build):
    _, _, run = fixture_build
    result = run("build")
    assert result.exit_code == 0
    assert "0 built, 12 up to date, 0 failed in" in result.stdout
    assert result.stdout.count("current ") == 12


def test_quiet_prints_nothing_on_success(fixture_build):
    """Both spellings, each on a build that renders (one document in two formats: what
    `--quiet` leaves out is per-document lines and the summary, whatever their number)."""
    _, build_dir, run = fixture_build
    for spelling, one in ((("--quiet", "build"), ("--lang", "en", "--topic", "alpha")),
                          (("build", "-q"), ("--lang", "fr", "--topic", "beta"))):
        output = build_dir / one[1] / "factsheets" / f"{one[3]}-{one[1]}.pdf"
        before = output.stat().st_mtime_ns
        result = run(*spelling, "--force", "--no-handbook", "--no-packs", *one)
        assert result.exit_code == 0
        assert result.stdout == ""
        assert output.stat().st_mtime_ns != before  # it did render


def test_touching_one_french_topic_rebuilds_only_its_documents(fixture_build):
    content, _, run = fixture_build
    path = content / "fr" / "alpha.yaml"
    path.write_text(path.read_text().replace("Alpha touche", "Alpha concerne"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert built_lines(result.stdout) == {
        "fr/factsheets/alpha-fr.pdf", "fr/factsheets/alpha-fr.docx", "fr/handbook-fr.pdf", "fr/handbook-fr.docx",
    }
    assert "4 built, 8 up to date" in result.stdout


def test_renaming_a_topic_rebuilds_the_factsheets_that_link_to_it(fixture_build):
    content, _, run = fixture_build
    path = content / "en" / "beta.yaml"
    path.write_text(path.read_text().replace("title: Beta crime", "title: Beta offences"), encoding="utf-8")
    result = run("build", "--format", "pdf")
    assert built_lines(result.stdout) == {
        "en/factsheets/beta-en.pdf", "en/factsheets/alpha-en.pdf", "en/handbook-en.pdf"}


def test_strings_change_rebuilds_that_language_only(fixture_build):
    content, _, run = fixture_build
    path = content / "en" / "_strings.yaml"
    path.write_text(path.read_text().replace("key_figure: Key figure", "key_figure: Key number"),
                    encoding="utf-8")
    result = run("build")
    assert {name.split("/")[0] for name in built_lines(result.stdout)} == {"en"}
    assert "6 built, 6 up to date" in result.stdout


def test_options_are_part_of_the_fingerprint(fixture_build):
    _, build_dir, run = fixture_build
    result = run("build", "--paper", "letter", "--format", "pdf", "--no-handbook")
    assert "4 built" in result.stdout
    width = float(PdfReader(build_dir / "en/factsheets/alpha-en.pdf").pages[0].mediabox.width)
    assert round(width) == 612  # 8.5 in


def test_deleted_or_altered_output_is_rebuilt(fixture_build):
    _, build_dir, run = fixture_build
    (build_dir / "en/factsheets/alpha-en.pdf").unlink()
    (build_dir / "fr/handbook-fr.docx").write_bytes(b"not a docx")
    result = run("build")
    assert built_lines(result.stdout) == {"en/factsheets/alpha-en.pdf", "fr/handbook-fr.docx"}


def test_failing_document_keeps_old_output_and_others_build(fixture_build, monkeypatch):
    _, build_dir, run = fixture_build
    target = build_dir / "fr/factsheets/beta-fr.pdf"
    before = target.read_bytes()
    real = workers_module.renderer

    def flaky(fmt):
        render = real(fmt)

        def wrapped(document):
            if document.kind == "factsheet" and document.meta.lang == "fr" and \
                    document.chapters[0].topic_id == "beta" and fmt == "pdf":
                raise RuntimeError("simulated renderer crash")
            return render(document)

        return wrapped

    monkeypatch.setattr(workers_module, "renderer", flaky)
    result = run("build", "--force", "--jobs", "1")
    assert result.exit_code == 1
    assert "Error: fr/factsheets/beta-fr.pdf: RuntimeError: simulated renderer crash" in result.stderr
    # The formats of a document are written together (issue 19): its DOCX keeps its old file too.
    assert "Error: fr/factsheets/beta-fr.docx: not written: fr/factsheets/beta-fr.pdf failed" in result.stderr
    assert "10 built, 0 up to date, 2 failed" in result.stdout
    assert target.read_bytes() == before
    assert not list(build_dir.rglob("*.part-*"))
    # The failure is not recorded as built: the next build retries it.
    monkeypatch.setattr(workers_module, "renderer", real)
    again = run("build")
    assert built_lines(again.stdout) == {"fr/factsheets/beta-fr.pdf"}


def test_interrupted_build_leaves_no_partial_file(fixture_build, monkeypatch):
    _, build_dir, run = fixture_build
    before = {p: p.read_bytes() for p in build_dir.rglob("*.pdf")}
    real_replace = os.replace
    calls = {"n": 0}

    def interrupted_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C between writing the temporary file and renaming it
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupted_replace)
    result = run("build", "--force", "--jobs", "1", "--format", "pdf")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "Aborted!" in result.stderr
    assert not list(build_dir.rglob("*.part-*"))
    for path, data in before.items():
        assert path.exists()
        PdfReader(path)  # every output is a complete PDF: old or new, never half
        assert len(path.read_bytes()) > 1000 or path.read_bytes() == data


def test_stale_part_files_from_a_killed_build_are_removed(fixture_build):
    _, build_dir, run = fixture_build
    stale = build_dir / "en" / ".handbook-en.pdf.part-99999"
    stale.write_bytes(b"%PDF-1.7 half")
    run("build")
    assert not stale.exists()


def _stderr_until_waiting(proc: subprocess.Popen) -> str:
    """Stderr lines up to and including the one saying the build waits (or up to EOF)."""
    lines = []
    for line in iter(proc.stderr.readline, ""):
        lines.append(line)
        if "waiting for another build" in line:
            break
    return "".join(lines)


def test_second_build_waits_for_the_lock(fixture_build):
    content, build_dir, _ = fixture_build
    cmd = [sys.executable, "-m", "pipeline", "--content", str(content), "--build-dir", str(build_dir),
           "build", "--force", "--format", "pdf", "--no-handbook"]
    with build_lock(build_dir):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait for the second build to say it waits (however loaded the machine is);
        # the timer only ends a build that hangs without saying so.
        watchdog = threading.Timer(120, proc.kill)
        watchdog.start()
        # Other lines (a translation-status warning) may come first.
        before = _stderr_until_waiting(proc)
        watchdog.cancel()
        assert proc.poll() is None  # still waiting for us
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, before + err
    assert "waiting for another build to finish" in before
    assert "4 built" in out


@pytest.mark.slow
def test_concurrent_builds_do_not_corrupt_outputs(fixture_copy, tmp_path):
    build_dir = tmp_path / "build"
    cmd = [sys.executable, "-m", "pipeline", "--content", str(fixture_copy), "--build-dir", str(build_dir),
           "build", "--force", "--format", "pdf"]
    results = []

    def go():
        results.append(subprocess.run(cmd, capture_output=True, text=True, timeout=300))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    for pdf in build_dir.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_clean_builds_are_byte_identical(shared, fixture_copy, tmp_path, run_cli):
    """The session's clean build of the fixture, and another one now."""
    digests = []
    for build_dir in (clean_build(shared) / "build", tmp_path / "two"):
        if not build_dir.exists():
            result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build", "--jobs", "2")
            assert result.exit_code == 0, result.output
        digests.append({str(p.relative_to(build_dir)): sha(p) for p in build_dir.rglob("*")
                        if p.suffix in (".pdf", ".docx")})
    assert len(digests[0]) == 12
    assert digests[0] == digests[1]


@pytest.mark.slow
def test_print_mode_handbooks_are_byte_identical_too(fixture_copy, tmp_path, run_cli):
    """Print mode lays the handbook out twice (count, then pad to a multiple of four):
    still the same bytes from one clean build to the next."""
    digests = []
    for name in ("one", "two"):
        build_dir = tmp_path / name
        result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build", "--print",
                         "--format", "pdf", "--no-factsheets", "--jobs", "2")
        assert result.exit_code == 0, result.output
        paths = sorted(build_dir.rglob("handbook-*.pdf"))
        assert [len(PdfReader(path).pages) for path in paths] == [8, 8]  # 7 padded to 8
        digests.append([sha(path) for path in paths])
    assert digests[0] == digests[1]


def test_single_factsheet_to_explicit_path(fixture_copy, tmp_path, run_cli):
    out = tmp_path / "one.pdf"
    result = run_cli("--content", fixture_copy, "--build-dir", tmp_path / "b", "factsheet", "beta",
                     "--lang", "fr", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"built   {out} (" in result.stdout
    assert "Criminalité bêta" in PdfReader(out).pages[0].extract_text()
    record = tmp_path / "b" / ".record.json"
    assert not record.exists() or "one.pdf" not in record.read_text()


def test_missing_content_folder_is_one_clear_line(tmp_path, run_cli):
    result = run_cli("--content", tmp_path / "nowhere", "validate")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: content folder not found: {tmp_path / 'nowhere'} "
                                     "(run from the project root, or pass --content DIR)")


# --- exit statuses and messages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["build", "--topic", "alpah"], 2,
         "Invalid value for '--topic': unknown topic 'alpah'. Did you mean 'alpha'? Valid: alpha, beta."),
        (["build", "--lang", "de"], 2, "Invalid value for '--lang': unknown language 'de'. Valid: en, fr."),
        (["factsheet", "btea"], 2, "Invalid value for 'ID': unknown topic 'btea'. Did you mean 'beta'?"),
        (["handbook", "--lang", "fre"], 2, "unknown language 'fre'. Did you mean 'fr'?"),
        (["build", "--paper", "a3"], 2, "Invalid value for '--paper': 'a3' is not one of 'a4', 'letter'."),
        (["build", "--format", "odt"], 2, "Invalid value for '--format': 'odt' is not one of 'pdf', 'docx'."),
        (["build", "--jobs", "0"], 2, "Invalid value for '-j' / '--jobs': 0 is not in the range x>=1."),
        (["factsheet", "alpha", "-o", "x.pdf"], 2, "with -o/--output, name exactly one --lang"),
        (["frobnicate"], 2, "No such command 'frobnicate'."),
    ],
)
def test_usage_errors(fixture_copy, run_cli, args, code, message):
    result = run_cli("--content", fixture_copy, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow  # a build of every document, with its worker pool
def test_content_error_exits_1_before_writing(fixture_copy, tmp_path, run_cli):
    (fixture_copy / "fr" / "alpha.yaml").write_text("id: alpha\n", encoding="utf-8")
    build_dir = tmp_path / "build"
    result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build")
    assert result.exit_code == 1
    assert "alpha.yaml:1: title: field required" in result.stderr
    assert not build_dir.exists()


def test_version_and_help(run_cli):
    from pipeline import __version__

    assert run_cli("--version").stdout.strip() == f"pipeline, version {__version__}"
    for command in ([], ["build"], ["factsheet"], ["handbook"], ["validate"], ["list"], ["translations"],
                    ["translations", "accept"], ["translations", "export"], ["translations", "import"]):
        result = run_cli(*command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from pipeline.cli import cli; "
            "print(sorted(m for m in ('weasyprint', 'docx', 'pydantic', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_list_shows_topics_by_language(fixture_copy, run_cli):
    result = run_cli("--content", fixture_copy, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["topic", "title", "(en)", "words"]
    assert lines[1].startswith("alpha  Alpha crime")
    assert "Criminalité alpha" in lines[1] and "44" in lines[1]


@pytest.mark.slow
def test_a_third_language_needs_only_content(fixture_copy, tmp_path, run_cli):
    """Adding a language is a folder of content and a strings file: no code."""
    import shutil

    shutil.copytree(fixture_copy / "en", fixture_copy / "de")
    strings = fixture_copy / "de" / "_strings.yaml"
    text = strings.read_text(encoding="utf-8")
    text = text.replace("language: en ", "language: de ").replace("locale: en-GB", "locale: de-DE")
    text = text.replace("related: Related crime areas", "related: Verwandte Kriminalitätsbereiche")
    strings.write_text(text, encoding="utf-8")
    edition = fixture_copy / "edition.yaml"
    edition.write_text(edition.read_text().replace("languages: [en, fr]", "languages: [en, fr, de]"))
    build_dir = tmp_path / "build"
    result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build", "--lang", "de")
    assert result.exit_code == 0, result.output
    assert "6 built" in result.stdout
    reader = PdfReader(build_dir / "de/factsheets/alpha-de.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    assert "Verwandte Kriminalitätsbereiche".upper() in reader.pages[0].extract_text().upper()
    from docx import Document as open_docx

    props = open_docx(str(build_dir / "de/handbook-de.docx")).core_properties
    assert props.language == "de"


@pytest.mark.slow
def test_overlong_factsheet_fails_in_a_worker_and_the_rest_build(fixture_copy, tmp_path, run_cli):
    """A real render error inside a pool worker is reported by name; the other documents build."""
    path = fixture_copy / "en" / "beta.yaml"
    long_paragraph = " ".join(f"Sentence number {i} of a deliberately overlong beta text." for i in range(60))
    extra = "".join(f"          - Paragraph {n}. {long_paragraph}\n" for n in range(3))
    text = path.read_text(encoding="utf-8").replace("          - Beta is often linked to alpha.\n",
                                                    "          - Beta is often linked to alpha.\n" + extra)
    path.write_text(text, encoding="utf-8")
    fr = fixture_copy / "fr" / "beta.yaml"
    fr.write_text(fr.read_text(encoding="utf-8").replace(
        "          - Bêta est souvent lié à alpha.\n",
        "          - Bêta est souvent lié à alpha.\n" + extra.replace("Paragraph", "Paragraphe")), encoding="utf-8")
    build_dir = tmp_path / "build"
    result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build", "--format", "pdf",
                     "--jobs", "2", "--no-handbook")
    assert result.exit_code == 1
    assert "Error: en/factsheets/beta-en.pdf: factsheet COM/FS/2026-11/BET-02 (en, a4) runs to" in result.stderr
    assert "a factsheet must fit on 2: shorten the topic 'beta'" in result.stderr
    assert "2 built, 0 up to date, 2 failed" in result.stdout
    assert not (build_dir / "en/factsheets/beta-en.pdf").exists()
    assert (build_dir / "en/factsheets/alpha-en.pdf").exists()


def test_a_test_worker_keeps_to_one_core():
    """conftest.py keeps each xdist worker to a core of its own when there are at least
    as many workers as cores (session_outputs.keep_to_one_core), so a build a test starts
    renders with one worker; otherwise every core the run was given stays usable."""
    cores, mine = all_cores(), os.sched_getaffinity(0)
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if os.environ.get("PYTEST_XDIST_WORKER") and len(cores) > 1 and count >= len(cores):
        assert len(mine) == 1 and mine <= cores
        assert workers_module.default_workers() == 1
    else:
        assert mine == cores
