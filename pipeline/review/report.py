"""A review for the editor: located lines (`file:line: field: what`), or JSON for tools."""

from __future__ import annotations

import json

from pipeline.review.apply import Applied
from pipeline.review.comments import Comment
from pipeline.review.compare import CHANGED, COMMENTED, CONFLICT, REFUSED, UNTRACKED, FieldReview, Review

NOT_APPLIED = (CONFLICT, REFUSED)


def blocked(review: Review) -> bool:
    """Whether some change of the reviewer cannot be applied (the command then exits 1)."""
    return bool(review.generated or review.outside or any(f.state in NOT_APPLIED for f in review.fields))


def text(review: Review, applied: Applied | None) -> list[str]:
    lines = [f"{review.name}: {review.lang} {review.document}, edition {review.edition}", *review.warnings]
    done = {id(f) for f in applied.fields} if applied else set()
    for item in review.fields:
        lines += _field_lines(item, id(item) in done)
    lines += [f"{review.name}: {c.where or 'body'}: generated: not applied: {c.describe()}"
              for c in review.generated]
    lines += [f"{review.name}: {c.where}: outside any field: not applied: "
              + (f"untracked text {c.text!r}" if c.kind == "untracked" else c.describe()) for c in review.outside]
    for comment in review.loose_comments:
        lines += [f"{review.name}: comment on no field:", *_comment_lines(comment, "    ")]
    lines.append(_summary(review, applied))
    return lines


def _field_lines(item: FieldReview, applied: bool) -> list[str]:
    state = item.state if item.state != COMMENTED else "comments only"
    if applied:
        state = f"applied ({item.state})"
    head = f"{item.where}: {state}" + (f": {item.message}" if item.message else "")
    rows = []
    if item.state != COMMENTED:
        rows.append(("built:", item.built))
        if item.state == UNTRACKED:
            rows.append(("in the DOCX:", item.original))
        if item.now is not None and item.state == CONFLICT:
            rows.append(("YAML now:", item.now))
        rows.append(("reviewed:", item.accepted))
        rows += [("change:", change.describe()) for change in item.changes]
    width = max((len(label) for label, _ in rows), default=0) + 1
    out = [head] + [f"    {label.ljust(width)}{value}" for label, value in rows]
    for comment in item.comments:
        out += _comment_lines(comment, "    ")
    return out


def _comment_lines(comment: Comment, indent: str, label: str = "comment:") -> list[str]:
    resolved = " (resolved)" if comment.done else ""
    who = f"{comment.author} ({comment.date})" if comment.date else comment.author
    out = [f"{indent}{label} {who}{resolved}: {comment.text}"]
    for reply in comment.replies:
        out += _comment_lines(reply, indent + "  ", "reply:")
    return out


def _summary(review: Review, applied: Applied | None) -> str:
    counts = {state: sum(1 for f in review.fields if f.state == state)
              for state in (CHANGED, UNTRACKED, CONFLICT, REFUSED)}
    comments = sum(len(f.comments) for f in review.fields) + len(review.loose_comments)
    parts = [f"{counts[CHANGED] + counts[UNTRACKED]} field(s) changed"
             + (f" ({counts[UNTRACKED]} untracked)" if counts[UNTRACKED] else ""),
             f"{counts[CONFLICT]} conflict(s)", f"{counts[REFUSED]} refused",
             f"{len(review.generated) + len(review.outside)} change(s) outside the fields", f"{comments} comment(s)"]
    line = ", ".join(parts)
    if applied is None:
        return line + ("; apply with --apply" if counts[CHANGED] + counts[UNTRACKED] else "")
    files = ", ".join(str(p) for p in applied.files) or "no file changed"
    record = "; translation record updated" if applied.record_written else ""
    return f"{line}; applied {len(applied.fields)} field(s): {files}{record}"


def as_json(review: Review, applied: Applied | None) -> str:
    done = {id(f) for f in applied.fields} if applied else set()
    data = {
        "file": review.name, "edition": review.edition, "language": review.lang, "document": review.document,
        "warnings": review.warnings,
        "fields": [_field_json(f, id(f) in done) for f in review.fields],
        "generated": [c.as_json() for c in review.generated],
        "outside": [c.as_json() for c in review.outside],
        "comments": [c.as_json() for c in review.loose_comments],
        "applied": None if applied is None else {
            "fields": len(applied.fields), "files": [str(p) for p in applied.files],
            "record": applied.record_written},
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def _field_json(item: FieldReview, applied: bool) -> dict:
    return {"document": item.doc, "field": list(item.path), "where": item.where, "file": str(item.file),
            "line": item.line, "state": item.state, "applied": applied, "message": item.message,
            "built": item.built, "original": item.original, "accepted": item.accepted, "now": item.now,
            "changes": [c.as_json() for c in item.changes], "comments": [c.as_json() for c in item.comments]}

