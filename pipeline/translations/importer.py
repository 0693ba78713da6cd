"""Import an XLIFF file: check everything, write the translations, record what they translate.

Order of work (nothing is written until every check passed):

1. read the file (refused by its size first) with the hardened parser; check its languages;
2. resolve every unit against today's English: by its id (the field's path) when the
   English there is still the unit's source, else by finding that exact source
   elsewhere in the document (a block moved since the export); a unit whose source
   is no longer in the English is refused: the file was exported from an older English;
3. decode each target marked translated (state translated, reviewed or final) and
   check its inline codes and its length (`pipeline.content.limits`);
4. plan the edits of each translated YAML file (replace a text; add a block, item or
   key that the English gained), apply them to the text, re-parse, and compare with
   the data meant;
5. validate the whole content tree with the new files in a scratch copy;
6. replace the changed files atomically, then the record.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.content import limits
from pipeline.content.loader import Loc
from pipeline.content.project import Project, load_project
from pipeline.errors import ContentError, display_path
from pipeline.files.output import write_atomic
from pipeline.translations import yamlwrite
from pipeline.translations.fields import Field, fields_of, get_path, parse_unit_id
from pipeline.translations.record import Entry, load_record, save_record
from pipeline.translations.status import DocStatus, all_docs, language_status, reference, translated_languages
from pipeline.translations.xliff import (
    TRANSLATED_STATES,
    ReadUnit,
    XliffError,
    declared_codes,
    markup_of,
    read_xliff,
    source_xml,
)


@dataclass
class Imported:
    """What an import did."""

    lang: str
    units: int = 0  # units imported (marked translated)
    skipped: int = 0  # units not marked translated
    unmarked: list[str] = field(default_factory=list)  # of those, the ones whose target was changed
    files: list[Path] = field(default_factory=list)  # translated files rewritten
    record_written: bool = False


class _Text(str):
    """A text in the planned data, tagged with the record entry it will have."""

    entry: Entry | None = None


def import_xliff(project: Project, path: Path, lang: str | None = None) -> Imported:
    """Import `path` into the content of `project`; XliffError (nothing written) when refused."""
    name = display_path(path)
    data = _read(path, name)
    read = read_xliff(data, name)
    ref = reference(project)
    target_lang = _check_languages(read.src_lang, read.trg_lang, ref, translated_languages(project), lang, name)
    statuses = {s.doc: s for s in language_status(project, target_lang)}
    wanted, skipped, unmarked = _resolve(read.units, statuses, name, ref)
    result = Imported(target_lang, sum(len(v) for v in wanted.values()), skipped, unmarked)
    new_texts: dict[Path, str] = {}
    record = load_record(project.root, target_lang, ref)
    for doc, targets in wanted.items():
        status = statuses[doc]
        text, planned = _plan(status, targets, name)
        if text != status.other.path.read_text(encoding="utf-8"):
            new_texts[status.other.path] = text
        record[doc] = entries_for_planned(doc, planned)
    _validate(project, new_texts, name)
    for file_path, text in new_texts.items():
        write_atomic(file_path, text.encode("utf-8"))
        result.files.append(file_path)
    result.record_written = save_record(project.root, record, target_lang, ref, all_docs(project))
    return result


def _read(path: Path, name: str) -> bytes:
    """The file's bytes; refused by its size before it is read (`limits.XLIFF_BYTES`)."""
    try:
        size = path.stat().st_size
        if size > limits.XLIFF_BYTES:
            raise XliffError(f"{name}: file of {limits.size_text(size)}: an XLIFF file may be at most "
                             f"{limits.size_text(limits.XLIFF_BYTES)}")
        with path.open("rb") as handle:
            data = handle.read(limits.XLIFF_BYTES + 1)
    except OSError as exc:
        raise XliffError(f"cannot read {name}: {exc.strerror}") from None
    if len(data) > limits.XLIFF_BYTES:  # it grew since
        raise XliffError(f"{name}: an XLIFF file may be at most {limits.size_text(limits.XLIFF_BYTES)}")
    return data


