"""Read YAML safely, keeping the line of every value; no validation of meaning here.

PyYAML's `safe_load` forgets where values came from and silently keeps the last of
two duplicate keys. We compose the node graph ourselves instead, so that:

- every value's line is recorded under its path, e.g. ("sections", 2, "heading");
- duplicate keys, anchors and aliases are refused (content has no use for aliases,
  and nested aliases can expand a few hundred bytes into billions of nodes);
- only the standard safe tags are constructed (no Python object tags).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipeline.content import misread
from pipeline.content.limits import CONTENT_FILE_BYTES, size_text
from pipeline.errors import ContentError, Problem

Loc = tuple[str | int, ...]

# The content files every edition has, beside one topic file per topic and language.
STRINGS_FILE = "_strings.yaml"
FRONT_FILE = "_frontmatter.yaml"
EDITION_FILE = "edition.yaml"
BRANDING_FILE = "branding.yaml"
GLOSSARY_FILE = "glossary.yaml"
# Who approved which text (`pipeline signoff`); optional.
SIGNOFF_FILE = "signoffs.yaml"
# Each misread text costs one more parse of its file: a bound for a file made of them.
MAX_MISREADINGS = 50



@dataclass(frozen=True)
class Loaded:
    """A parsed YAML file: its data and the line (1-based) of each value by path."""

    path: Path
    data: Any
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known value on `loc` (a missing field points at its parent)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class _StrictComposer(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases while composing."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(event.start_mark.line + 1, "YAML aliases (*name) are not allowed", "*")
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor:
            raise _Refused(event.start_mark.line + 1, "YAML anchors (&name) are not allowed", "&")
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, line: int, message: str, indicator: str | None = None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.indicator = indicator  # the character that starts a text YAML misread, if one did


_SCALARS = SafeConstructor()


def load_yaml(path: Path, limit: int = CONTENT_FILE_BYTES, what: str = "a content file") -> Loaded:
    """Parse one YAML file; raise `ContentError` naming the file and line on any problem.

    A file over `limit` bytes (`what` names the kind in the message) is refused by its
    size, before it is read: parsing costs seconds a megabyte (`pipeline.content.limits`).
    """
    text = _read_text(path, limit, what)
    reading = parse_text(text)
    problems = [Problem(path, m.line, "", m.message) for m in reading.misreadings]
    if reading.error is not None:
        problems.append(Problem(path, reading.error[0], "", reading.error[1]))
    if problems:
        raise ContentError(problems)
    return Loaded(path, reading.data, reading.lines)


@dataclass
class Reading:
    """A YAML text as read: every text YAML misreads (each quoted in `text` when its
    intended form is clear, so the rest can be read too), and a problem no quoting explains."""

    text: str
    misreadings: list[misread.Misreading]
    error: tuple[int, str] | None = None  # (line, message)
    data: Any = None  # meaningful only when there is neither misreading nor error
    lines: dict[Loc, int] = field(default_factory=dict)


def parse_text(text: str) -> Reading:
    """Parse `text`, collecting every misread text rather than stopping at the first."""
    found: list[misread.Misreading] = []
    while True:  # each round quotes one more misread text, or ends
        try:
            root, data, lines = _compose(text)
        except (_Refused, yaml.YAMLError) as exc:
            # Past MAX_MISREADINGS (each costs a parse), the next problem is named as it is.
            misreading = _diagnose(text, exc) if len(found) < MAX_MISREADINGS else None
            if misreading is None or any(m.start == misreading.start for m in found):  # quoting did not help
                return Reading(text, found, _located(text, exc))
            found.append(misreading)
            if not misreading.fixable:
                return Reading(text, found)
            text = misreading.quoted(text)
            continue
        later = misread.check_tree(root, text)
        for misreading in sorted(later, key=lambda m: m.start, reverse=True):
            text = misreading.quoted(text)
        return Reading(text, found + later, None, data, lines)


def _compose(text: str) -> tuple[Node | None, Any, dict[Loc, int]]:
    """The node graph (libyaml's when it can, else the strict composer's, which says what
    it refuses and where) and the data built from it with the line of every value."""
    root = _fast_node(text)
    loader = None
    try:
        if root is None:
            loader = _StrictComposer(text)
            root = loader.get_single_node()
        lines: dict[Loc, int] = {}
        data = _build(root, (), lines) if root is not None else None
        return root, data, lines
    finally:
        if loader is not None:
            loader.dispose()


def _diagnose(text: str, exc: Exception) -> misread.Misreading | None:
    """The misread text behind a parse error, if that is what it is."""
    if isinstance(exc, _Refused):
        if exc.indicator is None:
            return None
        found = misread.diagnose(text, exc.message, exc.line - 1, "", None)
        return found if found is not None and text[found.start] == exc.indicator else None
    if isinstance(exc, yaml.MarkedYAMLError):
        problem, context = exc.problem_mark, exc.context_mark
        return misread.diagnose(text, exc.problem or "", problem.line if problem else None,
                                exc.context or "", context.line if context else None)
    return None


def _located(text: str, exc: Exception) -> tuple[int, str]:
    """(line, message) of a YAML problem, as the parser reports it."""
    if isinstance(exc, _Refused):
        return exc.line, exc.message
    if isinstance(exc, yaml.reader.ReaderError):
        return text[: exc.position].count("\n") + 1, f"invalid YAML: {exc.reason}"
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if problem == "found character '\\t' that cannot start any token":
            problem = "a tab in the indentation; indent with spaces only"
        return (mark.line + 1 if mark else 1), f"invalid YAML: {problem}"
    return 1, f"invalid YAML: {exc}"


def outside(root: Path, path: Path) -> Problem | None:
    """The problem of a content file that, links followed, lies outside the content folder
    `root` (it is then never read), or None."""
    if path.resolve().is_relative_to(root.resolve()):
        return None
    return Problem(path, 1, "", "links to a file outside the content folder: copy the file in instead")


def _read_text(path: Path, limit: int, what: str) -> str:
    """The text of a regular file of at most `limit` bytes (newlines as `read_text` gives them)."""
    try:
        stat = path.stat()
        if not S_ISREG(stat.st_mode):
            raise ContentError([Problem(path, 1, "", "not a regular file")])
        if stat.st_size > limit:
            raise ContentError([Problem(path, 1, "", f"file of {size_text(stat.st_size)}: {what} may be at "
                                                     f"most {size_text(limit)}")])
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
        if len(raw) > limit:  # it grew since: the same refusal
            raise ContentError([Problem(path, 1, "", f"{what} may be at most {size_text(limit)}")])
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(path, 1, "", f"not valid UTF-8 ({exc.reason})")]) from None
    except OSError as exc:
        raise ContentError([Problem(path, 1, "", f"cannot read file: {exc.strerror}")]) from None


def _fast_node(text: str) -> Node | None:
    """The node graph composed by libyaml (about ten times faster than the Python
    composer: it is what makes a 110-topic edition load in a fraction of a second), or
    None when libyaml is missing, the text is not valid YAML, or it holds an anchor or
    an alias (which the strict composer refuses with their line)."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        if "&" in text or "*" in text:  # else no anchor or alias can be there: skip a parse
            for event in yaml.parse(text, Loader=loader):
                if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                    return None
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return None
    _plain_as_python(root)
    return root


