"""A reviewed DOCX opened defensively: the parts `pipeline review` reads, and nothing else.

The file comes from outside (a reviewer's computer, a partner's e-mail), so it is read
the way an attacker's file would be: the zip through `pipeline.files.safezip` (size,
entry and ratio limits, no `../` names, nothing extracted), every XML part through
`pipeline.files.safexml` (no DOCTYPE, no entities). Any refusal is a `ReviewError`
naming the file and the reason; nothing is read outside the package and nothing is written.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError, display_path
from pipeline.files.safexml import RefusedXML, parse
from pipeline.files.safezip import RefusedZip, SafeZip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = f"{R}/officeDocument"
CUSTOM_PROPS = f"{R}/custom-properties"
HEADER, FOOTER, COMMENTS = f"{R}/header", f"{R}/footer", f"{R}/comments"
COMMENTS_EXTENDED = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
HYPERLINK = f"{R}/hyperlink"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# A comment longer than this is no reviewer's note: refused as hostile.
MAX_COMMENT_CHARS = 20_000
MAX_COMMENTS = 5_000


class ReviewError(PipelineError):
    """A reviewed DOCX refused or impossible to apply: one line per cause, nothing written."""

    def format_message(self) -> str:
        return self.message


@dataclass(frozen=True)
class Rel:
    type: str
    target: str  # a part name inside the package, or an address for an external target
    external: bool


class Package:
    """The parts of one DOCX, read on demand within the limits of `SafeZip`."""

    def __init__(self, path: Path):
        self.path = path
        self.name = display_path(path)
        try:
            self.zip = SafeZip(path)
        except RefusedZip as exc:
            raise self.refused(str(exc)) from None
        self.main = self._main_part()

    def refused(self, reason: str) -> ReviewError:
        return ReviewError(f"{self.name}: refused: {reason}")

    def close(self) -> None:
        self.zip.close()

    def xml(self, part: str) -> ET.Element | None:
        """The root element of `part`, or None when the package has no such part."""
        if part not in self.zip:
            return None
        try:
            data = self.zip.read(part)
        except RefusedZip as exc:
            raise self.refused(str(exc)) from None
        try:
            return parse(data)
        except RefusedXML as exc:
            reason = {"doctype": "a DOCTYPE (DTDs and entities are not allowed)",
                      "entities": "entity declarations (not allowed)"}.get(exc.kind)
            detail = reason or f"malformed XML ({exc.detail}, line {exc.line})"
            raise self.refused(f"part {part} has {detail}" if reason else f"part {part}: {detail}") from None

    def rels(self, part: str) -> dict[str, Rel]:
        """The relationships of `part` by id; internal targets resolved to part names."""
        folder, name = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", name + ".rels"))
        found: dict[str, Rel] = {}
        if root is None:
            return found
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            external = rel.get("TargetMode") == "External"
            if not external:
                target = self._resolve(folder, target)
            found[rel.get("Id", "")] = Rel(rel.get("Type", ""), target, external)
        return found

    def _resolve(self, folder: str, target: str) -> str:
        """A relationship's target as a part name; refused if it leaves the package."""
        joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        resolved = posixpath.normpath(joined)
        if resolved.startswith("../") or resolved == "..":
            raise self.refused(f"a relationship points outside the package ({target!r})")
        return resolved

    def _main_part(self) -> str:
        mains = [rel.target for rel in self.rels("").values() if rel.type == OFFICE_DOC and not rel.external]
        if not mains or mains[0] not in self.zip:
            raise self.refused("it has no Word document part (not a DOCX)")
        return mains[0]

    def related(self, rel_type: str) -> list[str]:
        """The parts of the main document related by `rel_type`, in relationship order."""
        return [rel.target for rel in self.rels(self.main).values()
                if rel.type == rel_type and not rel.external and rel.target in self.zip]

    def custom_properties(self) -> dict[str, str]:
        """docProps/custom.xml (wherever the package relates it) as name -> text."""
        parts = [rel.target for rel in self.rels("").values() if rel.type == CUSTOM_PROPS and not rel.external]
        root = self.xml(parts[0]) if parts else None
        if root is None:
            return {}
        return {prop.get("name", ""): "".join(prop.itertext()).strip()
                for prop in root.iter(f"{{{CUSTOM_NS}}}property")}
