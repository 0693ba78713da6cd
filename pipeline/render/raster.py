"""An SVG as a PNG, for the DOCX's fallback picture (Word before 2016, LibreOffice).

Word 2016+ shows the SVG itself; every other reader shows a PNG stored next to it. The
PNG is drawn by the same engine as the PDF, so both formats show the same picture:
WeasyPrint lays the SVG out on a page exactly its printed size (with the same fonts
and the same safe URL fetcher), and poppler's `pdftocairo` rasterises that page at
300 dpi or more, keeping transparency. (WeasyPrint itself writes no PNG since v53;
cairosvg would be a second SVG engine, with its own rendering of text, to keep in
step with the first, and would need libcairo at build time for nothing else.)

Each picture is drawn once per process and size, and always to the same bytes.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from functools import lru_cache

from pipeline.content.model import Asset
from pipeline.errors import BuildError
from pipeline.render import native, pdf

DPI = 300
MM_PER_INCH = 25.4


def fallback_pixels(width_mm: float, dpi: int = DPI) -> int:
    """The pixel width that prints `width_mm` wide at `dpi` or more."""
    return math.ceil(width_mm / MM_PER_INCH * dpi)


def svg_to_png(asset: Asset, width_mm: float, dpi: int = DPI) -> bytes:
    """The SVG `asset` drawn `width_mm` wide (its own proportions) as a PNG of at least `dpi`."""
    return _svg_to_png(asset, round(width_mm, 3), dpi)


@lru_cache(maxsize=64)
def _svg_to_png(asset: Asset, width_mm: float, dpi: int) -> bytes:
    native.load()
    from weasyprint import HTML

    tool = shutil.which("pdftocairo")
    if tool is None:
        raise BuildError("pdftocairo not found (it draws the PNG fallback of SVG pictures in the DOCX); "
                         "install it with: apt-get install poppler-utils (or: make deps)")
    height_mm = width_mm * asset.aspect
    page = (f"<html><head><style>@page {{ size: {width_mm}mm {height_mm}mm; margin: 0 }} "
            f"html, body {{ margin: 0 }} img {{ display: block; width: {width_mm}mm; height: {height_mm}mm }}"
            f'</style></head><body><img src="{asset.path.as_uri()}" alt=""></body></html>')
    fetcher = pdf._safe_fetcher(assets=(asset,))
    with pdf._RENDER_LOCK, pdf._captured_warnings() as records:
        data = HTML(string=page, url_fetcher=fetcher).write_pdf(font_config=pdf._font_config())
    if records or fetcher.refused:
        first = records[0].getMessage() if records else f"refused {fetcher.refused[0]}"
        raise BuildError(f"cannot draw {asset.path.name} as a PNG: {first}")
    result = subprocess.run(
        [tool, "-png", "-singlefile", "-transp", "-scale-to-x", str(fallback_pixels(width_mm, dpi)),
         "-scale-to-y", "-1", "-", "-"],
        input=data, capture_output=True, check=False)
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG"):
        raise BuildError(f"pdftocairo could not draw {asset.path.name}: {result.stderr.decode(errors='replace')}")
    return result.stdout
