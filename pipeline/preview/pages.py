"""PDF pages as PNG images, with poppler's `pdftoppm`, so that any browser can show them.

Long documents are split into page ranges rasterised by parallel `pdftoppm` runs.
Each image is named by a hash of its bytes: an unchanged page keeps its name (and
the browser its cached copy), a changed one gets a new name.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import BuildError
from pipeline.workers import default_workers

# 96 dpi: an A4 page is 794 x 1123 pixels, legible at 100 % zoom, two pages side by side.
DPI = 96


@dataclass(frozen=True)
class PageImage:
    """One rasterised page: the name it is served under, its file and its pixel size."""

    name: str
    path: Path
    width: int
    height: int


def page_count(pdf: Path) -> int:
    """The number of pages of `pdf`, from poppler's `pdfinfo`."""
    result = _run(["pdfinfo", str(pdf)])
    for line in result.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise BuildError(f"pdfinfo did not report a page count for {pdf.name}")


def rasterise(pdf: Path, out_dir: Path, prefix: str, dpi: int = DPI, runs: int | None = None) -> list[PageImage]:
    """Every page of `pdf` as a PNG in `out_dir`, in page order, named `<prefix>-<n>-<hash>.png`.

    The pages are shared among `runs` parallel pdftoppm processes (default: one per core).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = page_count(pdf)
    per_run = -(-pages // max(1, min(runs or default_workers(), pages)))
    procs = []
    for first in range(1, pages + 1, per_run):
        last = min(pages, first + per_run - 1)
        cmd = [_tool("pdftoppm"), "-r", str(dpi), "-png", "-f", str(first), "-l", str(last),
               str(pdf), str(out_dir / f"raw-{first}")]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise BuildError(f"pdftoppm failed on {pdf.name}: {err.decode(errors='replace').strip()}")
    raw = sorted(out_dir.glob("raw-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if len(raw) != pages:
        raise BuildError(f"pdftoppm wrote {len(raw)} images for the {pages} pages of {pdf.name}")
    images = []
    for number, path in enumerate(raw, start=1):
        data = path.read_bytes()
        name = f"{prefix}-{number}-{hashlib.sha256(data).hexdigest()[:12]}.png"
        final = path.with_name(name)
        path.replace(final)
        width, height = png_size(data)
        images.append(PageImage(name, final, width, height))
    return images


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, at a fixed offset)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise BuildError("pdftoppm wrote something that is not a PNG")
    return struct.unpack(">II", data[16:24])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BuildError(f"{name} not found; install it with: apt-get install poppler-utils")
    return path


def _run(cmd: list[str]) -> str:
    result = subprocess.run([_tool(cmd[0]), *cmd[1:]], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"{cmd[0]} failed: {result.stderr.strip()}")
    return result.stdout

