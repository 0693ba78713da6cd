"""`pipeline review --apply`: the accepted texts written into the YAML, checked first.

Order of work (nothing is written until every check passed):

1. each changed field is checked on its own: no paragraph break inside it, not emptied,
   emphasis only where the field takes it, a text (not a number typed bare) in the YAML;
   its new YAML text is the reviewed text carried over to the source (`retype.py`);
2. the edits of each file are made with the minimal YAML writer of XLIFF import
   (`pipeline.translations.yamlwrite`: only the changed values' characters change) and
   re-parsed;
3. the whole content tree is loaded with the new files in a scratch copy; a field whose
   edit breaks a rule (a `javascript:` link, a character the fonts lack) is refused with
   the rule's message and the rest is checked again;
4. for a translated language, its record follows the new texts (each keeps the English
   it was translated from); for the reference language the record is left alone, so
   exactly the translations of the changed fields become stale;
5. the files are replaced atomically, then the record.

A refused field leaves its file byte-identical when nothing else in it changed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.content.loader import format_loc, load_yaml
from pipeline.content.model import plain
from pipeline.content.project import Project, load_project
from pipeline.errors import ContentError, Problem, display_path
from pipeline.files.output import write_atomic
from pipeline.render.compose import FieldComposer
from pipeline.render.docx_anchors import text_markup
from pipeline.render.typography import strip_bidi_controls
from pipeline.review.compare import FieldReview, Review, current_texts
from pipeline.review.package import ReviewError
from pipeline.review.retype import retype
from pipeline.translations import yamlwrite
from pipeline.translations.accept import entries_for
from pipeline.translations.fields import get_path, loaded_doc
from pipeline.translations.record import Entry, load_record, save_record
from pipeline.translations.status import all_docs, language_status, reference

# Rounds of "validate, refuse the fields that broke a rule, validate the rest".
MAX_ROUNDS = 5


@dataclass
class Applied:
    """What an apply wrote."""

    fields: list[FieldReview] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    record_written: bool = False


@dataclass
class _Edit:
    review: FieldReview
    text: str  # the field's new YAML text


def apply_review(project: Project, review: Review) -> Applied:
    """Write every applicable field of `review` into the content; refused fields say why."""
    lang = review.lang
    compose = FieldComposer(project, lang)
    current = current_texts(project, lang)
    edits = []
    for item in review.to_apply:
        text = _new_text(project, lang, item, current.get((item.doc, item.path)), compose)
        if text is not None:
            edits.append(_Edit(item, text))
    texts = _validated(project, lang, edits)
    done = Applied()
    record = _record(project, lang, [e for e in edits if e.review.state != "refused"])
    for path, text in texts.items():
        write_atomic(path, text.encode("utf-8"))
        done.files.append(path)
    if record is not None:
        done.record_written = save_record(project.root, record, lang, reference(project), all_docs(project))
    done.fields = [e.review for e in edits if e.review.state != "refused"]
    return done


def _new_text(project: Project, lang: str, item: FieldReview, now: object | None, compose: FieldComposer
              ) -> str | None:
    """The field's new YAML text, or None after refusing the field with the reason."""
    spans = item.accepted_spans
    loaded = loaded_doc(project.languages[lang], item.doc)
    raw = get_path(loaded.data, item.path)
    if "\n" in item.accepted:
        item.refuse("a paragraph or line break inside one field cannot be written back: "
                    "add the new paragraph or list item in the YAML")
    elif not plain(spans).strip() or not item.accepted.strip():
        item.refuse("the change empties the field; to remove it, edit the YAML")
    elif item.plain and any(s.bold or s.italic for s in spans):
        item.refuse("this field is plain text: bold and italic cannot be written in it")
    elif any(s.bold and s.italic for s in spans):
        item.refuse("bold italic cannot be written in the content's markup (*italic* or **bold**)")
    elif not isinstance(raw, str):
        item.refuse("a number typed bare is the same in every language: change it in the YAML of each "
                    "language (or type it as text)")
    elif now is None:
        item.refuse("no longer in the YAML")
    else:
        text = retype(raw, item.built, item.accepted,
                      lambda candidate: strip_bidi_controls(text_markup(compose(candidate, now))))
        if text is not None:
            return text
        item.refuse("the reviewed text does not read the same once written in the content's markup "
                    "(a * or [ that would become emphasis or a link?): edit the YAML by hand")
    return None


