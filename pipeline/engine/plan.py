"""Expand a build request into jobs: document x language x format -> output path.

The output layout is fixed (other tools rely on it):
`build/<lang>/handbook-<lang>.<fmt>`, `build/<lang>/factsheets/<id>-<lang>.<fmt>` and
`build/<lang>/packs/<pack-id>-<lang>.<fmt>` (briefing packs);
the print-shop and archive PDFs go under `build/print/` and `build/archive/` in the
same shape, so each variant has its own files and its own entries in the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.content.model import Variant

# Output formats and the renderer that makes each: adding a format is one module in
# pipeline/render/ and one line here. Renderers are imported only when used, so
# `pipeline --help` never pays for WeasyPrint.
RENDERERS = {
    "pdf": "pipeline.render.pdf:render_pdf",
    "docx": "pipeline.render.docx:render_docx",
}
FORMATS = tuple(RENDERERS)
# Formats whose renderer can share work between documents rendered one after another
# (`pipeline.engine.workers.render_group_to`): what to make for a group, passed as `share=`.
SHARING = {"pdf": "pipeline.render.pdf:SharedLayout"}

Kind = Literal["factsheet", "handbook", "pack"]
# The folder of each kind of document that has one per topic or pack.
FOLDERS = {"factsheet": "factsheets", "pack": "packs"}

# The formats each variant is made in: print and archive copies are PDF only (a DOCX
# has no print geometry or PDF standard).
VARIANT_FORMATS: dict[Variant, tuple[str, ...]] = {"screen": FORMATS, "print": ("pdf",), "archive": ("pdf",)}


@dataclass(frozen=True)
class Job:
    """One output document to produce."""

    kind: Kind
    lang: str
    fmt: str
    topic: str | None  # the topic of a factsheet, the pack id of a pack
    output: Path
    explicit: bool = False  # written to a path the user chose (-o), outside the layout
    variant: Variant = "screen"

    @property
    def name(self) -> str:
        """A short, stable name for messages and the build record, e.g. `fr/factsheets/x-fr.pdf`
        (`print/fr/factsheets/x-fr.pdf` for the print variant)."""
        if self.explicit:
            return str(self.output)
        return relative_path(self.kind, self.lang, self.fmt, self.topic, self.variant).as_posix()


def relative_path(kind: Kind, lang: str, fmt: str, topic: str | None = None, variant: Variant = "screen") -> Path:
    """A document's path inside the build folder (and inside a release set)."""
    folder = Path(lang) if variant == "screen" else Path(variant) / lang
    if kind == "handbook":
        return folder / f"handbook-{lang}.{fmt}"
    return folder / FOLDERS[kind] / f"{topic}-{lang}.{fmt}"


def output_path(build_dir: Path, kind: Kind, lang: str, fmt: str, topic: str | None = None,
                variant: Variant = "screen") -> Path:
    """Where a document goes in the fixed layout."""
    return build_dir / relative_path(kind, lang, fmt, topic, variant)


def plan(
    build_dir: Path,
    langs: Iterable[str],
    formats: Iterable[str],
    topics: Iterable[str],
    handbook: bool = True,
    factsheets: bool = True,
    variant: Variant = "screen",
    packs: Iterable[str] = (),
) -> list[Job]:
    """All jobs for a request; handbooks first, then packs, since they are the longest to render.

    Formats a variant is not made in (a print DOCX) are left out.
    """
    langs, topics = list(langs), list(topics)
    formats = [fmt for fmt in formats if fmt in VARIANT_FORMATS[variant]]
    jobs: list[Job] = []
    if handbook:
        for lang in langs:
            for fmt in formats:
                path = output_path(build_dir, "handbook", lang, fmt, None, variant)
                jobs.append(Job("handbook", lang, fmt, None, path, variant=variant))
    for lang in langs:
        for pack in packs:
            for fmt in formats:
                path = output_path(build_dir, "pack", lang, fmt, pack, variant)
                jobs.append(Job("pack", lang, fmt, pack, path, variant=variant))
    if factsheets:
        for lang in langs:
            for topic in topics:
                for fmt in formats:
                    path = output_path(build_dir, "factsheet", lang, fmt, topic, variant)
                    jobs.append(Job("factsheet", lang, fmt, topic, path, variant=variant))
    return jobs
