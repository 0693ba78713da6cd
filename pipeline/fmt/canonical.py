"""One YAML text made canonical, changing only quoting and indentation, never meaning.

The canonical form is the house layout that `pipeline new` and XLIFF import write:

- a text YAML misreads (`*italic* at the start`, `Note: ...`, `#1`) is put in double
  quotes first, as `pipeline validate` asks (`pipeline.content.misread`);
- every text is plain when YAML reads it back as the same text, else in double quotes
  (never single quotes); a text already in double quotes keeps its escapes, so
  `"\\u202F"` stays readable; invisible characters of a newly quoted text are escaped;
- mappings are indented by 2; a list's dash sits 2 deeper than its key and its items 4
  deeper (`sections:` / `  - heading:` / `    blocks:`), one space after a dash;
- Windows line ends become `\\n`, trailing spaces go, the file ends with one line end.

Everything else is kept byte for byte: comments, key order, flow lists such as
`related: [a, b]`, numbers, dates, keys, the spelling of escapes. As in XLIFF import
(`pipeline.translations.yamlwrite`), nothing is dumped: each edit replaces the text at
the positions the parser reports (a text's quotes, a line's indentation), so a
canonical file comes back byte-identical. The result is parsed again and compared with
the data of the input: a difference raises instead of reaching a file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipeline.content.loader import compose_node, parse_text
from pipeline.content.misread import Misreading

STR_TAG = "tag:yaml.org,2002:str"
INDENT = 2  # a mapping's keys under its key; a list's dash under its key
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


class NotCanonical(Exception):
    """The canonical form would not read back as the same data (a bug, never written)."""


@dataclass(frozen=True)
class Formatted:
    """A text in canonical form, or why it cannot be: a YAML error no quoting explains."""

    text: str | None  # None when the file cannot be read
    quoted: list[Misreading]  # the misread texts that were put in double quotes
    problems: list[tuple[int, str]]  # (line, message) of what stops formatting


def canonical(text: str) -> Formatted:
    """`text` in canonical form; the same text when it already is."""
    reading = parse_text(text.replace("\r\n", "\n"))
    stuck = [(m.line, m.message) for m in reading.misreadings if not m.fixable]
    if reading.error is not None or stuck:
        return Formatted(None, reading.misreadings, stuck + ([reading.error] if reading.error else []))
    root = compose_node(reading.text)
    requoted = requote(reading.text, root)
    result = reindent(requoted, root if requoted == reading.text else None)
    if result != reading.text and _data(result) != _data(reading.text):
        raise NotCanonical("the canonical form would change the data; nothing written")
    return Formatted(result, reading.misreadings, [])


def _data(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader, C when built


# --- quoting -----------------------------------------------------------------------------


def requote(text: str, root: Node | None) -> str:
    """Double quotes for every quoted text, invisible characters escaped (see `quoting`);
    `root` is the text's node graph."""
    patches: list[tuple[int, int, str]] = []
    for node, _flow in _values(root, False):
        if node.tag != STR_TAG or node.style not in (None, "'"):
            continue  # double quotes, numbers, dates, booleans, nulls and block texts (| >) stay as written
        if quoting(node.value, node.style) != node.style:
            patches.append((node.start_mark.index, node.end_mark.index, double_quoted(node.value)))
    for start, end, rendered in sorted(patches, reverse=True):
        text = text[:start] + rendered + text[end:]
    return text


def quoting(value: str, style: str | None) -> str | None:
    """The canonical style of a text written in `style` (None: plain, or ' or \").

    Quotes an editor put stay (a quoted text is never unquoted), and double quotes are
    the house's: single quotes become double unless the text holds more \" than ' (as
    Prettier does, to spare escapes). A text with an invisible character (a typed
    no-break space) is put in double quotes, where it is written as an escape.
    """
    if any(_invisible(ch) for ch in value):
        return '"'
    if style == "'" and value.count('"') <= value.count("'"):
        return '"'
    return style


