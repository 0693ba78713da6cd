"""The one root of user-facing errors.

Every error a user can cause derives from `PipelineError`, a `ClickException`, so the
CLI prints one line and exits 1 instead of showing a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


class PipelineError(click.ClickException):
    """An error caused by content, configuration or the environment (exit status 1)."""

    exit_code = 1


class BuildError(PipelineError):
    """A document could not be built (missing font, refused resource, render failure)."""


@dataclass(frozen=True)
class Problem:
    """One located content problem: `path:line: field: message`."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(PipelineError):
    """Content failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.field))
        lines = [str(p) for p in self.problems]
        count = len(lines)
        lines.append(f"{count} content problem{'s' if count != 1 else ''} found")
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, for short messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
