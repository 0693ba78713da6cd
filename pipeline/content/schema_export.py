"""JSON Schemas of the content files, generated from the pydantic models in `pipeline.content.schema`.

Editors with a YAML language server (VS Code's YAML extension, JetBrains, Neovim) read
a file's `# yaml-language-server: $schema=<path>` first line and then complete keys,
show field descriptions and flag mistakes as the writer types. The schemas are
generated, never written by hand, so they cannot drift from what `pipeline validate`
accepts; a test compares the committed copies with a fresh generation.

pydantic documents only part of our custom validation, so the generator fills in
what an editor needs to know:

* `Text` (non-empty, no control characters, no `pipeline new` placeholder): a
  `minLength`, a `pattern` and a `not` pattern, instead of a bare string;
* a `Text` with its own pattern (e.g. `page_of`) is a chain of two validators, of
  which pydantic shows only the first: every step is kept;
* bounds on a union (`Millimetres`, int or float) come out of pydantic as `ge`/`le`,
  which JSON Schema ignores: they become `minimum`/`maximum`.

The block union's callable discriminator already comes out as a `oneOf` of the block
shapes (a string, or an object with exactly one key naming its kind: `list`, `focus`,
`quote`, `key_figure`, `figure`, `table`), which is what an editor needs; its error message becomes the
description an editor shows on hover.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from pipeline.content import schema
from pipeline.errors import PipelineError
from pipeline.files.output import write_atomic

SCHEMA_DIR_NAME = "schemas"
HEADER_PREFIX = "# yaml-language-server: $schema="
# Draft 7: what VS Code's YAML extension and most editors implement (newer drafts only partly).
DIALECT = "http://json-schema.org/draft-07/schema#"


@dataclass(frozen=True)
class ContentSchema:
    """One kind of content file: its schema's name, the type it validates against, a title."""

    name: str
    model: Any
    title: str

    @property
    def filename(self) -> str:
        return f"{self.name}.schema.json"


SCHEMAS = (
    ContentSchema("topic", schema.Topic, "Topic file (content/<lang>/<topic-id>.yaml)"),
    ContentSchema("strings", schema.Strings, "Language strings (content/<lang>/_strings.yaml)"),
    ContentSchema("frontmatter", schema.FrontMatter, "Handbook front matter (content/<lang>/_frontmatter.yaml)"),
    ContentSchema("edition", schema.Edition, "Edition and document control (content/edition.yaml)"),
    ContentSchema("branding", schema.Branding, "Colours, fonts and margins (content/branding.yaml)"),
    ContentSchema("glossary", list[schema.GlossaryEntry], "Agreed terms by language (content/glossary.yaml)"),
)
BY_NAME = {s.name: s for s in SCHEMAS}

# Files at the top of content/ and the special files of a language folder.
_TOP_LEVEL = {"edition.yaml": "edition", "branding.yaml": "branding", "glossary.yaml": "glossary"}
_LANGUAGE_FILES = {"_strings.yaml": "strings", "_frontmatter.yaml": "frontmatter"}

_CONTROL_CLASS = schema._CONTROL.pattern.removeprefix("[").removesuffix("]")
# Non-empty, at least one non-space character, no control characters: `_clean_text`.
TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*[^{_CONTROL_CLASS}\\s][^{_CONTROL_CLASS}]*$"
# pydantic's leftovers for bounds on a union, and their JSON Schema names.
_BOUND_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