def _plan(project: Project, lang: str, edits: list[_Edit]) -> dict[Path, str]:
    """The new text of each file with live edits (re-parsed and compared with the data meant)."""
    import yaml

    language = project.languages[lang]
    by_doc: dict[str, list[_Edit]] = {}
    for edit in edits:
        if edit.review.state != "refused":
            by_doc.setdefault(edit.review.doc, []).append(edit)
    out = {}
    for doc, mine in by_doc.items():
        loaded = loaded_doc(language, doc)
        old = loaded.path.read_text(encoding="utf-8")
        try:
            new = yamlwrite.apply(old, [yamlwrite.Replace(e.review.path, e.text) for e in mine])
        except yamlwrite.PlacementError as exc:
            raise ReviewError(f"{display_path(loaded.path)}: cannot write the review: {exc}") from None
        meant = yaml.safe_load(old)
        for e in mine:
            _set(meant, e.review.path, e.text)
        if yaml.safe_load(new) != meant:
            raise ReviewError(f"{display_path(loaded.path)}: internal error: the edit did not give the "
                              "intended content; nothing written")
        if new != old:
            out[loaded.path] = new
    return out


def _set(data, path, value) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _validated(project: Project, lang: str, edits: list[_Edit]) -> dict[Path, str]:
    """The files to write, once the whole tree loads with them; fields breaking a rule refused."""
    if not edits:
        return {}
    with tempfile.TemporaryDirectory(prefix="pipeline-review-") as scratch:
        copy_root = Path(scratch) / project.root.name
        shutil.copytree(project.root, copy_root)
        for _ in range(MAX_ROUNDS):
            texts = _plan(project, lang, edits)
            for path in {e.review.file for e in edits}:
                original = path.read_text(encoding="utf-8")
                (copy_root / path.relative_to(project.root)).write_text(texts.get(path, original), encoding="utf-8")
            try:
                load_project(copy_root)
                return texts
            except ContentError as exc:
                problems = [_located(p, copy_root, project.root) for p in exc.problems]
            unexplained = _refuse_breaking(edits, problems, copy_root, project.root)
            if unexplained:
                lines = [str(p) for p in unexplained]
                raise ReviewError("\n".join([*lines, "nothing applied: the content would not be valid"]))
    raise ReviewError("nothing applied: the content still fails validation after refusing the fields that broke it")


def _located(problem: Problem, scratch: Path, root: Path) -> Problem:
    try:
        return Problem(root / problem.path.relative_to(scratch), problem.line, problem.field, problem.message)
    except ValueError:
        return problem


def _refuse_breaking(edits: list[_Edit], problems: list[Problem], scratch: Path, root: Path) -> list[Problem]:
    """Refuse each live edit a problem points at (same file, and its line or field); return the others."""
    live = [e for e in edits if e.review.state != "refused"]
    lines = {}
    for path in {e.review.file for e in live}:
        loaded = load_yaml(scratch / path.relative_to(root))
        for e in live:
            if e.review.file == path:
                lines[id(e)] = loaded.line_of(e.review.path)
    unexplained = []
    for problem in problems:
        hits = [e for e in live if e.review.file == problem.path
                and (lines.get(id(e)) == problem.line or problem.field.startswith(format_loc(e.review.path)))]
        for e in hits:
            e.review.refuse(problem.message)
        if not hits:
            unexplained.append(problem)
    return unexplained


def _record(project: Project, lang: str, edits: list[_Edit]):
    """The translated language's record with each changed text's entry following it; None for
    the reference language (its record belongs to the translations)."""
    ref = reference(project)
    if lang == ref or not edits:
        return None
    record = load_record(project.root, lang, ref)
    for doc in dict.fromkeys(e.review.doc for e in edits):
        status = language_status(project, lang, [doc], record)[0]
        new = {e.review.path: e.text for e in edits if e.review.doc == doc}
        chosen = {id(m.other): Entry(m.entry.source, new[m.other.path]) for m in status.matches
                  if m.other is not None and m.entry is not None and m.other.path in new}
        record[doc] = entries_for(status, chosen)
    return record
