"""The record of what was built from what, kept in `build/.record.json`.

A document's fingerprint hashes everything that can change its bytes: its composed
model (so its content files, the titles of the topics it links to, its language's
strings and front matter, the edition and branding), the format and layout options,
the templates and styles (built-in and the content's override folder), the fonts,
and the pipeline's own code and version. A document is rebuilt only when its
fingerprint changed or its output is missing or was altered since it was written.
Hashing the model rather than listing input files means that editing one topic
rebuilds exactly the documents whose text changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

from pipeline import version
from pipeline.content import theme
from pipeline.errors import BuildError
from pipeline.files.output import write_atomic

RECORD_NAME = ".record.json"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _hash_tree(root: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def code_fingerprint() -> str:
    """The pipeline's version and source: a new renderer rebuilds everything."""
    return hashlib.sha256((version() + _hash_tree(PACKAGE_DIR, "*.py")).encode()).hexdigest()


@cache
def templates_fingerprint(templates_dir: Path) -> str:
    """The built-in templates and styles (fixed for the life of a process)."""
    return _hash_tree(templates_dir)


def override_fingerprint(override: Path | None) -> str:
    """The content's template override folder, hashed afresh each build: it is content
    that a user edits between builds, even within one process (preview, tests).

    Only the files a build may use are read (`pipeline.content.theme.files`: by
    extension, within the size limits, never through a link leaving the folder)."""
    if override is None:
        return "no-override"
    try:
        files = theme.files(override)
    except theme.ThemeError as exc:  # changed since validation
        raise BuildError(f"templates: {exc}") from None
    digest = hashlib.sha256()
    for name, path in files.items():
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def fonts_fingerprint(families: tuple[str, ...]) -> str:
    """The font files fontconfig resolves for our families (a font update rebuilds PDFs)."""
    if not shutil.which("fc-list"):
        return "no-fontconfig"
    lines = []
    for family in families:
        out = subprocess.run(["fc-list", f":family={family}", "file"], capture_output=True, text=True,
                             check=False).stdout
        for file in sorted(line.rstrip(":") for line in out.split()):
            with contextlib.suppress(OSError):
                stat = Path(file).stat()
                lines.append(f"{file} {stat.st_size} {int(stat.st_mtime)}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def document_fingerprint(document_repr: str, fmt: str, shared: str) -> str:
    """Fingerprint of one job: its model, its format and the shared inputs."""
    return hashlib.sha256(f"{fmt}\n{shared}\n{document_repr}".encode()).hexdigest()


class Record:
    """Fingerprints and output stamps of the last successful build of each document."""

    def __init__(self, build_dir: Path):
        self.path = build_dir / RECORD_NAME
        self.entries: dict[str, dict] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded

    def is_current(self, name: str, output: Path, fingerprint: str) -> bool:
        entry = self.entries.get(name)
        if not entry or entry.get("fingerprint") != fingerprint:
            return False
        try:
            stat = output.stat()
        except OSError:
            return False
        return entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns

    def update(self, name: str, output: Path, fingerprint: str) -> None:
        stat = output.stat()
        self.entries[name] = {"fingerprint": fingerprint, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        data = json.dumps(self.entries, indent=1, sort_keys=True).encode()
        write_atomic(self.path, data)
