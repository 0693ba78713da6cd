"""Shared fixtures: the real content, a tiny valid fixture project, a CLI runner, and
outputs made once per test session for every module and every xdist worker.

How the session's builds are shared (docs/testing.md): `shared.folder(name, make)`
makes a folder once, under a file lock, in a directory all workers of one `pytest -n`
run see; the other workers wait for it and then read it. What a test gets from it is
read-only: a test that changes files copies them first.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from session_outputs import FIXTURES, UNO_PYTHON, LibreOffice, SessionOffice, Shared, cli_build, keep_to_one_core

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

# A test that uses one of these (directly or through its own fixtures) reads session
# builds, so it is `slow` (left out of `make check`) without saying so itself. Modules
# mark their other slow tests `@pytest.mark.slow` (docs/testing.md).
SLOW_FIXTURES = {"shared", "real_build"}


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Shared:
    """Outputs made once per session. Under xdist each worker has its own base temporary
    folder inside the session's; their common parent is the one place all of them see
    (pytest-xdist's documented pattern). Without xdist the session's own folder serves."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return Shared(root / "shared")


@pytest.fixture(scope="session")
def project():
    """The real content, loaded and validated once per test session."""
    from pipeline.content.project import load_project

    return load_project(CONTENT)


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny valid fixture project (English + French, two topics)."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture(scope="module")
def module_content(tmp_path_factory) -> Path:
    """A writable copy of the tiny fixture project shared by one module (tests restore what they change)."""
    target = tmp_path_factory.mktemp("module") / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture
def run_cli():
    """Run the CLI as a user would; returns the Click result (exit code, stdout, stderr)."""

    def run(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def real_build(shared: Shared) -> Path:
    """Every real document (PDF and DOCX, both languages), built once through the CLI.

    Read-only: copy it before changing anything in it (a release writes into its build
    folder, so test_release copies it first)."""
    return shared.folder("real-build", lambda folder: cli_build(CONTENT, folder))


@pytest.fixture(scope="session")
def libreoffice_pdf(tmp_path_factory) -> Iterator[Callable[[list[Path], Path], list[Path]]]:
    """`convert(docx_files, outdir)`: PDFs as LibreOffice lays the files out. LibreOffice
    starts once per session (per xdist worker, and the tests using it share one worker)."""
    if not (shutil.which("soffice") and Path(UNO_PYTHON).exists()):
        pytest.skip("LibreOffice or python3-uno not installed (make deps-test installs them)")
    office = LibreOffice(tmp_path_factory.mktemp("libreoffice") / "profile")
    try:
        yield office.convert
    finally:
        office.close()


# --- xdist: module fixtures stay effective, slow tests are marked -------------------------------


def _uses_its_modules_shared_fixture(item, info) -> bool:
    """Whether the test uses a fixture of its own module that lives longer than one test."""
    module = getattr(item, "module", None)
    return any(d.scope != "function" and getattr(d.func, "__module__", None) == getattr(module, "__name__", "")
               for defs in info.name2fixturedefs.values() for d in defs)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark tests that use a session build `slow`, and keep the tests that share a
    fixture on one xdist worker (`--dist loadgroup`), so that it is made once: those of
    LibreOffice on one, and those of a module that use one of its own module- or
    session-scoped fixtures (its builds and caches, a preview server) on another, where
    the fixture also never makes another worker wait."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if SLOW_FIXTURES & set(info.names_closure):
            item.add_marker(pytest.mark.slow)
        if "libreoffice_pdf" in info.names_closure:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.needs_office)
            item.add_marker(pytest.mark.xdist_group("libreoffice"))  # one LibreOffice for all of them
        elif _uses_its_modules_shared_fixture(item, info):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def pytest_collection_finish(session) -> None:
    """Tune the garbage collector for the run, then stop a `--dist loadgroup` run whose
    groups xdist ignores (below)."""
    _fewer_collections()
    _refuse_ignored_groups(session)


def _fewer_collections() -> None:
    """Move what collection made (modules, fixtures' definitions, test items) out of the
    collector's sight and let it run less often. The suite allocates millions of short-lived
    objects (YAML nodes, layout boxes) and Python's default threshold of 700 makes it
    re-scan everything alive hundreds of times a second: this cut `make check` by about a
    fifth (docs/testing.md). Cycles are still collected, only later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _refuse_ignored_groups(session) -> None:
    """Stop a `--dist loadgroup` run whose groups xdist ignores (pytest 9.2 with
    pytest-xdist 3.8 does, silently: every session build would then be made, and waited
    for, on both workers)."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid:
            raise pytest.UsageError(f"--dist loadgroup ignores the xdist_group of {item.nodeid}: this pytest "
                                    "and pytest-xdist do not work together (see the pin in pyproject.toml)")


# --- one LibreOffice per test process for every release (session_outputs.SessionOffice) ---------

_OFFICE = pytest.StashKey[SessionOffice]()


def pytest_sessionstart(session) -> None:
    session.config.stash[_OFFICE] = SessionOffice(Path(tempfile.mkdtemp(prefix="pytest-office-")))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Start the session's office for the first slow test that lays DOCX files out
    (`needs_office`: the modules that release, and the converter's users); `make check`
    never starts one."""
    if item.get_closest_marker("needs_office") and item.get_closest_marker("slow"):
        item.config.stash[_OFFICE].start()


def pytest_sessionfinish(session) -> None:
    office = session.config.stash.get(_OFFICE, None)
    if office is not None:
        office.stop()
        shutil.rmtree(office.folder, ignore_errors=True)


# --- one core per test process ------------------------------------------------------------------


def pytest_configure(config) -> None:
    """Each xdist worker keeps to a core of its own (session_outputs.keep_to_one_core)."""
    keep_to_one_core()
