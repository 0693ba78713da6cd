"""Where YAML misreads an editor's text, and how to quote it.

Content is prose, and prose starts with characters that YAML reserves: `*italic*` is
read as an alias, `[a link](https://...)` as a list, `"Lone wolves" act alone` as a
quoted text followed by garbage; `Note: this` in a list becomes a key and a value and
`We are number #1` loses everything after ` #` as a comment. PyYAML's own messages
("expected <block end>, but found '<scalar>'") say nothing an editor can act on, and
an unclosed `[` is reported at the line where the parser gave up, not where it began.

This module turns each of those into a `Misreading`: the line where the text starts, a
message that says what YAML did and how to fix it, and the span of the text, so that
`pipeline fmt` can put it in double quotes. It reads lines and the parser's marks
only; the loader decides when to call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FIX = "put it all in double quotes, or run 'pipeline fmt'"

COLON = f"quote this text: ': ' inside a text, or ':' at its end, is read as a YAML key and value; {FIX}"

# What YAML makes of a value that starts with each of these characters.
STARTS = {
    "*": "is read as a YAML alias",
    "&": "is read as a YAML anchor",
    "!": "is read as a YAML tag",
    "[": "is read as a YAML list (a link [text](https://...) must be quoted)",
    "{": "is read as a YAML mapping",
    "%": "is refused by YAML (% is reserved)",
    "@": "is refused by YAML (@ is reserved)",
    "`": "is refused by YAML (` is reserved)",
    "|": "is read as a YAML block of text",
    ">": "is read as a YAML block of text",
    '"': 'ends at its second " for YAML (inside double quotes, write " as \\")',
    "'": "ends at its second ' for YAML",
}

# A key in our content: a lower-case name (`lead`, `key_figure`, `en`) or a quoted text.
_KEY = re.compile(r"""(?:[a-z_][A-Za-z0-9_-]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*:(?:[ \t]+|$)""")
_NAME = re.compile(r"[a-z][A-Za-z0-9_-]*")  # a key of ours: lower-case first (`key_figure`, `zh-Hant`)
_COMMENT = re.compile(r"[ \t]{2,}#")


@dataclass(frozen=True)
class Misreading:
    """One text YAML misreads: where it starts, what happened, and the text's span."""

    line: int  # 1-based
    message: str
    start: int  # character offsets of the intended text in the file
    end: int
    fixable: bool = True  # False when the intended text cannot be guessed (an unclosed [ or ")

    def quoted(self, text: str) -> str:
        """`text` with this span in double quotes; the line count is unchanged, and a
        double-quoted text folds its lines exactly as the plain text it was meant to be."""
        span = text[self.start : self.end].replace("\\", "\\\\").replace('"', '\\"')
        return text[: self.start] + '"' + span + '"' + text[self.end :]


def diagnose(text: str, problem: str, problem_line: int | None, context: str, context_line: int | None
             ) -> Misreading | None:
    """The misreading behind a YAML error (lines 0-based, from its marks), or None.

    An unclosed `[`, `{` or quotation mark is found through the context mark (where the
    parser started the list), since the problem mark is where it gave up, often lines later.
    """
    lines = text.splitlines(keepends=True)
    unclosed = context.startswith(("while parsing a flow", "while scanning a quoted")) and context_line is not None
    candidates = [context_line] if unclosed else []
    if problem_line is not None:
        candidates.append(problem_line)
        if problem_line < len(lines):
            previous = _previous_content_line(lines, problem_line)
            if previous is not None and _indent(lines[problem_line]) > _indent(lines[previous]):
                candidates.append(previous)  # the problem is on a continuation line of the text
    for number in candidates:
        if number is None or number >= len(lines):
            continue
        found = _value_at(lines, number)
        if found is None:
            continue
        start, parent = found
        offset = sum(len(line) for line in lines[:number])
        first = lines[number][start]
        end = _span_end(lines, number, start, parent, offset)
        if problem == "mapping values are not allowed here" and number == problem_line:
            return Misreading(number + 1, COLON, offset + start, end)
        if first in STARTS:
            if unclosed and number == context_line:
                closing = {"[": "]", "{": "}"}.get(first, first)
                message = (f"this text starts with {first} and YAML looks for its closing {closing} in vain: "
                           f"close it, or, if it is text, put the whole text in double quotes")
                return Misreading(number + 1, message, offset + start, end, fixable=False)
            what = STARTS[first] + (f" ({problem})" if problem.startswith("unsupported YAML tag") else "")
            message = f"quote this text: a text that starts with {first} {what}; {FIX}"
            return Misreading(number + 1, message, offset + start, end)
    return None


def check_tree(root: Node | None, text: str) -> list[Misreading]:
    """Texts that parsed, but not as written: a comment cut off after ' #', and a list
    item `Note: this` read as a key and a value."""
    found = []
    for node, in_sequence in _nodes(root):
        if isinstance(node, ScalarNode) and node.style is None and _hash_follows(text, node.end_mark.index):
            end = _line_end(text, node.end_mark.index)
            found.append(Misreading(node.start_mark.line + 1, "quote this text: the part after ' #' is read as a "
                                    "YAML comment and dropped; put the whole text in double quotes (or, if it is "
                                    "a comment, put two spaces before #)", node.start_mark.index, end))
        if in_sequence and isinstance(node, MappingNode) and not node.flow_style and len(node.value) == 1:
            key, value = node.value[0]
            if (isinstance(key, ScalarNode) and key.style is None and not _NAME.fullmatch(key.value)
                    and isinstance(value, ScalarNode) and value.start_mark.line == key.start_mark.line):
                end = value.end_mark.index if value.style is not None else _plain_end(text, value)
                found.append(Misreading(key.start_mark.line + 1, COLON, key.start_mark.index,
                                        end if value.value else _line_end(text, key.end_mark.index)))
    return found


def _nodes(node: Node | None, in_sequence: bool = False) -> Iterator[tuple[Node, bool]]:
    if node is None:
        return
    yield node, in_sequence
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _nodes(item, in_sequence=not node.flow_style)


def _hash_follows(text: str, end: int) -> bool:
    """A ' #' right after a plain text (one space): YAML's comment, an editor's '#1'."""
    return text.startswith(" #", end) and end > 0 and text[end - 1] not in " \t\n"


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    end = len(text) if end == -1 else end
    return len(text[:end].rstrip(" \t\r"))


def _plain_end(text: str, node: ScalarNode) -> int:
    """A plain text's end, including a ' #...' YAML took for a comment."""
    return _line_end(text, node.end_mark.index) if _hash_follows(text, node.end_mark.index) else node.end_mark.index


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_content_line(lines: list[str], number: int) -> int | None:
    for i in range(number - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _value_at(lines: list[str], number: int) -> tuple[int, int] | None:
    """Where the value on a line starts (after its indentation, dashes and key), and the
    column of what it belongs to (its key or dash), or None for an empty or comment line."""
    line = lines[number].rstrip("\r\n")
    i = _indent(line)
    parent = -1
    while line.startswith("-", i) and (i + 1 == len(line) or line[i + 1] in " \t"):
        parent = i
        i += 1
        i += len(line[i:]) - len(line[i:].lstrip(" \t"))
    key = _KEY.match(line, i)
    if key is not None:
        parent, i = i, key.end()
    if i >= len(line) or line[i] == "#":
        return None
    return i, parent


def _span_end(lines: list[str], number: int, start: int, parent: int, offset: int) -> int:
    """The end of a text that starts at column `start` of line `number`: the end of the
    line (before a comment set off by two spaces) and of every following line indented
    deeper than its key or dash, as YAML continues a plain text."""
    line = lines[number].rstrip("\r\n")
    comment = _COMMENT.search(line, start)
    end = offset + len(line[: comment.start() if comment else len(line)].rstrip(" \t"))
    position = offset + len(lines[number])
    for following in lines[number + 1 :]:
        stripped = following.strip()
        if not stripped or stripped.startswith("#") or _indent(following) <= parent:
            break
        end = position + len(following.rstrip("\r\n").rstrip(" \t"))
        position += len(following)
    return end
