"""Templates run in a sandbox: they may read the values they are given, and nothing else.

A theme folder (branding.yaml `templates:`) is written by a designer and reaches the
machine through a content change, so its templates are untrusted code. Three guards:

1. **Before anything runs** (`pipeline validate`, and a build before it renders):
   `unsafe_names` reads a template's syntax tree for what no template needs and every
   escape uses: an attribute or item whose name starts with `_` (`__init__`,
   `__globals__`, `__class__`) or names a function's or generator's internals, also
   through the `attr` filter. Such a template is refused with its file and line and
   never executed.
2. **While rendering**: every template (ours too) runs in `Environment`, Jinja's
   immutable sandbox (no attribute starting with `_`, no function internals, no method
   that changes a list or dict), narrowed further: attributes only of the values the
   renderer passes (the document model, numbers, text, dates, Jinja's own helpers), never
   of a module or leading to one, so a path in the model can give its name but not
   `read_text()` or `unlink()`; and no text
   or list of more than `MAX_ITEMS` built by `*`, no power beyond `MAX_EXPONENT`.
   What a name built at run time reaches is refused here, as `template: unsafe: ...`.
3. **Loading**: `ConfinedLoader` serves a template only when its file, links followed,
   lies inside its folder (and, for a theme, is a file a build may use,
   `pipeline.content.theme.usable`): Jinja's own loader follows links anywhere.

Not defended here: a template may still loop for a long time (`range` is capped at
100,000 items, but loops nest). See SECURITY.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.loaders import split_template_path
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    ImmutableSandboxedEnvironment,
    SecurityError,
)

from pipeline.content import theme
from pipeline.errors import BuildError, display_path

# Modules whose objects a template may read attributes of: what the renderer passes
# (the document model, html.py's helpers), plain values and Jinja's own helpers (loop,
# macros, imported templates, cycler, namespace).
SAFE_MODULES = frozenset({"builtins", "datetime", "markupsafe", "pipeline.content.model", "pipeline.render.html"})
# A path in the model (a picture's file) may give its name, nothing that reads or writes.
PATH_ATTRIBUTES = frozenset({"name", "stem", "suffix"})
# Internals no template needs, on top of every name that starts with "_".
INTERNAL_NAMES = frozenset({"mro", "func_globals", "func_code", "f_globals", "f_locals", "f_builtins",
                            "tb_frame", "gi_yieldfrom", *UNSAFE_GENERATOR_ATTRIBUTES,
                            *UNSAFE_COROUTINE_ATTRIBUTES, *UNSAFE_ASYNC_GENERATOR_ATTRIBUTES})
# The longest text or list a template may build with `*`, and the largest exponent of `**`.
MAX_ITEMS = 100_000
MAX_EXPONENT = 64


class Environment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, allowing attributes of the renderer's own values only."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value) or attr in INTERNAL_NAMES:
            return False
        if isinstance(obj, ModuleType) or isinstance(value, ModuleType):
            return False  # a module reaches everything it imported (os, subprocess)
        if isinstance(obj, PurePath):
            return attr in PATH_ATTRIBUTES
        module = type(obj).__module__
        return module in SAFE_MODULES or module.startswith("jinja2.")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"a power above {MAX_EXPONENT} is not allowed in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
                    raise SecurityError(f"a template may not build a text or list of more than {MAX_ITEMS:,} items")
        return super().call_binop(context, operator, left, right)


def unsafe_names(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    """(line, message) for every attribute or item a template names that no template may use."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            name, what = node.attr, "attribute"
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name, what = node.arg.value, "item"
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args and \
                isinstance(node.args[0], nodes.Const):
            name, what = node.args[0].value, "attribute"
        else:
            continue
        if isinstance(name, str) and (name.startswith("_") or name in INTERNAL_NAMES):
            yield node.lineno, f"unsafe {what} '{name}': a template may use only the values it is given"


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates of one folder whose files, links followed, stay inside it. In a theme
    folder, only the files a build may use, within their size limit."""

    def __init__(self, folder: Path, is_theme: bool):
        super().__init__(folder)
        self.folder = folder.resolve()
        self.is_theme = is_theme

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        path = self.folder.joinpath(*split_template_path(template))  # refuses '..'
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        usable = theme.usable(self.folder, path) if self.is_theme else path.resolve().is_relative_to(self.folder)
        if not usable:
            raise BuildError(f"{display_path(path)}: links outside its folder, or is a file a template may not "
                             "use: copy the file in instead")
        mtime = os.path.getmtime(path)
        text = path.read_text(encoding="utf-8")
        return text, str(path), lambda: os.path.getmtime(path) == mtime