def _values(node: Node | None, flow: bool) -> Iterator[tuple[ScalarNode, bool]]:
    """Every scalar that is a value (not a key), and whether it sits in a flow collection."""
    if isinstance(node, ScalarNode):
        yield node, flow
    elif isinstance(node, MappingNode):
        for _key, value in node.value:
            yield from _values(value, flow or bool(node.flow_style))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _values(item, flow or bool(node.flow_style))


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (category in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") and ch not in "\n\t") or (
        category == "Zs" and ch != " ")


def double_quoted(value: str) -> str:
    """`value` in double quotes; invisible characters as \\u escapes, the rest as typed."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _invisible(ch):
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# --- indentation ---------------------------------------------------------------------------


class _Layout:
    """The wanted column of each line that starts a key or a list item, and the lines
    that continue a text or a flow list begun on an earlier line (moved along with it)."""

    def __init__(self, text: str):
        self.text = text
        self.want: dict[int, int] = {}
        self.inside: set[int] = set()
        self.block_text: set[int] = set()

    def place(self, line: int, column: int) -> None:
        self.want.setdefault(line, column)

    def cover(self, node: Node) -> None:
        """The lines after the first of a text or flow collection belong to it."""
        last = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
        lines = range(node.start_mark.line + 1, last + 1)
        self.inside.update(lines)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            self.block_text.update(lines)

    def block(self, node: Node, column: int) -> None:
        if isinstance(node, MappingNode) and not node.flow_style:
            for key, value in node.value:
                self.place(key.start_mark.line, column)
                self.cover(key)
                self.value(value, column, key.end_mark.line)
        elif isinstance(node, SequenceNode) and not node.flow_style:
            for item in node.value:
                dash = self._dash_line(item)
                if dash is None:
                    continue
                self.place(dash, column)
                self.value(item, column, dash)
        else:
            self.cover(node)

    def value(self, node: Node, column: int, line: int) -> None:
        """A value that follows its key (or dash) on `line`, or on a line of its own below."""
        inner = column + INDENT
        if isinstance(node, ScalarNode) and node.style is None and node.value == "":
            return  # an empty value (null): nothing written
        if node.start_mark.line != line and not _is_block(node):
            self.place(node.start_mark.line, inner)
        self.block(node, inner)

    def _dash_line(self, item: Node) -> int | None:
        i = item.start_mark.index - 1
        while i >= 0 and self.text[i] in " \t\n":
            i -= 1
        return self.text.count("\n", 0, i) if i >= 0 and self.text[i] == "-" else None


def _is_block(node: Node) -> bool:
    return isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style


def reindent(text: str, root: Node | None = None) -> str:
    """Block collections at the house indentation; comments move with the line below.
    `root` is the text's node graph when the caller has it."""
    layout = _Layout(text)
    root = root if root is not None else compose_node(text)
    if root is not None:
        layout.block(root, 0)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    shift = [0] * len(lines)  # by how much each line moves
    out = [""] * len(lines)
    for n, line in enumerate(lines):
        if n in layout.want:
            stripped = _one_space_after_dashes(line.strip())
            out[n] = " " * layout.want[n] + stripped
            shift[n] = layout.want[n] - _indent(line)
        elif n in layout.inside:
            previous = max((m for m in layout.want if m < n), default=None)
            shift[n] = shift[previous] if previous is not None else 0
            body = line if n in layout.block_text else line.rstrip()
            out[n] = _moved(body, shift[n]) if body.strip() else ("" if n not in layout.block_text else line)
    for n, line in enumerate(lines):  # comments and blank lines: with the next placed line
        if n in layout.want or n in layout.inside:
            continue
        following = min((m for m in layout.want if m > n), default=None)
        moved = shift[following] if following is not None else 0
        out[n] = _moved(line.rstrip(), moved) if line.strip() else ""
    return "\n".join(out) + "\n" if out else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _moved(line: str, by: int) -> str:
    return " " * max(0, _indent(line) + by) + line.lstrip(" ")


def _one_space_after_dashes(line: str) -> str:
    """`-   key: v` -> `- key: v` (the dash of a list item, not a text's)."""
    head = ""
    while line.startswith("-") and (len(line) == 1 or line[1] in " \t"):
        head += "- " if len(line) > 1 else "-"
        line = line[1:].lstrip(" \t")
    return head + line
