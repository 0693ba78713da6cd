"""Where a path from content really leads, and whether that is inside the folder it must stay in.

Content is written by many hands (SECURITY.md): a theme folder, a theme file or a picture may be
a symbolic link, and a link may lead anywhere on the machine. Every such check follows the links
the same way, here, and each caller words the refusal for its own file.
"""

from __future__ import annotations

from pathlib import Path


class BrokenLink(Exception):
    """The path, or a link on the way to it, leads nowhere (or round in a circle)."""


class LinksOutside(Exception):
    """The path, links followed, leads out of its folder; `target` is where it leads."""

    def __init__(self, target: Path):
        super().__init__(str(target))
        self.target = target


def resolve_inside(path: Path, root: Path) -> Path:
    """The real path of `path`, which must exist and, links followed, lie inside `root`."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (older Pythons)
        raise BrokenLink(str(path)) from None
    if not resolved.is_relative_to(root.resolve()):
        raise LinksOutside(resolved)
    return resolved