class _ContentJsonSchema(GenerateJsonSchema):
    """pydantic's generator, taught what our custom validators check (see the module docstring)."""

    def function_after_schema(self, schema_: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema_)
        if schema_["function"].get("function") is schema._clean_text:
            json_schema = {
                **json_schema,
                "minLength": 1,
                "pattern": TEXT_PATTERN,
                "not": {"pattern": schema.PLACEHOLDER.pattern},
            }
        return json_schema

    def generate_inner(self, schema_: Any) -> JsonSchemaValue:
        json_schema = super().generate_inner(schema_)
        for key, keyword in _BOUND_KEYWORDS.items():
            if key in json_schema:
                json_schema[keyword] = json_schema.pop(key)
        return json_schema

    def tagged_union_schema(self, schema_: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        json_schema = super().tagged_union_schema(schema_)
        if schema_.get("custom_error_message"):  # the block union says what a block is: show it on hover
            json_schema["description"] = schema_["custom_error_message"]
        return json_schema

    def chain_schema(self, schema_: core_schema.ChainSchema) -> JsonSchemaValue:
        merged: dict[str, Any] = {}
        for step in schema_["steps"]:
            for key, value in self.generate_inner(step).items():
                if key not in merged:
                    merged[key] = value
                elif merged[key] != value:  # e.g. a second pattern: both must hold
                    merged.setdefault("allOf", []).append({key: value})
        return merged


def generate(content_schema: ContentSchema) -> dict[str, Any]:
    """The JSON Schema of one kind of content file."""
    body = TypeAdapter(content_schema.model).json_schema(schema_generator=_ContentJsonSchema,
                                                         ref_template="#/definitions/{model}")
    body.pop("title", None)
    definitions = body.pop("$defs", None)  # draft 7 names them "definitions"
    return {"$schema": DIALECT, "title": content_schema.title, **body,
            **({"definitions": definitions} if definitions else {})}


def render(content_schema: ContentSchema) -> str:
    """The schema as committed: sorted keys are not used, so it reads in field order."""
    return json.dumps(generate(content_schema), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema to `out_dir` (atomically, so an editor never reads half a file)."""
    written = []
    for content_schema in SCHEMAS:
        path = out_dir / content_schema.filename
        write_atomic(path, render(content_schema).encode("utf-8"))
        written.append(path)
    return written


def stale_schemas(out_dir: Path) -> list[Path]:
    """Schemas in `out_dir` that are missing or differ from what the models generate."""
    stale = []
    for content_schema in SCHEMAS:
        path = out_dir / content_schema.filename
        if not path.is_file() or path.read_text(encoding="utf-8") != render(content_schema):
            stale.append(path)
    return stale


# --- the header line of each content file ------------------------------------------------


def schema_of(content_root: Path, path: Path) -> ContentSchema | None:
    """Which schema a file under `content_root` follows, or None for files that have none."""
    rel = path.relative_to(content_root)
    if path.suffix != ".yaml":
        return None
    if len(rel.parts) == 1:
        name = _TOP_LEVEL.get(rel.name)
    elif len(rel.parts) == 2 and (content_root / rel.parts[0] / "_strings.yaml").is_file():
        # A language folder; other folders (schemas/, translations/) hold no content files.
        name = _LANGUAGE_FILES.get(rel.name, "topic")
    else:
        name = None
    return BY_NAME[name] if name else None


def content_files(content_root: Path) -> list[tuple[Path, ContentSchema]]:
    """Every content file that has a schema, with it, in a stable order. A file that links
    outside the content folder is left alone (never read): `validate` refuses it."""
    if not content_root.is_dir():
        raise PipelineError(f"content folder not found: {content_root}")
    found = []
    for path in sorted(content_root.glob("*.yaml")) + sorted(content_root.glob("*/*.yaml")):
        if not path.resolve().is_relative_to(content_root.resolve()):
            continue
        content_schema = schema_of(content_root, path)
        if content_schema is not None:
            found.append((path, content_schema))
    return found


def header_line(content_root: Path, path: Path, content_schema: ContentSchema, schema_dir: Path) -> str:
    """`# yaml-language-server: $schema=../schemas/topic.schema.json`, relative to the file."""
    target = Path(schema_dir, content_schema.filename).resolve()
    relative = PurePosixPath(*Path(os.path.relpath(target, path.resolve().parent)).parts)
    return f"{HEADER_PREFIX}{relative}"


def with_header(text: str, header: str) -> str:
    """The file's text with `header` as its first line (replacing an older header line)."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith(HEADER_PREFIX):
        lines = lines[1:]
    return header + "\n" + "".join(lines)


def missing_headers(content_root: Path, schema_dir: Path) -> list[Path]:
    """Content files whose first line does not name their schema."""
    missing = []
    for path, content_schema in content_files(content_root):
        header = header_line(content_root, path, content_schema, schema_dir)
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if first != header:
            missing.append(path)
    return missing


def write_headers(content_root: Path, schema_dir: Path) -> list[Path]:
    """Put the schema header on the first line of every content file that lacks it.

    Idempotent, and safe to re-run after merging content from elsewhere: a file with
    the right header is left byte for byte as it is.
    """
    changed = []
    for path in missing_headers(content_root, schema_dir):
        content_schema = schema_of(content_root, path)
        assert content_schema is not None
        header = header_line(content_root, path, content_schema, schema_dir)
        write_atomic(path, with_header(path.read_text(encoding="utf-8"), header).encode("utf-8"))
        changed.append(path)
    return changed
