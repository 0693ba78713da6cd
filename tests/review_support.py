"""Edit a DOCX the way Word records a review: tracked insertions and deletions, moves,
format changes and comments written into the OOXML (Word itself is not available here).

What Word writes, and so what these helpers write: revisions as `w:ins`/`w:del` (and
`w:moveFrom`/`w:moveTo`) with `w:id`, `w:author` and `w:date` around runs that carry
`w:rsidR`/`w:rsidDel`, deleted text in `w:delText`; comments in word/comments.xml
(each with a `w14:paraId` on its paragraph) anchored by `w:commentRangeStart`/`End` and a
`w:commentReference` run, replies linked in word/commentsExtended.xml.
"""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


class Docx:
    """The parts of a DOCX, editable as XML trees, written back as a new file."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as package:
            self.parts = {name: package.read(name) for name in package.namelist()}
        self.trees: dict[str, etree._Element] = {}
        self.next_id = 900

    def xml(self, name: str) -> etree._Element:
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.parts[name])
        return self.trees[name]

    @property
    def body(self) -> etree._Element:
        return self.xml("word/document.xml")

    def save(self, path: Path) -> Path:
        for name, tree in self.trees.items():
            self.parts[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in self.parts.items():
                package.writestr(name, data)
        path.write_bytes(out.getvalue())
        return path

    def revision(self, tag: str, author: str, date: str) -> etree._Element:
        self.next_id += 1
        return etree.Element(w(tag), {w("id"): str(self.next_id), w("author"): author, w("date"): date})

    # --- finding text ------------------------------------------------------------------

    def paragraph(self, containing: str, part: str = "word/document.xml") -> etree._Element:
        for p in self.xml(part).iter(w("p")):
            if containing in "".join(t.text or "" for t in p.iter(w("t"))):
                return p
        raise AssertionError(f"no paragraph with {containing!r}")

    def run_with(self, containing: str, part: str = "word/document.xml", style: str | None = None,
                 scope: etree._Element | None = None) -> etree._Element:
        """The first run holding `containing` (in a paragraph of `style`, inside `scope`, if given)."""
        for t in (scope if scope is not None else self.xml(part)).iter(w("t"), w("delText")):
            if containing in (t.text or "") and (style is None or _style(t) == style):
                return t.getparent()
        raise AssertionError(f"no run with {containing!r}")

    def split(self, text: str, part: str = "word/document.xml", style: str | None = None,
              scope: etree._Element | None = None) -> etree._Element:
        """Split the run holding `text` so that `text` is a run of its own; returns that run."""
        run = self.run_with(text, part, style, scope)
        t = run.find(w("t"))
        if t is None:
            return run  # already split and deleted: insert next to it
        before, after = t.text.split(text, 1)
        for piece, where in ((before, "before"), (after, "after")):
            if piece:
                other = copy.deepcopy(run)
                other.find(w("t")).text = piece
                other.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                (run.addprevious if where == "before" else run.addnext)(other)
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return run

    # --- tracked changes, as Word writes them ---------------------------------------------

    def delete(self, text: str, author: str, date: str, rsid: str = "00A1B2C3", tag: str = "del",
               scope: etree._Element | None = None) -> None:
        run = self.split(text, scope=scope)
        run.set(w("rsidDel"), rsid)
        t = run.find(w("t"))
        t.tag = w("delText")
        wrapper = self.revision(tag, author, date)
        run.addprevious(wrapper)
        wrapper.append(run)

    def insert(self, text: str, after: str | None, author: str, date: str, *, before: str | None = None,
               rsid: str = "00A1B2C3", tag: str = "ins", emphasis: bool | None = None,
               part: str = "word/document.xml", style: str | None = None,
               scope: etree._Element | None = None) -> etree._Element:
        """Insert `text` right after the run holding `after` (or before the one holding
        `before`), in that run's formatting (emphasis: force italic on or off)."""
        anchor = self.split(after if after is not None else before, part, style, scope)
        run = copy.deepcopy(anchor)
        run.set(w("rsidR"), rsid)
        run.attrib.pop(w("rsidDel"), None)
        for deleted in run.iter(w("delText")):
            deleted.tag = w("t")
        run.find(w("t")).text = text
        if emphasis is not None:
            rpr = run.find(w("rPr"))
            if rpr is None:
                rpr = etree.SubElement(run, w("rPr"))
                run.insert(0, rpr)
            for old in rpr.findall(w("i")):
                rpr.remove(old)
            if emphasis:
                rpr.append(etree.Element(w("i")))
        wrapper = self.revision(tag, author, date)
        wrapper.append(run)
        container = anchor.getparent()
        if container.tag in (w("ins"), w("del")):
            anchor = container
        (anchor.addnext if after is not None else anchor.addprevious)(wrapper)
        return wrapper

    def move(self, text: str, after: str, author: str, date: str) -> None:
        """Move `text` to just after `after` (Word's moveFrom / moveTo)."""
        self.insert(text, after, author, date, tag="moveTo")
        self.delete(text, author, date, tag="moveFrom")

    # --- comments ----------------------------------------------------------------------------

    def comment(self, on: str, text: str, author: str, date: str, reply: tuple[str, str, str] | None = None,
                scope: etree._Element | None = None) -> None:
        """A comment on the run holding `on` (split to exactly that text), optionally with a reply."""
        run = self.split(on, scope=scope)
        ids = [self._comment(text, author, date)]
        if reply is not None:
            ids.append(self._comment(*reply, parent=ids[0]))
        for ident in ids:
            run.addprevious(etree.Element(w("commentRangeStart"), {w("id"): ident}))
        for ident in reversed(ids):
            run.addnext(self._reference_run(ident))
            run.addnext(etree.Element(w("commentRangeEnd"), {w("id"): ident}))

    def _reference_run(self, ident: str) -> etree._Element:
        ref = etree.Element(w("r"))
        rpr = etree.SubElement(ref, w("rPr"))
        etree.SubElement(rpr, w("rStyle"), {w("val"): "CommentReference"})
        etree.SubElement(ref, w("commentReference"), {w("id"): ident})
        return ref

    def _comment(self, text: str, author: str, date: str, parent: str | None = None) -> str:
        comments = self._comments_part()
        ident = str(len(comments))
        para_id = f"{0x1000 + int(ident):08X}"
        comment = etree.SubElement(comments, w("comment"), {w("id"): ident, w("author"): author,
                                                              w("date"): date, w("initials"): author[:2]})
        p = etree.SubElement(comment, w("p"), {f"{{{W14_NS}}}paraId": para_id})
        etree.SubElement(etree.SubElement(p, w("r")), w("t")).text = text
        extended = self._extended_part()
        attrs = {f"{{{W15_NS}}}paraId": para_id, f"{{{W15_NS}}}done": "0"}
        if parent is not None:
            attrs[f"{{{W15_NS}}}paraIdParent"] = f"{0x1000 + int(parent):08X}"
        etree.SubElement(extended, f"{{{W15_NS}}}commentEx", attrs)
        return ident

    def _comments_part(self) -> etree._Element:
        name = "word/comments.xml"
        if name not in self.parts:
            self._add_part(name, f'<w:comments xmlns:w="{W_NS}" xmlns:w14="{W14_NS}"/>',
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
                           f"{R_NS}/comments")
        return self.xml(name)

    def _extended_part(self) -> etree._Element:
        name = "word/commentsExtended.xml"
        if name not in self.parts:
            self._add_part(name, f'<w15:commentsEx xmlns:w15="{W15_NS}"/>',
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
                           "http://schemas.microsoft.com/office/2011/relationships/commentsExtended")
        return self.xml(name)

    def _add_part(self, name: str, xml: str, content_type: str, rel_type: str) -> None:
        self.parts[name] = xml.encode()
        types = self.xml("[Content_Types].xml")
        etree.SubElement(types, f"{{{CT_NS}}}Override", {"PartName": "/" + name, "ContentType": content_type})
        rels = self.xml("word/_rels/document.xml.rels")
        etree.SubElement(rels, f"{{{PKG_NS}}}Relationship",
                         {"Id": f"rIdReview{len(rels)}", "Type": rel_type, "Target": name.removeprefix("word/")})


def _style(t: etree._Element) -> str | None:
    p = next(t.iterancestors(w("p")))
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return style.get(w("val")) if style is not None else None
