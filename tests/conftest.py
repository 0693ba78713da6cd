"""Shared fixtures: the real content, a tiny valid fixture project, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
def real_build(tmp_path_factory) -> Path:
    """Every real document (PDF and DOCX, both languages), built once through the CLI."""
    build_dir = tmp_path_factory.mktemp("real-build")
    result = CliRunner().invoke(cli, ["--content", str(CONTENT), "--build-dir", str(build_dir), "build"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return build_dir
