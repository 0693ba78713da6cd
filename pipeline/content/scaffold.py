"""`pipeline new`: start a topic, registered in edition.yaml, with a skeleton file per language.

The skeletons are filled with placeholder values. `TO WRITE: ...` in the reference
language is refused by validation with a located message, so after scaffolding
`pipeline validate` lists exactly the values still to write, file by file and line by
line, and the new topic cannot be built by mistake. `TO TRANSLATE: ...` in the other
languages is valid text that translation status reports as missing (never current):
`pipeline translations` lists it, an XLIFF export hands it to translators with no
target, an import replaces it, and a final edition refuses to build until it is gone.

Nothing is written unless everything can be: the id and code are checked against the
edition and the language folders first, and files written before a failure are
removed. `edition.yaml` is edited with ruamel.yaml's round-trip mode, which keeps its
comments and layout; if a round trip would change anything but the new line, the
command refuses rather than reformat the file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from pipeline.content import schema
from pipeline.content.loader import load_yaml
from pipeline.content.schema_export import BY_NAME, SCHEMA_DIR_NAME, header_line
from pipeline.errors import PipelineError, display_path
from pipeline.files.output import write_atomic

EDITION_FILE = "edition.yaml"

# Called for each skeleton of a language other than the reference, once it is written:
# (language code, path). Nothing needs it for translation status, which reports every
# TO TRANSLATE value as missing by itself; it lets a caller act on the new files.
TranslationHook = Callable[[str, Path], None]


@dataclass(frozen=True)
class Scaffolded:
    """What `new_topic` did, for the command's report."""

    edition: Path
    reference: Path
    translations: tuple[Path, ...]


def new_topic(root: Path, topic_id: str, code: str, title: str | None = None,
              on_translation: TranslationHook | None = None) -> Scaffolded:
    """Register `topic_id` with area `code` in the edition and write a skeleton per language."""
    edition_path = root / EDITION_FILE
    edition = _read_edition(edition_path)
    _check_new(root, edition, topic_id, code)
    new_edition_text = _with_topic(edition_path, topic_id, code)
    reference, *others = edition.languages
    paths = {lang: root / lang / f"{topic_id}.yaml" for lang in edition.languages}
    files = [(paths[reference], skeleton(root, paths[reference], topic_id, "TO WRITE", title, None))]
    files += [(paths[lang], skeleton(root, paths[lang], topic_id, "TO TRANSLATE", title, reference))
              for lang in others]
    written: list[Path] = []
    try:
        for path, text in files:
            _create(path, text)
            written.append(path)
        write_atomic(edition_path, new_edition_text.encode("utf-8"))
    except BaseException:
        for path in written:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise
    if on_translation is not None:
        for lang, (path, _) in zip(others, files[1:], strict=True):
            on_translation(lang, path)
    return Scaffolded(edition_path, files[0][0], tuple(path for path, _ in files[1:]))


def _read_edition(path: Path) -> schema.Edition:
    loaded = load_yaml(path)  # a YAML error is reported with its line
    try:
        return TypeAdapter(schema.Edition).validate_python(loaded.data)
    except ValidationError:
        raise PipelineError(f"{display_path(path)} is not valid; run 'pipeline validate' and fix it first") from None