def _check_languages(src: str, trg: str, ref: str, langs: list[str], wanted: str | None, name: str) -> str:
    if src != ref:
        raise XliffError(f"{name}: source language is '{src}', the content's reference language is '{ref}'")
    if trg not in langs:
        raise XliffError(f"{name}: target language '{trg}' is not a translated language of this edition "
                         f"({', '.join(langs) or 'none'})")
    if wanted is not None and trg != wanted:
        raise XliffError(f"{name}: the file translates into '{trg}', not '{wanted}'")
    return trg


def _source_text(unit: ReadUnit) -> str | None:
    try:
        return markup_of(unit.source, declared_codes(unit.source, unit.data))
    except ValueError:
        return None


def _resolve(units: list[ReadUnit], statuses: dict[str, DocStatus], name: str,
             ref: str) -> tuple[dict[str, dict[int, tuple[Field, str]]], int, list[str]]:
    """Each translated unit's English field and decoded target, the number of units not
    marked translated and the labels of those whose target was changed all the same;
    XliffError listing every refusal."""
    problems: dict[str, list[str]] = defaultdict(list)
    too_long: list[str] = []
    wanted: dict[str, dict[int, tuple[Field, str]]] = defaultdict(dict)
    skipped = 0
    unmarked: list[str] = []
    for unit in units:
        status = statuses.get(unit.doc)
        label = unit.id if unit.id.startswith(f"{unit.doc}:") else f"{unit.doc}:{unit.id}"
        english = _english_field(unit, status) if status is not None else None
        if english is None:
            known = status is not None and unit.id.startswith(f"{unit.doc}:") and _path_exists(unit, status)
            problems["changed" if known else "unknown"].append(label)
            continue
        if unit.state not in TRANSLATED_STATES:
            skipped += 1
            if _target_changed(unit, english, status):
                unmarked.append(label)
            continue
        if unit.target is None or (not "".join(unit.target.itertext()).strip() and not len(unit.target)):
            problems["empty"].append(label)
            continue
        length = len("".join(unit.target.itertext()))
        if length > limits.FIELD_CHARS:
            too_long.append(f"{name}: unit {label}: target of {length:,} characters: a text may have at most "
                            f"{limits.FIELD_CHARS:,}")
            continue
        try:
            target = markup_of(unit.target, source_xml(english.text)[1])
        except ValueError as exc:
            target = _unchanged(unit, english, status)
            if target is None:
                problems["codes"].append(f"{label} ({exc})")
                continue
        if not target.strip():
            problems["empty"].append(label)
            continue
        if id(english) in wanted[unit.doc]:
            problems["twice"].append(label)
        wanted[unit.doc][id(english)] = (english, target)
    messages = {
        "changed": f"exported from an older {ref}: the source of these units changed since (export again)",
        "unknown": "unknown units (not in this content)",
        "empty": "empty target in units marked translated",
        "codes": "missing or broken inline codes",
        "twice": "units given twice",
    }
    lines = [f"{name}: {messages[kind]}: {', '.join(labels)}" for kind, labels in problems.items()] + too_long
    if lines:
        raise XliffError("\n".join(lines))
    return {doc: targets for doc, targets in wanted.items() if targets}, skipped, unmarked


def _target_changed(unit: ReadUnit, english: Field, status: DocStatus) -> bool:
    """The unit's target differs from the translation the content has (a translator
    edited it in a text editor and left its state at `initial`)."""
    if unit.target is None or not "".join(unit.target.itertext()).strip():
        return False
    current = next((m.other for m in status.matches if m.english is english and m.other is not None), None)
    try:
        target = markup_of(unit.target, source_xml(english.text)[1])
    except ValueError:
        return True
    return current is None or target != current.text


def _unchanged(unit: ReadUnit, english: Field, status: DocStatus) -> str | None:
    """The current translation when the target is exactly it, whatever its codes.

    A translation may legitimately differ from its English in emphasis (one italic
    fewer); exported unchanged, it must import unchanged rather than be refused.
    """
    assert unit.target is not None
    other = next((m.other for m in status.matches if m.english is english and m.other is not None), None)
    try:
        text = markup_of(unit.target, declared_codes(unit.target, unit.data))
    except ValueError:
        return None
    return text if other is not None and text == other.text else None


