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
    from pipeline.content import load_project

    return load_project(CONTENT)


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny valid fixture project (English + French, two topics)."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


@pytest.fixture
def run_cli():
    """Run the CLI as a user would; returns the Click result (exit code, stdout, stderr)."""

    def run(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run