def _check_new(root: Path, edition: schema.Edition, topic_id: str, code: str) -> None:
    """Refuse a malformed or already used id or code, before anything is written."""
    try:
        TypeAdapter(schema.TopicEntry).validate_python({"id": topic_id, "code": code, "revision": 1})
    except ValidationError as exc:
        field = exc.errors()[0]["loc"][0]
        rule = ("lower-case letters and digits, words joined by hyphens, e.g. new-topic" if field == "id"
                else "2 to 4 capital letters, e.g. NEW")
        raise PipelineError(f"invalid topic {field} '{topic_id if field == 'id' else code}': {rule}") from None
    where = display_path(root / EDITION_FILE)
    for entry in edition.topics:
        if entry.id == topic_id:
            raise PipelineError(f"topic '{topic_id}' already exists in {where}")
        if entry.code == code:
            raise PipelineError(f"code '{code}' is already used by topic '{entry.id}' in {where}")
    if code == edition.handbook.code:
        raise PipelineError(f"code '{code}' is the handbook's code in {where}")
    for lang in edition.languages:
        path = root / lang / f"{topic_id}.yaml"
        if path.exists():
            raise PipelineError(f"{display_path(path)} already exists (not listed in {where}); "
                                "register it by hand or remove it")


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, flow style and quoting are kept
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _with_topic(path: Path, topic_id: str, code: str) -> str:
    """The text of edition.yaml with the topic appended to `topics:` (handbook order)."""
    from ruamel.yaml.comments import CommentedMap

    text = path.read_text(encoding="utf-8")
    yaml = _yaml()
    data = yaml.load(text)
    if _dump(yaml, data) != text:
        raise PipelineError(f"cannot add the topic to {display_path(path)} without reformatting it; "
                            f"add {{id: {topic_id}, code: {code}, revision: 1}} to topics: by hand")
    topics = data["topics"]
    entry = CommentedMap([("id", topic_id), ("code", code), ("revision", 1)])
    if not topics or topics[-1].fa.flow_style():
        entry.fa.set_flow_style()
    topics.append(entry)
    return _dump(yaml, data)


def _dump(yaml, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _create(path: Path, text: str) -> None:
    """Write a new file; never replace one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def skeleton(root: Path, path: Path, topic_id: str, marker: str, title: str | None,
             source_lang: str | None) -> str:
    """A topic file whose every text is a placeholder starting with `marker`.

    For the reference language (`source_lang` None) the comments explain the format;
    a translation skeleton points at the reference file instead.
    """
    lines = []
    if (root / SCHEMA_DIR_NAME).is_dir():
        lines.append(header_line(root, path, BY_NAME["topic"], root / SCHEMA_DIR_NAME))

    def value(text: str) -> str:
        return json.dumps(f"{marker}: {text}", ensure_ascii=False)

    if source_lang is None:
        lines += [
            "# A new topic, started by `pipeline new`. Replace every value that starts with",
            f'# "{marker}", then run `pipeline validate`: it lists the ones still to write.',
            "# The format is described in docs/content-format.md.",
        ]
        title_value = json.dumps(title, ensure_ascii=False) if title else value("the topic's title")
    else:
        lines += [
            "# A new topic, started by `pipeline new`: translate it from",
            f"# content/{source_lang}/{topic_id}.yaml once that is written, by hand (then",
            "# `pipeline translations accept`) or through XLIFF (`pipeline translations export`,",
            f'# then import). Until then its "{marker}" values are reported as missing.',
        ]
        title_value = value(title or "the title")
    lines += [
        f"id: {topic_id}",
        f"title: {title_value}",
        f"lead: {value('one sentence that sums up the topic, printed under the title')}",
    ]
    if source_lang is None:
        lines.append("# Paragraphs before the first section (optional: delete intro if there are none).")
    lines += [
        "intro:",
        f"  - {value('an opening paragraph')}",
        "sections:",
        f"  - heading: {value('the heading of the first section')}",
        "    blocks:",
    ]
    if source_lang is None:
        lines += [
            "      # A block is a paragraph (plain text) or a mapping with one of these keys:",
            "      #   - list: {intro: optional text, items: [at least, two items]}",
            "      #   - focus: {title: a title, body: [one or more paragraphs]}",
            "      #   - quote: {text: the quotation, attribution: optional text}",
            '      #   - key_figure: {value: "75%", text: what the figure means}',
        ]
    lines.append(f"      - {value('a paragraph')}")
    if source_lang is None:
        lines.append("# Ids of related topics, listed in content/edition.yaml, e.g. [corruption, terrorism].")
    lines.append("related: []")
    return "\n".join(lines) + "\n"