def _path_exists(unit: ReadUnit, status: DocStatus) -> bool:
    path = parse_unit_id(unit.id.split(":", 1)[1])
    return any(f.path == path for f in status.english_fields)


def _english_field(unit: ReadUnit, status: DocStatus) -> Field | None:
    """The English field a unit stands for today, or None when its source is gone."""
    source = _source_text(unit)
    if source is None:
        return None
    if unit.id.startswith(f"{status.doc}:"):
        path = parse_unit_id(unit.id.split(":", 1)[1])
        at_path = next((f for f in status.english_fields if f.path == path), None)
        if at_path is not None and at_path.text == source:
            return at_path
    same = [f for f in status.english_fields if f.text == source]
    return same[0] if len(same) == 1 else None


# --- planning the edits of one file ------------------------------------------------------


def _plan(status: DocStatus, targets: dict[int, tuple[Field, str]], name: str) -> tuple[str, Any]:
    """The new text of a translated file and the data it must parse to (texts tagged with entries)."""
    old_entries = {m.other.path: m.entry for m in status.matches if m.other is not None}
    planned = _tagged(status.other.data, (), old_entries)
    counterpart = _counterparts(status)
    edits: list[yamlwrite.Replace | yamlwrite.Insert] = []
    inserts: dict[Loc, Any] = {}
    by_english = {id(m.english): m for m in status.matches if m.english is not None}
    for english, target in targets.values():
        tagged = _tag(target, Entry(english.text, target))
        match = by_english[id(english)]
        if match.other is not None:
            edits.append(yamlwrite.Replace(match.other.path, target))
            _set(planned, match.other.path, tagged)
            continue
        node = next(english.path[:k] for k in range(1, len(english.path) + 1) if english.path[:k] not in counterpart)
        inserts.setdefault(node, None)
    english_data = status.english.data
    chosen = {id(f): t for f, t in targets.values()}
    for node in inserts:
        value = _new_value(get_path(english_data, node), node, status, chosen, name)
        edit = _placement(node, value, counterpart, english_data)
        edits.append(edit)
    try:
        text = yamlwrite.apply(status.other.path.read_text(encoding="utf-8"), edits)
    except yamlwrite.PlacementError as exc:
        raise XliffError(f"{name}: cannot write {display_path(status.other.path)}: {exc}") from None
    planned = _apply_inserts(planned, [e for e in edits if isinstance(e, yamlwrite.Insert)])
    import yaml

    if yaml.safe_load(text) != planned:
        raise XliffError(f"{name}: internal error: the edit of {display_path(status.other.path)} "
                         "did not give the intended content; nothing written")
    return text, planned


def _tag(text: str, entry: Entry | None) -> _Text:
    tagged = _Text(text)
    tagged.entry = entry
    return tagged


def _tagged(value: Any, path: Loc, entries: dict[Loc, Entry | None]) -> Any:
    if isinstance(value, str):
        return _tag(value, entries.get(path))
    if isinstance(value, dict):
        return {k: _tagged(v, (*path, k), entries) for k, v in value.items()}
    if isinstance(value, list):
        return [_tagged(v, (*path, i), entries) for i, v in enumerate(value)]
    return value


