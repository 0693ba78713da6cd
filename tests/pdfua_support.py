"""PDF/UA-1 checks of built PDFs for the tests (issue 22): ours and a second opinion.

`problems(paths)` runs `pipeline.checks.pdfua` and the PyPI package `pdfua` (an
independent reader of a further small subset, no JVM) on each file and returns what
either found, as printable lines. `pdfua`'s rule UA-14-001 (empty headings) is left
out: it fails on pikepdf Arrays instead of checking (our HD-1 checks the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.checks.pdfua import check

SKIPPED_SECOND_OPINION_RULES = ("UA-14-001",)


def second_opinion(path: Path) -> list[str]:
    """The `pdfua` package's findings on `path`, and any rule it could not run."""
    from pdfua import Validator, ValidatorOptions
    from pdfua.rules import RuleRegistry, default_registry

    registry = RuleRegistry([rule for rule in default_registry() if rule.id not in SKIPPED_SECOND_OPINION_RULES])
    report = Validator(ValidatorOptions(registry=registry)).validate(str(path))
    return [f"{path}: pdfua package: {f.rule_id}: {f.message}" for f in report.findings] + \
        [f"{path}: pdfua package: {o.rule_id}: not run: {o.skipped_reason}" for o in report.skipped]


def problems(paths: Iterable[Path]) -> list[str]:
    """Every finding of both checkers on the PDFs at `paths` (which must not be empty)."""
    paths = sorted(paths)
    assert paths, "no PDF to check"
    found: list[str] = []
    for path in paths:
        found += [finding.line(path) for finding in check(path)]
        found += second_opinion(path)
    return found
