"""Give every piece of a reviewed document to the field it belongs to.

A piece inside an anchor bookmark (see `pipeline.render.docx_anchors`) belongs to the
innermost one. A piece outside every bookmark was typed at an edge: Word and LibreOffice
leave text typed at the end of a bookmark (and sometimes at its start) outside it. It
belongs to the nearest field on its line, to the left first, then to the right (a
generated neighbour, such as the ", p. 13" after a related area, only when there is no
field on the line); a line ends at a line break and at a paragraph mark the reviewer
did not insert, so a paragraph typed after a list item is seen as a paragraph break
inside that item, which the review then refuses to apply rather than lose.

Then each field's texts are assembled in two views: *original* (insertions left out,
deletions kept, emphasis before any tracked format change) and *accepted* (the other
way round), with a line break where a paragraph mark remains inside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.content.model import Span
from pipeline.review.reader import Piece, Revision, Stream

CHANGE_WORDS = {"insert": "inserted", "delete": "deleted", "move-from": "moved away",
                "move-to": "moved here", "format": "formatted"}


@dataclass
class Change:
    """One tracked change: what was done to which text, by whom and when."""

    kind: str
    author: str
    date: str
    text: str
    where: str = ""  # for changes outside the fields: the part, e.g. word/footer1.xml

    def describe(self) -> str:
        who = f" by {self.author}" if self.author else ""
        when = f" ({self.date})" if self.date else ""
        return f"{CHANGE_WORDS.get(self.kind, self.kind)} {self.text!r}{who}{when}"

    def as_json(self) -> dict:
        out = {"kind": self.kind, "author": self.author, "date": self.date, "text": self.text}
        if self.where:
            out["where"] = self.where
        return out


@dataclass
class FieldText:
    """One anchor's text in a reviewed document."""

    name: str
    original: list[Span] = field(default_factory=list)
    accepted: list[Span] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Mapped:
    fields: dict[str, FieldText]  # by anchor name, in document order
    generated: list[Change]  # tracked changes inside generated text
    outside: list[Change]  # changes (tracked or not) outside every anchor
    loose_comments: list[str]  # comment ids that point at no field


def owners(stream: Stream, is_field: Callable[[str | None], bool]) -> list[str | None]:
    """The anchor each piece belongs to (None: none on its line)."""
    pieces = stream.pieces
    covered = [p.anchors[-1] if p.anchors else None for p in pieces]
    own = list(covered)
    lines: dict[int, list[int]] = {}
    for i, piece in enumerate(pieces):
        lines.setdefault(piece.line, []).append(i)
    for indexes in lines.values():
        for k, i in enumerate(indexes):
            if covered[i] is not None or pieces[i].is_break:
                continue
            left = next((covered[j] for j in reversed(indexes[:k]) if covered[j] is not None), None)
            right = next((covered[j] for j in indexes[k + 1 :] if covered[j] is not None), None)
            own[i] = left if is_field(left) else right if is_field(right) else left or right
    return own


def _revision_of(piece: Piece) -> Revision | None:
    return piece.deleted or piece.inserted or piece.format_change


def _changes(pieces: list[Piece], where: str = "") -> list[Change]:
    """The tracked changes among `pieces`, neighbours of one revision joined."""
    out: list[Change] = []
    last: Revision | None = None
    for piece in pieces:
        revision = _revision_of(piece)
        text = piece.alt if piece.alt is not None else piece.text
        if revision is None:
            last = None
            continue
        if revision == last:
            out[-1].text += text
        else:
            out.append(Change(revision.kind, revision.author, revision.date, text, where))
        last = revision
    return out


def map_stream(stream: Stream, is_field: Callable[[str | None], bool]) -> Mapped:
    """Fields, generated and outside changes, and where comments point, of the body."""
    pieces = stream.pieces
    own = owners(stream, is_field)
    groups: dict[str | None, list[int]] = {}
    for i, name in enumerate(own):
        groups.setdefault(name, []).append(i)
    fields: dict[str, FieldText] = {}
    generated: list[Change] = []
    for name, indexes in groups.items():
        if name is None:
            continue
        if is_field(name):
            fields[name] = _field_text(name, stream, indexes)
        else:
            generated += _changes([pieces[i] for i in indexes], stream.part)
    orphans = [pieces[i] for i in groups.get(None, []) if pieces[i].alt is None]
    outside = _changes(orphans, stream.part)
    untracked = "".join(p.text for p in orphans if _revision_of(p) is None).strip()
    if untracked:
        outside.append(Change("untracked", "", "", untracked, stream.part))
    loose = _place_comments(stream, own, fields, is_field)
    return Mapped(fields, generated, outside, loose)


def _field_text(name: str, stream: Stream, indexes: list[int]) -> FieldText:
    out = FieldText(name)
    previous = None
    for i in indexes:
        piece = stream.pieces[i]
        if previous is not None and piece.para != previous:
            marks = stream.marks[previous : piece.para]
            if any(deleted is None for _, deleted in marks):
                out.accepted.append(Span("\n"))
            if any(inserted is None for inserted, _ in marks):
                out.original.append(Span("\n"))
        previous = piece.para
        text = piece.alt if piece.alt is not None else piece.text
        if piece.inserted is None:
            bold, italic = piece.old_emphasis or (piece.bold, piece.italic)
            out.original.append(Span(text, bold, italic, piece.href))
        if piece.deleted is None:
            out.accepted.append(Span(text, piece.bold, piece.italic, piece.href))
    out.changes = _changes([stream.pieces[i] for i in indexes])
    return out


def _place_comments(stream: Stream, own: list[str | None], fields: dict[str, FieldText],
                    is_field: Callable[[str | None], bool]) -> list[str]:
    """Attach each comment to the fields its range covers (or where it stands); return the rest."""
    covered: dict[str, list[str]] = {}
    for piece, name in zip(stream.pieces, own, strict=True):
        for ident in piece.comments:
            if name is not None and name not in covered.setdefault(ident, []):
                covered[ident].append(name)
    loose = []
    for ident, at in stream.comment_at.items():
        names = [n for n in covered.get(ident, []) if is_field(n)]
        if not names:
            near = [own[j] for j in (at, at - 1) if 0 <= j < len(own) and is_field(own[j])]
            names = near[:1]
        for name in names:
            fields[name].comments.append(ident)
        if not names:
            loose.append(ident)
    return loose


def part_changes(stream: Stream) -> list[Change]:
    """Every tracked change of a part that holds generated text only (a header, a footer)."""
    return _changes(stream.pieces, stream.part)
