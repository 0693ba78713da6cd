"""The theme folder (branding.yaml `templates:`) is content: confined, bounded and listed.

A designer's folder of templates, stylesheets, fonts and pictures that replace the
built-in ones of the same name. Like a picture under `content/assets/`, it may hold only
what lies inside the content folder, so that building a contributor's change can never
read the machine it runs on:

- `templates:` is a path relative to the content folder, without `..`; the folder it
  names (links followed) must be inside the content folder;
- every file in it must stay inside the theme folder once links are followed (a link to
  `/etc/passwd` or to `../../secrets` is refused, not read);
- only files a build can use are ever read, by extension (`limits.THEME_EXTENSIONS`):
  templates and stylesheets, fonts and pictures. Anything else there is left alone,
  not even fingerprinted;
- sizes and the number of entries are bounded (`pipeline.content.limits`).

Each refusal is one `ThemeError` message, reported on the `templates:` line of
branding.yaml by `pipeline.content.project`. The renderers confine what they load at
render time too (`pipeline.render.sandbox`), so a file swapped for a link after
validation is still refused (`usable`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from pipeline.content import limits
from pipeline.errors import display_path
from pipeline.files.confine import BrokenLink, LinksOutside, resolve_inside


class ThemeError(Exception):
    """A refused theme folder; the message is the `message` part of a located problem."""


def locate(content_root: Path, name: str) -> Path:
    """The theme folder that `name` names, resolved; ThemeError unless it is a folder inside
    the content folder."""
    parts = PurePosixPath(name).parts
    if not name.strip() or name.startswith(("/", "~")) or "\\" in name or ":" in name or ".." in parts:
        raise ThemeError(f"'{name}' is not a folder inside the content folder: give a path relative to it, "
                         "without '..'")
    folder = content_root / name
    if not (folder.exists() or folder.is_symlink()):
        raise ThemeError(f"folder {display_path(folder)} not found (the path is relative to the content folder)")
    try:
        resolved = resolve_inside(folder, content_root)
    except BrokenLink:
        raise ThemeError(f"{name} is a broken link") from None
    except LinksOutside:
        raise ThemeError(f"{name} links to a folder outside the content folder: copy it in instead") from None
    if not resolved.is_dir():
        raise ThemeError(f"folder {display_path(folder)} is not a folder (the path is relative to the content folder)")
    return resolved


def files(folder: Path, shown: str | None = None) -> dict[str, Path]:
    """Every file a build may use from the (resolved) theme `folder`, by its path relative to
    it, in name order; ThemeError for a link leaving the folder, a special file, or a limit
    passed. `shown` names the folder in messages (default: its name)."""
    shown = shown or folder.name
    found: dict[str, Path] = {}
    state = {"entries": 0, "bytes": 0}
    _scan(folder, folder, shown, found, state)
    return dict(sorted(found.items()))


def _scan(root: Path, directory: Path, shown: str, found: dict[str, Path], state: dict[str, int]) -> None:
    with os.scandir(directory) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            state["entries"] += 1
            if state["entries"] > limits.THEME_FILES:
                raise ThemeError(f"{shown} holds more than {limits.THEME_FILES} files and folders: "
                                 "keep only what the build uses")
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            name = f"{shown}/{rel}"
            if entry.is_symlink():
                _check_link(root, path, name)
                continue  # a link inside the folder: its target is listed where it is
            if entry.is_dir(follow_symlinks=False):
                _scan(root, path, shown, found, state)
                continue
            if path.suffix.lower() not in limits.THEME_EXTENSIONS:
                continue  # never read: a build cannot use it
            info = entry.stat(follow_symlinks=False)
            _check_file(info, name, path.suffix.lower(), state)
            found[rel] = path


def _check_link(root: Path, path: Path, name: str) -> None:
    try:
        resolve_inside(path, root)
    except BrokenLink:
        raise ThemeError(f"{name} is a broken link") from None
    except LinksOutside as outside:
        what = "folder" if outside.target.is_dir() else "file"
        raise ThemeError(f"{name} links to a {what} outside the theme folder: copy the {what} in instead") from None


def _check_file(info: os.stat_result, name: str, suffix: str, state: dict[str, int]) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ThemeError(f"{name} is not a regular file")
    text = suffix in limits.THEME_TEXT_EXTENSIONS
    limit = limits.THEME_TEXT_BYTES if text else limits.THEME_FILE_BYTES
    if info.st_size > limit:
        what = "a template or stylesheet" if text else "a font or picture"
        raise ThemeError(f"{name} is {limits.size_text(info.st_size)}: {what} may be at most "
                         f"{limits.size_text(limit)}")
    state["bytes"] += info.st_size
    if state["bytes"] > limits.THEME_BYTES:
        raise ThemeError(f"the files of the theme folder add up to more than {limits.size_text(limits.THEME_BYTES)}")


def usable(folder: Path, path: Path) -> bool:
    """Whether `path`, links followed, is a regular file inside the (resolved) theme `folder`
    that a build may use, within its size limit: the check the renderers repeat when they
    load a theme file (it may have changed since validation)."""
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except (OSError, RuntimeError):
        return False
    suffix = resolved.suffix.lower()
    limit = limits.THEME_TEXT_BYTES if suffix in limits.THEME_TEXT_EXTENSIONS else limits.THEME_FILE_BYTES
    return (resolved.is_relative_to(folder) and suffix in limits.THEME_EXTENSIONS and stat.S_ISREG(info.st_mode)
            and info.st_size <= limit)
