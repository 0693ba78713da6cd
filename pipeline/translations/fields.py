"""The translatable fields of a language: every text a translator translates, in file order.

A *document* is one YAML file of a language: `_strings`, `_frontmatter` or a topic id.
A *field* is one text value in it, named by its path in the parsed YAML, e.g.
`("sections", 0, "blocks", 1, "list", "items", 2)`. Its *kind* is what it is (`heading`,
`block.list.items.#`, `labels.page`): two fields can only stand for each other across
languages when their kinds are equal (a heading is never the translation of a list item).

Not translatable: a topic's `id` and `related` links, a figure's file (`src`) and
width, a table's column alignment, whole numbers typed bare in table cells, and in
`_strings.yaml` the language code, locale, language name, script direction and typography rules (they are
per-language settings, not translations of the English ones); the titles, subtitles and
forewords of briefing packs (`packs:`) are translated like labels. A figure's alt text,
caption and credit, a table's caption, header and text cells, and the source lines of
key figures and quotes are translatable like any text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.content import schema
from pipeline.content.loader import Loaded, Loc
from pipeline.content.project import FRONT_FILE, STRINGS_FILE, Language

STRINGS_DOC = STRINGS_FILE.removesuffix(".yaml")
FRONT_DOC = FRONT_FILE.removesuffix(".yaml")
LANGUAGE_DOCS = (STRINGS_DOC, FRONT_DOC)

# Top-level keys that hold translatable text, per kind of document (None: every key but `_SKIP`).
_STRINGS_KEYS = ("labels", "release", "editions", "status", "classification", "date", "packs")
_SKIP = ("id", "related")
# Keys of a block that hold settings, not text: the same in every language.
_BLOCK_SETTINGS = {"figure": ("src", "width"), "table": ("align",)}


def is_placeholder(text: str) -> bool:
    """A `TO TRANSLATE` value left by `pipeline new`: valid text, but no translation yet,
    so it is never recorded as current (accept skips it) nor exported as a target."""
    return schema.TRANSLATE_PLACEHOLDER.match(text) is not None


@dataclass(frozen=True)
class Field:
    """One translatable text of one document."""

    doc: str
    path: Loc
    text: str

    @property
    def kind(self) -> str:
        """What the field is, wherever it sits: a block moved from one section (or the
        intro) to another keeps its kind, and so does a heading that changes level."""
        path = self.path
        if path[:1] == ("intro",) or "blocks" in path:
            start = 2 if path[0] == "intro" else len(path) - path[::-1].index("blocks") + 1
            return "block." + _pattern(path[start:])
        if path[-1:] == ("heading",):
            return "heading"
        return _pattern(path)

    @property
    def unit_id(self) -> str:
        """The path as an XLIFF unit id (NMTOKEN): `sections.0.blocks.1`."""
        return ".".join(str(part) for part in self.path)

    @property
    def name(self) -> str:
        """`alpha:sections.0.blocks.1`: how messages and XLIFF unit ids name a field
        (an NMTOKEN, unique in the whole file, as CAT tools and Weblate expect)."""
        return f"{self.doc}:{self.unit_id}"


def _pattern(path: Loc) -> str:
    return ".".join("#" if isinstance(part, int) else part for part in path)


def docs_of(language: Language, order: list[str]) -> list[str]:
    """The documents of a language: strings, front matter, then topics in edition order."""
    return [*LANGUAGE_DOCS, *(topic for topic in order if topic in language.sources)]


def loaded_doc(language: Language, doc: str) -> Loaded:
    return language.files[doc] if doc in LANGUAGE_DOCS else language.sources[doc]


def doc_path(directory: Path, doc: str) -> Path:
    return directory / f"{doc}.yaml"


def fields_of(doc: str, data: Any) -> list[Field]:
    """Every translatable text of a document's parsed data, in file order."""
    if not isinstance(data, dict):
        return []
    keys = _STRINGS_KEYS if doc == STRINGS_DOC else [k for k in data if k not in _SKIP]
    return [Field(doc, path, text) for key in keys if key in data for path, text in _walk(data[key], (key,))]


def _walk(value: Any, path: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        settings = _BLOCK_SETTINGS.get(path[-1], ()) if path else ()
        for key, item in value.items():
            if key not in settings:
                yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def parse_unit_id(unit_id: str) -> Loc:
    """`sections.0.blocks.1` -> ("sections", 0, "blocks", 1)."""
    return tuple(int(part) if part.isdigit() else part for part in unit_id.split("."))


def get_path(data: Any, path: Loc) -> Any:
    """The value at `path`, or None when the path does not exist."""
    for part in path:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_map = isinstance(part, str) and isinstance(data, dict) and part in data
        if not (in_list or in_map):
            return None
        data = data[part]
    return data
