"""Checks of finished PDFs, read the way a reader or a validator sees them (not our HTML).

Each check is a module with `check(path: Path) -> list[Finding]`, registered in `CHECKS`
below; `pipeline check-pdf FILE...` runs them all (or those named with `--only`), the
tests run them on every built PDF, and a finding prints as one located line.

breaks.py   bad line breaks: hyphens at column ends, hyphenated last words, ladders,
            a lone word under display text (poppler's pdftohtml reads the text)
pdfua.py    the PDF/UA-1 rules a machine can decide (issue 22)
pdfread.py  what a page shows (marked content, positions, text) and the structure tree,
            for pdfua.py and the renderer's tagging pass (pipeline.render.pdf_tags)

May import `pipeline.errors` and third-party PDF readers; nothing else of the pipeline,
so that any stage (render, release) may use a check.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# name -> "module:function"; each function takes a PDF's path and returns its findings.
CHECKS: dict[str, str] = {
    "breaks": "pipeline.checks.breaks:check",
    "pdfua": "pipeline.checks.pdfua:check",
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a PDF: which check and rule, on which page, and what."""

    check: str
    rule: str
    page: int | None
    message: str

    def line(self, path: Path) -> str:
        where = f"{path}:p.{self.page}" if self.page is not None else str(path)
        return f"{where}: {self.check}: {self.rule}: {self.message}"


def checker(name: str) -> Callable[[Path], list[Finding]]:
    """The check function registered under `name`, imported on first use."""
    module, _, func = CHECKS[name].partition(":")
    return getattr(importlib.import_module(module), func)


def run(path: Path, names: list[str] | None = None) -> list[Finding]:
    """The findings of every registered check (or those in `names`) on one PDF."""
    findings: list[Finding] = []
    for name in names or list(CHECKS):
        findings.extend(checker(name)(path))
    return findings
