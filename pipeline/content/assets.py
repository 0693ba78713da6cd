"""Locate, confine and sniff the pictures content refers to (figures and the logo).

An asset is named relative to `content/assets/` (`map.png`, `photos/port.jpg`); a
language may override it with a file of the same name under `content/assets/<lang>/`
(a map with French place names). Everything is checked here, before any rendering, and
each refusal is one message for a `file:line: field: message` line:

- the name is a relative path inside `content/assets/`: no URL, no absolute path, no
  `..`; the file it resolves to (symbolic links followed) must still be inside it;
- the type is judged by the bytes, never the name: PNG, JPEG or SVG, and the name's
  extension must agree (WeasyPrint and Word both go by it);
- at most 20 MB and 50 megapixels;
- an SVG is parsed with defusedxml and refused if it has a DOCTYPE or entities, a
  script, an event handler, embedded HTML or any reference outside itself (only `#id`);
  it must say its size (a viewBox, or width and height).

The result is a `model.Asset` with the file's intrinsic size and a hash of its bytes,
so a changed picture changes the fingerprint of exactly the documents that show it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipeline.content import limits
from pipeline.content.model import Asset
from pipeline.files.confine import BrokenLink, LinksOutside, resolve_inside

ASSETS_DIR = "assets"
MAX_BYTES = limits.PICTURE_BYTES
MAX_PIXELS = limits.PICTURE_PIXELS

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}
KIND_NAMES = {"png": "PNG", "jpeg": "JPEG", "svg": "SVG"}
# Other formats people try, named in the refusal so the fix is obvious.
_OTHER_FORMATS = ((b"GIF8", "a GIF image"), (b"%PDF", "a PDF file"), (b"RIFF", "a WebP image"),
                  (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"))

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# CSS px per unit, for an SVG's width and height.
_PX_PER = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*(px|pt|pc|mm|cm|in)?\s*")
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class AssetError(Exception):
    """A refused asset; the message is the `message` part of a located problem."""


def assets_root(content_root: Path) -> Path:
    return content_root / ASSETS_DIR


def check_name(src: str) -> None:
    """The name must be a plain relative path under content/assets/."""
    if _SCHEME.match(src) or src.startswith("//"):
        raise AssetError(f"'{src}' is a URL: name a file under content/assets/ instead")
    if src.startswith("/") or "\\" in src:
        raise AssetError(f"'{src}' must be a path relative to content/assets/ (no leading / or \\)")
    parts = src.split("/")
    if ".." in parts or "." in parts or "" in parts:
        raise AssetError(f"'{src}' must stay inside content/assets/ (no '..', '.' or empty parts)")


def locate(content_root: Path, src: str, lang: str | None) -> Path:
    """The file `src` names for `lang`: content/assets/<lang>/<src> if it exists, else
    content/assets/<src>; resolved, and refused if it resolves outside content/assets/."""
    check_name(src)
    root = assets_root(content_root)
    if not root.is_dir():
        raise AssetError(f"file not found: there is no folder {ASSETS_DIR}/ in the content folder yet: "
                         f"create it and put {src} in it")
    candidates = ([root / lang / src] if lang else []) + [root / src]
    for candidate in candidates:
        if not (candidate.exists() or candidate.is_symlink()):
            continue
        shown = candidate.relative_to(content_root).as_posix()
        try:
            resolved = resolve_inside(candidate, root)
        except BrokenLink:
            raise AssetError(f"{shown} is a broken link") from None
        except LinksOutside:
            raise AssetError(f"{shown} links to a file outside content/assets/: copy the file in instead") from None
        if not resolved.is_file():
            raise AssetError(f"{shown} is not a file")
        return resolved
    tried = " or ".join(c.relative_to(content_root).as_posix() for c in candidates)
    raise AssetError(f"file not found: {tried}")


def inspect(path: Path, shown: str) -> Asset:
    """Sniff, measure and check one asset file; AssetError says what is wrong."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise AssetError(f"{shown} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB")
    data = path.read_bytes()
    kind = sniff(data)
    if kind is None:
        other = next((name for magic, name in _OTHER_FORMATS if data.startswith(magic)), None)
        what = f"is {other}" if other else "is not a PNG, JPEG or SVG image (judged by its content)"
        raise AssetError(f"{shown} {what}: use PNG, JPEG or SVG")
    named = EXTENSIONS.get(path.suffix.lower())
    if named != kind:
        said = f"its name ends in {path.suffix}" if path.suffix else "its name has no extension"
        raise AssetError(f"{shown} is a {KIND_NAMES[kind]} image but {said}: rename it to "
                         f"{path.stem}.{'jpg' if kind == 'jpeg' else kind}")
    width, height = _svg_size(data, shown) if kind == "svg" else _raster_size(data, kind, shown)
    return Asset(path=path, kind=kind, width=width, height=height, digest=hashlib.sha256(data).hexdigest())


