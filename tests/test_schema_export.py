"""JSON Schemas for editors: generated from the models, committed, and in agreement with them.

The schemas are checked with `jsonschema`, a validator independent of pydantic, so a
schema that accepted what `pipeline validate` refuses (or the reverse) would show here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker
from pydantic import TypeAdapter, ValidationError

from pipeline.content import schema_export
from pipeline.content.loader import load_yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SCHEMA_DIR = CONTENT / "schemas"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def as_json(value: Any) -> Any:
    """YAML data as a YAML 1.2 editor sees it: dates are plain strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(name: str) -> Draft7Validator:
    committed = json.loads((SCHEMA_DIR / schema_export.BY_NAME[name].filename).read_text(encoding="utf-8"))
    return Draft7Validator(committed, format_checker=FormatChecker())


def test_committed_schemas_are_what_the_models_generate():
    assert schema_export.stale_schemas(SCHEMA_DIR) == [], "run 'pipeline schema' and commit content/schemas/"
    assert sorted(p.name for p in SCHEMA_DIR.iterdir()) == sorted(s.filename for s in schema_export.SCHEMAS)


@pytest.mark.parametrize("name", sorted(schema_export.BY_NAME))
def test_schemas_are_valid_json_schema(name):
    Draft7Validator.check_schema(json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")))


def test_schemas_tell_editors_what_a_text_and_a_block_are():
    topic = json.loads((SCHEMA_DIR / "topic.schema.json").read_text(encoding="utf-8"))
    lead = topic["properties"]["lead"]
    assert lead["minLength"] == 1 and "pattern" in lead and "not" in lead
    shapes = topic["definitions"]["Section"]["properties"]["blocks"]["items"]["oneOf"]
    assert shapes[0]["type"] == "string"
    assert sorted(s["$ref"].rsplit("/", 1)[1] for s in shapes[1:]) == [
        "FigureBlock", "FocusBlock", "KeyFigureBlock", "ListBlock", "QuoteBlock", "TableBlock"]
    strings = json.loads((SCHEMA_DIR / "strings.schema.json").read_text(encoding="utf-8"))
    assert {"pattern": r"\{page\}.*\{pages\}"} in strings["definitions"]["Labels"]["properties"]["page_of"]["allOf"]
    branding = json.loads((SCHEMA_DIR / "branding.schema.json").read_text(encoding="utf-8"))
    top = branding["definitions"]["Margins"]["properties"]["top"]
    assert (top["minimum"], top["maximum"]) == (5, 60) and "ge" not in top


CONTENT_FILES = schema_export.content_files(CONTENT)


def test_every_kind_of_content_file_is_covered():
    kinds = {content_schema.name for _, content_schema in CONTENT_FILES}
    assert kinds == set(schema_export.BY_NAME)


@pytest.mark.parametrize(("path", "content_schema"), CONTENT_FILES,
                         ids=[str(p.relative_to(CONTENT)) for p, _ in CONTENT_FILES])
def test_every_content_file_validates_against_its_schema(path, content_schema):
    errors = list(validator(content_schema.name).iter_errors(as_json(load_yaml(path).data)))
    assert errors == [], [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_a_known_bad_file_is_refused_where_it_is_wrong():
    data = as_json(load_yaml(FIXTURES / "bad-schema" / "topic.yaml").data)
    wrong = {"/".join(map(str, e.absolute_path)) or "(root)" for e in validator("topic").iter_errors(data)}
    assert wrong == {"id", "title", "lead", "sections/0/blocks/0", "sections/0/blocks/1", "(root)"}
    with pytest.raises(ValidationError):
        TypeAdapter(schema_export.BY_NAME["topic"].model).validate_python(data)


GOOD_TOPIC = {
    "id": "new-topic", "title": "A title", "lead": "A lead.",
    "sections": [{"heading": "A heading", "blocks": [
        "A paragraph.", {"list": {"items": ["one", "two"]}}, {"focus": {"title": "T", "body": ["B"]}},
        {"quote": {"text": "Q"}}, {"key_figure": {"value": "1", "text": "one"}}]}],
}


def _topic_with(path: tuple, value: Any) -> dict:
    data = copy.deepcopy(GOOD_TOPIC)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


# (what, path in the good topic, value): refused by pydantic AND by the JSON Schema.
BAD_TOPICS = [
    ("empty text", ("lead",), ""),
    ("blank text", ("lead",), "  \n "),
    ("control character", ("title",), "A\x07title"),
    ("placeholder", ("lead",), "TO WRITE: the lead"),
    ("number for text", ("title",), 1540),
    ("unknown key", ("titel",), "x"),
    ("bad id", ("id",), "New_Topic"),
    ("unknown block", ("sections", 0, "blocks", 0), {"table": "x"}),
    ("block with two keys", ("sections", 0, "blocks", 0), {"quote": {"text": "Q"}, "focus": {}}),
    ("short list", ("sections", 0, "blocks", 1), {"list": {"items": ["one"]}}),
    ("empty paragraph block", ("sections", 0, "blocks", 0), ""),
    ("no sections", ("sections",), []),
]


def test_a_translation_placeholder_is_valid_text_for_both():
    """`TO TRANSLATE` values are translation status (missing), not content errors."""
    data = _topic_with(("lead",), "TO TRANSLATE: the lead")
    TypeAdapter(schema_export.BY_NAME["topic"].model).validate_python(data)
    assert list(validator("topic").iter_errors(data)) == []


def test_the_good_topic_is_accepted_by_both():
    TypeAdapter(schema_export.BY_NAME["topic"].model).validate_python(GOOD_TOPIC)
    assert list(validator("topic").iter_errors(GOOD_TOPIC)) == []


@pytest.mark.parametrize(("what", "path", "value"), BAD_TOPICS, ids=[case[0] for case in BAD_TOPICS])
def test_schema_and_models_agree_on_bad_input(what, path, value):
    data = _topic_with(path, value)
    with pytest.raises(ValidationError):
        TypeAdapter(schema_export.BY_NAME["topic"].model).validate_python(data)
    assert list(validator("topic").iter_errors(data)), f"the JSON Schema accepts {what}"


@pytest.mark.parametrize(("name", "rel", "path", "value"), [
    ("strings", "en/_strings.yaml", ("labels", "page_of"), "Page {page}"),
    ("strings", "en/_strings.yaml", ("status", "pending"), "Pending"),
    ("branding", "branding.yaml", ("margins", "factsheet", "top"), 70),
    ("branding", "branding.yaml", ("colours", "primary"), "blue"),
    ("edition", "edition.yaml", ("topics", 0, "revision"), 0),
    ("edition", "edition.yaml", ("edition_date",), "24 November 2026"),
])
def test_other_schemas_refuse_what_validation_refuses(name, rel, path, value):
    data = as_json(load_yaml(CONTENT / rel).data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert list(validator(name).iter_errors(data)), f"{rel}: {path} = {value!r} accepted"
    with pytest.raises(ValidationError):
        TypeAdapter(schema_export.BY_NAME[name].model).validate_python(_as_python(data))


def _as_python(data: Any) -> Any:
    """Back from the editor's view to what the loader gives pydantic (a date is a date)."""
    if isinstance(data, dict):
        return {k: (dt.date.fromisoformat(v) if k == "edition_date" and _is_iso(v) else _as_python(v))
                for k, v in data.items()}
    if isinstance(data, list):
        return [_as_python(v) for v in data]
    return data


def _is_iso(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def test_cli_writes_the_schemas_and_checks_them(tmp_path, run_cli):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    result = run_cli("--content", content, "schema", "--check")
    assert result.exit_code == 1
    assert f"out of date: {content / 'schemas' / 'topic.schema.json'}" in result.output
    result = run_cli("--content", content, "schema", "--headers")
    assert result.exit_code == 0, result.output
    for content_schema in schema_export.SCHEMAS:
        written = (content / "schemas" / content_schema.filename).read_text(encoding="utf-8")
        assert written == (SCHEMA_DIR / content_schema.filename).read_text(encoding="utf-8")
    first = (content / "en" / "alpha.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/topic.schema.json"
    edition_first = (content / "edition.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert edition_first == "# yaml-language-server: $schema=schemas/edition.schema.json"
    before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    assert run_cli("--content", content, "schema", "--headers").exit_code == 0
    assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before, "headers are written once"
    assert run_cli("--content", content, "schema", "--check").exit_code == 0
    assert run_cli("--content", content, "validate").exit_code == 0


def test_every_content_file_names_its_schema_on_line_1():
    """Run `pipeline schema --headers` (make schema) to add the line where it is missing."""
    assert schema_export.missing_headers(CONTENT, SCHEMA_DIR) == []