def compose_node(text: str) -> Node | None:
    """The node graph of `text`, with the marks (line, column, character index) the
    writers patch at: libyaml's when it can, the Python composer's otherwise (same graph,
    same marks). For texts that already loaded: it refuses nothing itself."""
    root = _fast_node(text)
    return root if root is not None else yaml.compose(text, Loader=yaml.SafeLoader)


def _plain_as_python(node: Node | None) -> None:
    """libyaml marks a plain scalar with style '' where PyYAML's composer says None: make
    the graph the same whichever composed it (the misread checks and fmt read styles)."""
    stack = [node] if node is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, ScalarNode):
            if item.style == "":
                item.style = None
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                stack += (key, value)
        elif isinstance(item, SequenceNode):
            stack += item.value


_COLLECTION_TAGS = {MappingNode: "tag:yaml.org,2002:map", SequenceNode: "tag:yaml.org,2002:seq"}


def _build(node: Node, loc: Loc, lines: dict[Loc, int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    expected_tag = _COLLECTION_TAGS.get(type(node))
    if expected_tag and node.tag != expected_tag:
        raise _Refused(node.start_mark.line + 1, f"unsupported YAML tag {node.tag}", "!")
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Refused(key_node.start_mark.line + 1, "mapping keys must be plain text")
            key = _scalar(key_node)
            if key in result:
                raise _Refused(key_node.start_mark.line + 1, f"duplicate key '{key}'")
            result[key] = _build(value_node, (*loc, key), lines)
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, (*loc, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    try:
        return _SCALARS.construct_object(node, deep=True)
    except ConstructorError as exc:
        raise _Refused(node.start_mark.line + 1, f"unsupported YAML tag {node.tag}", "!") from exc
    except ValueError as exc:  # e.g. a date such as 2026-13-24
        raise _Refused(node.start_mark.line + 1, f"invalid value '{node.value}': {exc}") from exc


def texts(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every string in parsed data, with its path, in document order."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, (*loc, i))


def format_loc(loc: Loc) -> str:
    """('sections', 2, 'heading') -> 'sections[2].heading'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
