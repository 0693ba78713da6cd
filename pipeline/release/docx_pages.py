"""Page numbers from a real layout: LibreOffice lays our DOCX out, we store what it found.

`pipeline build` fills the contents and cross-reference page numbers of a DOCX with an
estimate (fast, no word processor needed). Where a chapter runs longer than the
estimate thinks, or chapters start on any page, the estimate and a word processor can
disagree, and Word shows the stored numbers (the file does not ask it to update
fields). A release therefore:

1. has LibreOffice (headless, `lo_layout.py` under the system Python with python3-uno)
   lay out the built DOCX and report the page of every bookmark;
2. renders the document again with those pages (`render_docx(doc, bookmark_pages)`),
   into our own file: LibreOffice's re-saved DOCX is never used;
3. repeats until the file no longer changes (one round in practice: changing the
   digits of a page number does not move a page break).

Layouts are cached in `build/.docx-layout.json` by the file's SHA-256, LibreOffice's
version and the build's shared inputs (code, templates, fonts), so a release of an
unchanged edition does not start LibreOffice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.engine.lifeline import run_guarded
from pipeline.errors import BuildError
from pipeline.files.output import write_atomic

CACHE_NAME = ".docx-layout.json"
PROBE = Path(__file__).resolve().parent / "lo_layout.py"
# The Python that has LibreOffice's UNO bridge (Debian's python3-uno).
UNO_PYTHON = os.environ.get("PIPELINE_UNO_PYTHON", "/usr/bin/python3")
MAX_ROUNDS = 3
INSTALL_HINT = "install them with: apt-get install libreoffice-writer-nogui python3-uno"


@dataclass(frozen=True)
class Layout:
    """Where LibreOffice put things in one DOCX."""

    pages: int
    bookmarks: dict[str, int]


@cache
def office_version() -> str:
    soffice = shutil.which("soffice")
    if soffice is None or not Path(UNO_PYTHON).exists():
        raise BuildError(f"LibreOffice and python3-uno are needed to lay out the DOCX files; {INSTALL_HINT}")
    result = run_guarded([soffice, "--version"], capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def probe(paths: list[Path], work_dir: Path) -> dict[Path, dict]:
    """LibreOffice's full report (`lo_layout.py`) for each file; one office for all."""
    if not paths:
        return {}
    office_version()
    with tempfile.TemporaryDirectory(prefix="lo-", dir=work_dir) as tmp:
        report = Path(tmp) / "report.json"
        # Guarded: LibreOffice (and the launcher that starts it) dies with this process.
        result = run_guarded([UNO_PYTHON, str(PROBE), str(report), str(Path(tmp) / "profile"),
                              *(str(p) for p in paths)], capture_output=True, text=True)
        if result.returncode != 0 or not report.exists():
            detail = (result.stderr.strip().splitlines() or ["no report"])[-1]
            raise BuildError(f"LibreOffice could not lay out the DOCX files: {detail}")
        found = json.loads(report.read_text(encoding="utf-8"))
    return {path: found[str(path)] for path in paths}


class LayoutCache:
    """LibreOffice layouts by file content, kept in the build folder."""

    def __init__(self, build_dir: Path, shared: str):
        self.path = build_dir / CACHE_NAME
        self.build_dir = build_dir
        self.shared = shared
        self.entries: dict[str, dict] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded

    def _key(self, data: bytes) -> str:
        return hashlib.sha256(data + office_version().encode() + self.shared.encode()).hexdigest()

    def layouts(self, files: dict[str, bytes]) -> dict[str, Layout]:
        """The layout of each named DOCX, measuring only those not seen before."""
        missing = {name: data for name, data in files.items() if self._key(data) not in self.entries}
        if missing:
            with tempfile.TemporaryDirectory(prefix="docx-", dir=self.build_dir) as tmp:
                paths = {}
                for i, (name, data) in enumerate(sorted(missing.items())):
                    paths[name] = Path(tmp) / f"{i}.docx"
                    paths[name].write_bytes(data)
                reports = probe(list(paths.values()), self.build_dir)
            for name, path in paths.items():
                report = reports[path]
                self.entries[self._key(missing[name])] = {"pages": report["pages"], "bookmarks": report["bookmarks"]}
            write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode())
        return {name: Layout(**self.entries[self._key(data)]) for name, data in files.items()}


def settle(files: dict[str, bytes], render: Callable[[str, dict[str, int]], bytes],
           cache: LayoutCache) -> tuple[dict[str, bytes], dict[str, Layout]]:
    """Re-render each named DOCX with the pages LibreOffice finds until nothing changes.

    `render(name, bookmark_pages)` renders that document with the given pages. Returns
    the final files and their layouts.
    """
    current, layouts = dict(files), {}
    unsettled = set(files)
    for _ in range(MAX_ROUNDS):
        found = cache.layouts({name: current[name] for name in unsettled})
        layouts.update(found)
        for name in sorted(unsettled):
            again = render(name, found[name].bookmarks)
            if again == current[name]:
                unsettled.discard(name)
            current[name] = again
        if not unsettled:
            return current, layouts
    raise BuildError(f"page numbers of {', '.join(sorted(unsettled))} still change after "
                     f"{MAX_ROUNDS} LibreOffice layouts")