def sniff(data: bytes) -> str | None:
    """"png", "jpeg" or "svg" by the file's first bytes (SVG: XML whose root is <svg>)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE")) and b"<svg" in data[:65536]:
        return "svg"
    return None


def _raster_size(data: bytes, kind: str, shown: str) -> tuple[float, float]:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=[kind.upper()]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise AssetError(f"{shown} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
                                 f"the limit is {MAX_PIXELS // 1_000_000} megapixels")
            orientation = image.getexif().get(0x0112, 1) if kind == "jpeg" else 1
            image.verify()
    except Image.DecompressionBombError:
        raise AssetError(f"{shown} has far more than {MAX_PIXELS // 1_000_000} megapixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise AssetError(f"{shown} is a damaged {KIND_NAMES[kind]} file ({exc})") from None
    if orientation != 1:
        # WeasyPrint would turn the picture upright and Word would not: refuse rather than differ.
        raise AssetError(f"{shown} asks to be rotated on display (EXIF orientation {orientation}): "
                         "save it upright")
    return float(width), float(height)


def _svg_size(data: bytes, shown: str) -> tuple[float, float]:
    from pipeline.files.safexml import RefusedXML, parse

    try:
        root = parse(data)
    except RefusedXML as exc:
        reasons = {"doctype": "has a DOCTYPE (entity declarations can expand without limit or read local "
                              "files): remove it",
                   "entities": "declares XML entities: remove them",
                   "malformed": f"is not well-formed XML ({exc.detail}, line {exc.line})"}
        raise AssetError(f"{shown} {reasons[exc.kind]}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise AssetError(f'{shown} is not an SVG image: its root must be <svg xmlns="{SVG_NS}">')
    for element in root.iter():
        _check_svg_element(element, shown)
    return _intrinsic_size(root, shown)


def _check_svg_element(element, shown: str) -> None:
    tag = str(element.tag).rpartition("}")[2]
    if tag == "script":
        raise AssetError(f"{shown} contains a script: remove it")
    if tag == "foreignObject":
        raise AssetError(f"{shown} embeds HTML (<foreignObject>): remove it")
    if tag == "style" and element.text and (_EXTERNAL_URL.search(element.text) or "@import" in element.text):
        raise AssetError(f"{shown} has a style that loads another file: keep everything inside the SVG")
    for name, value in element.attrib.items():
        local = name.rpartition("}")[2]
        if local.lower().startswith("on"):
            raise AssetError(f"{shown} has an event handler ({local}=...): remove it")
        if local == "href" and not value.strip().startswith("#"):
            shown_ref = value if len(value) <= 40 else value[:37] + "..."
            raise AssetError(f"{shown} refers to '{shown_ref}' outside itself: only references "
                             "inside the file (#id) are allowed")
        if _EXTERNAL_URL.search(value):
            raise AssetError(f"{shown} refers to a file or address in {local}=...: only url(#id) is allowed")


def _intrinsic_size(root, shown: str) -> tuple[float, float]:
    """The SVG's size in CSS px: its width and height, or its viewBox's proportions."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _viewbox(root.get("viewBox"))
    if width and height:
        return width, height
    if box:
        _, _, box_w, box_h = box
        if width:
            return width, width * box_h / box_w
        if height:
            return height * box_w / box_h, height
        return box_w, box_h
    raise AssetError(f"{shown} does not say its size: give its <svg> a viewBox (or width and height)")


def _length(value: str | None) -> float | None:
    match = _LENGTH.fullmatch(value or "")
    if not match:
        return None
    number = float(match.group(1)) * _PX_PER[match.group(2) or ""]
    return number if number > 0 else None


def _viewbox(value: str | None) -> tuple[float, ...] | None:
    try:
        numbers = tuple(float(part) for part in re.split(r"[\s,]+", (value or "").strip()))
    except ValueError:
        return None
    return numbers if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0 else None
