"""Change values in a YAML file and touch nothing else: comments, order, quoting, layout.

Why not dump the whole file with ruamel.yaml's round-trip mode: measured on our
content, it rewrites `"\\u201C"` escapes as literal characters and joins a flow list
that spans two lines (`months: [...]`) into one line, so a one-label import would
reformat a whole `_strings.yaml`. Instead each edit replaces or inserts text at the
exact character positions the YAML parser reports for the node, so every byte outside
an edit stays as it was:

- a changed text replaces its scalar, in the scalar's own quoting style (plain stays
  plain when YAML allows it, quoted stays quoted);
- a new block, list item or key is inserted before its next sibling (or after its
  previous one) at the siblings' indentation, rendered by ruamel.yaml in the house
  layout (sequences indented by 4 with the dash at 2, mappings by 2).

The caller compares the re-parsed result with the data it meant to write, so a
misplaced edit can never reach a file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipeline.content.loader import Loc, compose_node


class PlacementError(ValueError):
    """A new value has no place in the file (e.g. its container is a flow list)."""


@dataclass(frozen=True)
class Replace:
    """Set the text at `path`."""

    path: Loc
    value: str


@dataclass(frozen=True)
class Insert:
    """Insert `value` into the container at `container`: at list index / as mapping key `slot`.

    `before` is the path of an existing sibling to insert before, `after` one to insert
    after (used when `before` is None); both None means "append".
    """

    container: Loc
    slot: int | str
    value: Any
    before: Loc | None = None
    after: Loc | None = None


def apply(text: str, edits: list[Replace | Insert]) -> str:
    """The text with `edits` applied; positions all refer to the original text."""
    root = compose_node(text)
    patches: list[tuple[int, int, int, str]] = []  # (start, end, order, replacement)
    for order, edit in enumerate(edits):
        if isinstance(edit, Replace):
            node, flow = _find(root, edit.path)
            if not isinstance(node, ScalarNode):
                raise PlacementError(f"{'.'.join(map(str, edit.path))} is not a text")
            if node.value == edit.value:
                continue  # unchanged: keep the bytes exactly
            patches.append((node.start_mark.index, node.end_mark.index, order,
                            render_scalar(edit.value, node.style, flow)))
        else:
            patches.append(_insertion(text, root, edit, order))
    # Apply from the end so earlier positions stay valid; same-position inserts keep their order.
    for start, end, _, replacement in sorted(patches, key=lambda p: (p[0], p[2]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _find(root: Node | None, path: Loc) -> tuple[Node, bool]:
    """The node at `path`, and whether it sits inside a flow collection."""
    node = root
    flow = False
    for part in path:
        if isinstance(node, MappingNode):
            flow = flow or bool(node.flow_style)
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            flow = flow or bool(node.flow_style)
            node = node.value[part]
        else:
            node = None
        if node is None:
            raise PlacementError(f"no {'.'.join(map(str, path))} in the file")
    assert node is not None
    return node, flow


def render_scalar(value: str, style: str | None, flow: bool) -> str:
    """`value` as a YAML scalar, in `style` ('"', "'" or plain) when YAML allows it there."""
    value = str.__str__(value)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    wanted = style if style in ('"', "'") else None
    if flow:
        out = yaml.dump([value], Dumper=dumper, default_style=wanted, default_flow_style=True,
                        allow_unicode=True, width=10**9)
        return out.strip()[1:-1]
    out = yaml.dump(value, Dumper=dumper, default_style=wanted, allow_unicode=True, width=10**9)
    return out.removesuffix("\n...\n").removesuffix("\n")


def _insertion(text: str, root: Node | None, edit: Insert, order: int) -> tuple[int, int, int, str]:
    container, flow = _find(root, edit.container)
    if flow or not isinstance(container, (MappingNode, SequenceNode)) or not container.value:
        raise PlacementError(f"cannot add to {'.'.join(map(str, edit.container))}: add it by hand")
    is_seq = isinstance(container, SequenceNode)
    if edit.before is not None:
        anchor = _start_of(text, _find(root, edit.before)[0] if is_seq else _key_node(container, edit.before[-1]),
                           is_seq)
        column = anchor - text.rfind("\n", 0, anchor) - 1
        return anchor, anchor, order, _fragment(edit, is_seq, column) + "\n" + " " * column
    sibling = (_find(root, edit.after)[0] if edit.after is not None
               else container.value[-1] if is_seq else container.value[-1][1])
    first = _start_of(text, container.value[0] if is_seq else container.value[0][0], is_seq)
    column = first - text.rfind("\n", 0, first) - 1
    end = text.find("\n", _last_index(sibling))
    end = len(text) if end == -1 else end
    return end, end, order, "\n" + " " * column + _fragment(edit, is_seq, column)


def _key_node(mapping: MappingNode, key: Any) -> Node:
    return next(k for k, _ in mapping.value if k.value == key)


def _start_of(text: str, node: Node, is_item: bool) -> int:
    """Where a sibling starts: its dash for a list item, its key for a mapping entry."""
    index = node.start_mark.index
    if is_item:
        index = text.rfind("-", 0, index)
    return index


def _last_index(node: Node) -> int:
    """The end of the last scalar inside `node` (collections end where the next token starts)."""
    while isinstance(node, (MappingNode, SequenceNode)) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node.end_mark.index - 1 if node.end_mark.index > node.start_mark.index else node.start_mark.index


def _plain(value: Any) -> Any:
    """Builtin types only (callers may tag their strings with a subclass)."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fragment(edit: Insert, is_item: bool, column: int) -> str:
    """The YAML lines of the new value, the first at `column`, the rest indented to match."""
    value = _plain(edit.value)
    if isinstance(value, str):
        body = render_scalar(value, None, False)
        return f"- {body}" if is_item else f"{edit.slot}: {body}"
    lines = _house_dump(value if is_item else {edit.slot: value}).splitlines()
    if is_item:
        if isinstance(value, list):
            raise PlacementError("a list inside a list cannot be added")
        lines = ["- " + lines[0]] + ["  " + line for line in lines[1:]]
    return "\n".join([lines[0]] + [" " * column + line for line in lines[1:]])


def _house_dump(value: Any) -> str:
    from ruamel.yaml import YAML

    writer = YAML(typ="rt")
    writer.width = 10**9
    writer.allow_unicode = True
    writer.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    writer.dump(value, out)
    return out.getvalue()
