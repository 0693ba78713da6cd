"""`pipeline fmt [--check]`: every content file in canonical form, or the list of those that are not.

The content files are the YAML files an editor writes: `edition.yaml`, `branding.yaml`,
`glossary.yaml` and each language folder's files. The translation record
(`translations/<lang>.yaml`) is written by the tool itself and left alone. Each file is
formatted on its own (`pipeline.fmt.canonical`) and replaced atomically; a file that
cannot be read as YAML, even with its misread texts quoted, is named and left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError, display_path
from pipeline.files.output import write_atomic
from pipeline.fmt.canonical import Formatted, NotCanonical, canonical

SKIPPED_FOLDERS = ("translations",)  # written by `pipeline translations accept` and import


@dataclass(frozen=True)
class FileResult:
    """One content file: its canonical form, and whether that differs from the file."""

    path: Path
    formatted: Formatted
    changed: bool


def content_files(root: Path) -> list[Path]:
    """The YAML files an editor writes, top folder first, then each folder in name order."""
    if not root.is_dir():
        raise PipelineError(f"content folder not found: {root} (run from the project root, or pass --content DIR)")
    files = sorted(root.glob("*.yaml"))
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in SKIPPED_FOLDERS):
        files += sorted(folder.glob("*.yaml"))
    return files


def format_file(path: Path) -> FileResult:
    """The canonical form of one file (nothing written)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileResult(path, Formatted(None, [], [(1, f"not valid UTF-8 ({exc.reason})")]), False)
    try:
        formatted = canonical(text)
    except NotCanonical as exc:
        raise PipelineError(f"{display_path(path)}: {exc}") from None
    return FileResult(path, formatted, formatted.text is not None and formatted.text != text)


def format_content(root: Path, write: bool) -> list[FileResult]:
    """Format every content file; with `write`, replace each changed one atomically."""
    results = [format_file(path) for path in content_files(root)]
    if write:
        for result in results:
            if result.changed and result.formatted.text is not None:
                write_atomic(result.path, result.formatted.text.encode("utf-8"))
    return results
