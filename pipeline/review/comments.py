"""The reviewers' comments: who said what and when, and the replies to each.

`comments.xml` holds every comment (author, date, paragraphs of text); Word 2013+ and
LibreOffice put the threads in `commentsExtended.xml`: each comment's last paragraph id
(`w14:paraId`) with the paragraph id of the comment it answers (`w15:paraIdParent`) and
whether the thread is resolved (`w15:done`). Comments are printed for the editor, never
written into the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.review.package import COMMENTS, COMMENTS_EXTENDED, MAX_COMMENT_CHARS, MAX_COMMENTS, Package, W

_W = f"{{{W}}}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    done: bool = False
    replies: list[Comment] = field(default_factory=list)
    parent: str | None = None

    def as_json(self) -> dict:
        return {"author": self.author, "date": self.date, "text": self.text, "resolved": self.done,
                "replies": [reply.as_json() for reply in self.replies]}


def read_comments(package: Package) -> dict[str, Comment]:
    """Every comment by id, replies linked to the comment they answer."""
    parts = package.related(COMMENTS)
    root = package.xml(parts[0]) if parts else None
    if root is None:
        return {}
    found: dict[str, Comment] = {}
    para_of: dict[str, str] = {}  # last paragraph id -> comment id
    for el in root.iter(f"{_W}comment"):
        if len(found) >= MAX_COMMENTS:
            raise package.refused(f"it has more than {MAX_COMMENTS} comments")
        paragraphs = el.findall(f".//{_W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in paragraphs)
        ident = el.get(f"{_W}id", "")
        if len(text) > MAX_COMMENT_CHARS:
            raise package.refused(f"comment {ident} is {len(text)} characters long "
                                  f"(a comment may have {MAX_COMMENT_CHARS})")
        found[ident] = Comment(ident, el.get(f"{_W}author", ""), el.get(f"{_W}date", ""), text)
        if paragraphs and paragraphs[-1].get(f"{_W14}paraId"):
            para_of[paragraphs[-1].get(f"{_W14}paraId")] = ident
    _threads(package, found, para_of)
    return found


def _threads(package: Package, found: dict[str, Comment], para_of: dict[str, str]) -> None:
    parts = package.related(COMMENTS_EXTENDED)
    root = package.xml(parts[0]) if parts else None
    if root is None:
        return
    for ex in root.iter(f"{_W15}commentEx"):
        ident = para_of.get(ex.get(f"{_W15}paraId", ""))
        if ident is None:
            continue
        comment = found[ident]
        comment.done = ex.get(f"{_W15}done", "0") in ("1", "true")
        parent = para_of.get(ex.get(f"{_W15}paraIdParent", ""))
        if parent is not None and parent != ident:
            comment.parent = parent
            found[parent].replies.append(comment)


def threads(found: dict[str, Comment]) -> list[Comment]:
    """The comments that start a thread (replies hang under them)."""
    return [c for c in found.values() if c.parent is None]
