"""PDF pages as PNG images, so that any browser can show them.

Poppler's `pdftoppm` rasterises the pages; long documents are split into page ranges
for parallel runs. It writes raw pixels (PPM) and Pillow makes the PNGs with fast
compression: pdftoppm's own PNG output spends most of its time compressing (5.4 s
against 2.3 s for the 27 pages of a handbook), and these images only travel to a
browser on the same machine.

Each image is named by a hash of its pixels: an unchanged page keeps its name (and
the browser its cached copy), a changed one gets a new name.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.engine.workers import default_workers
from pipeline.errors import BuildError

# 96 dpi: an A4 page is 794 x 1123 pixels, legible at 100 % zoom, two pages side by side.
DPI = 96
# zlib level 1: a third larger than level 6, several times faster to write.
PNG_COMPRESSION = 1


@dataclass(frozen=True)
class PageImage:
    """One rasterised page: the name it is served under, its file and its pixel size."""

    name: str
    path: Path
    width: int
    height: int


def page_count(pdf: Path) -> int:
    """The number of pages of `pdf`, from poppler's `pdfinfo`."""
    result = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"pdfinfo failed on {pdf.name}: {result.stderr.strip()}")
    for line in result.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise BuildError(f"pdfinfo did not report a page count for {pdf.name}")


def rasterise(pdf: Path, out_dir: Path, prefix: str, dpi: int = DPI, runs: int | None = None) -> list[PageImage]:
    """Every page of `pdf` as a PNG in `out_dir`, in page order, named `<prefix>-<n>-<hash>.png`.

    The pages are shared among `runs` parallel pdftoppm processes (default: one per core).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = page_count(pdf)
    runs = max(1, min(runs or default_workers(), pages))
    per_run = -(-pages // runs)
    procs = []
    for first in range(1, pages + 1, per_run):
        last = min(pages, first + per_run - 1)
        cmd = [_tool("pdftoppm"), "-r", str(dpi), "-f", str(first), "-l", str(last),
               str(pdf), str(out_dir / f"raw-{first}")]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise BuildError(f"pdftoppm failed on {pdf.name}: {err.decode(errors='replace').strip()}")
    raw = sorted(out_dir.glob("raw-*.ppm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if len(raw) != pages:
        raise BuildError(f"pdftoppm wrote {len(raw)} images for the {pages} pages of {pdf.name}")
    with ThreadPoolExecutor(max_workers=runs) as pool:  # Pillow's encoder runs without the GIL
        return list(pool.map(lambda item: _to_png(item[1], out_dir, f"{prefix}-{item[0]}"),
                             enumerate(raw, start=1)))


def _to_png(ppm: Path, out_dir: Path, stem: str) -> PageImage:
    from PIL import Image  # WeasyPrint's own dependency; only the preview needs it here

    with Image.open(ppm) as image:
        image.load()
        name = f"{stem}-{hashlib.sha256(image.tobytes()).hexdigest()[:12]}.png"
        path = out_dir / name
        image.save(path, format="PNG", compress_level=PNG_COMPRESSION)
        size = image.size
    ppm.unlink()
    return PageImage(name, path, *size)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BuildError(f"{name} not found; install it with: apt-get install poppler-utils")
    return path
