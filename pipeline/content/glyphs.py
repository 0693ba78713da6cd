"""Characters the branding fonts cannot print, found before anything is rendered.

A character no branding font has (an emoji, a symbol pasted from a web page) would make
Pango fall back to some other installed font, or print an empty box, with no warning.
`pipeline validate` reports it instead, as `file:line: field: character U+1F600 ...`.

Coverage comes from fontconfig (`fc-match` prints the character set of the font it
picks for a family), once per family and process: no font file is parsed here. A
family that is not installed is reported by `check_fonts` on its line of branding.yaml,
so that `validate` promises what the PDF renderer needs (which refuses to substitute).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from pipeline.content.loader import Loc, format_loc, texts
from pipeline.errors import Problem

if TYPE_CHECKING:
    from pipeline.content.project import Project

# Line breaks and tabs are layout, not glyphs.
_LAYOUT = frozenset("\n\r\t")


@cache
def coverage(family: str) -> frozenset[int] | None:
    """The code points of the font fontconfig uses for `family`, or None when the family
    is not installed (fontconfig would substitute another) or fontconfig is missing."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    result = subprocess.run([fc_match, "--format", "%{family}\n%{charset}", family],
                            capture_output=True, text=True, check=False)
    families, _, charset = result.stdout.partition("\n")
    if result.returncode != 0 or family.lower() not in {f.strip().lower() for f in families.split(",")}:
        return None
    points: set[int] = set()
    for item in charset.split():
        start, _, end = item.partition("-")
        points.update(range(int(start, 16), int(end or start, 16) + 1))
    return frozenset(points)


def check_fonts(project: Project, problems: list[Problem]) -> None:
    """One problem per font family branding.yaml names (per language too) that fontconfig
    does not have. Without fontconfig nothing is checked: the renderer says what to install."""
    if shutil.which("fc-match") is None:
        return
    fonts = project.branding.fonts
    named: list[tuple[Loc, str]] = [(("fonts", "body"), fonts.body), (("fonts", "heading"), fonts.heading)]
    for code, own in fonts.by_language.items():
        named += [(("fonts", "by_language", code, "body"), own.body),
                  (("fonts", "by_language", code, "heading"), own.heading)]
    source = project.branding_source
    for loc, family in named:
        if coverage(family) is None and source is not None:
            problems.append(Problem(source.path, source.line_of(loc), format_loc(loc),
                                    f"font '{family}' is not installed: install it, or name an installed font "
                                    "(fc-list lists them)"))


def check_glyphs(project: Project, problems: list[Problem]) -> None:
    """One problem per field and character that none of the language's fonts has: the
    branding fonts, plus the fonts branding gives that language's script, if any."""
    fonts = project.branding.fonts
    for code, language in project.languages.items():
        own = fonts.by_language.get(code)
        families = list(dict.fromkeys([fonts.body, fonts.heading, *([own.body, own.heading] if own else [])]))
        known = [c for c in (coverage(family) for family in families) if c is not None]
        if not known:
            continue
        covered = frozenset().union(*known)
        names = ", ".join(families)
        for loaded in (*language.files.values(), *language.sources.values()):
            for loc, text in texts(loaded.data):
                for char in dict.fromkeys(text):
                    if ord(char) not in covered and char not in _LAYOUT:
                        name = unicodedata.name(char, "unnamed character")
                        problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                                f"character U+{ord(char):04X} ({name}) is in none of the "
                                                f"branding fonts ({names}): remove it or write it in words"))