def _set(data: Any, path: Loc, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _counterparts(status: DocStatus) -> dict[Loc, Loc]:
    """English node paths -> translated node paths, from the fields paired by the status.

    Two paired fields stand for the same node at every level where the rest of their
    paths have the same shape (a block moved from the intro to a section still maps
    block to block).
    """
    mapping: dict[Loc, Loc] = {(): ()}
    for m in status.matches:
        if m.english is None or m.other is None:
            continue
        e, o = m.english.path, m.other.path
        for k in range(1, min(len(e), len(o)) + 1):
            if _shape(e[len(e) - k :]) != _shape(o[len(o) - k :]):
                break
            mapping.setdefault(e[: len(e) - k], o[: len(o) - k])
        mapping.setdefault(e, o)
    return mapping


def _shape(path: Loc) -> tuple:
    return tuple("#" if isinstance(p, int) else p for p in path)


def _new_value(english_value: Any, node: Loc, status: DocStatus, chosen: dict[int, str], name: str) -> Any:
    """The translated value of a whole new English node: every text in it must be imported."""
    fields = {f.path: f for f in status.english_fields if f.path[: len(node)] == node}
    missing = [f.name for f in fields.values() if id(f) not in chosen]
    if missing:
        raise XliffError(f"{name}: a new part of the English needs all its units translated to be added; "
                         f"not translated: {', '.join(missing)}")

    def build(value: Any, path: Loc) -> Any:
        if isinstance(value, str) and path not in fields:
            return value  # a setting such as a figure's file: the same in every language
        if isinstance(value, str):
            field_ = fields[path]
            return _tag(chosen[id(field_)], Entry(field_.text, chosen[id(field_)]))
        if isinstance(value, dict):
            return {k: build(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [build(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return build(english_value, node)


def _placement(node: Loc, value: Any, counterpart: dict[Loc, Loc], english_data: Any) -> yamlwrite.Insert:
    """Where a new node goes: before the translation of its next English sibling, or after the previous."""
    parent, slot = node[:-1], node[-1]
    container = counterpart[parent]
    siblings = get_path(english_data, parent)
    keys = list(range(len(siblings))) if isinstance(siblings, list) else list(siblings)
    here = keys.index(slot)
    mapped = [(k, counterpart.get((*parent, k))) for k in keys]
    mapped = [(k, c) for k, c in mapped if c is not None and c[:-1] == container]
    after = [c for k, c in mapped if keys.index(k) < here]
    before = [c for k, c in mapped if keys.index(k) > here]
    return yamlwrite.Insert(container, slot, value, before=before[0] if before else None,
                            after=after[-1] if after and not before else None)


def _apply_inserts(data: Any, inserts: list[yamlwrite.Insert]) -> Any:
    """The same insertions as the text edits, on the planned data (last position first)."""
    placed = []
    for order, edit in enumerate(inserts):
        container = get_path(data, edit.container)
        keys = list(range(len(container))) if isinstance(container, list) else list(container)
        if edit.before is not None:
            index = keys.index(edit.before[-1])
        elif edit.after is not None:
            index = keys.index(edit.after[-1]) + 1
        else:
            index = len(keys)
        placed.append((edit.container, index, order, edit))
    for container_path, index, _, edit in sorted(placed, key=lambda p: (p[1], p[2]), reverse=True):
        container = get_path(data, container_path)
        if isinstance(container, list):
            container.insert(index, edit.value)
        else:
            items = list(container.items())
            items.insert(index, (edit.slot, edit.value))
            container.clear()
            container.update(items)
    return data


def entries_for_planned(doc: str, planned: Any) -> list[Entry]:
    """The record entries of a planned file, in its field order."""
    return [f.text.entry for f in fields_of(doc, planned) if isinstance(f.text, _Text) and f.text.entry is not None]


def _validate(project: Project, new_texts: dict[Path, str], name: str) -> None:
    """Load the whole content tree with the new files (in a scratch copy) before writing any."""
    if not new_texts:
        return
    with tempfile.TemporaryDirectory(prefix="pipeline-import-") as scratch:
        copy_root = Path(scratch) / project.root.name
        # Links are copied as links, never followed: the content folder may hold one to a
        # file outside that nothing reads (load_project refuses those it would read).
        shutil.copytree(project.root, copy_root, symlinks=True)
        for path, text in new_texts.items():
            (copy_root / path.relative_to(project.root)).write_text(text, encoding="utf-8")
        try:
            load_project(copy_root)
        except ContentError as exc:
            lines = [str(p).replace(str(copy_root), str(display_path(project.root))) for p in exc.problems]
            raise XliffError("\n".join([*lines, f"{name}: not imported: the result would not be valid"])
                             ) from None

