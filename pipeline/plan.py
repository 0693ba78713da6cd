"""Expand a build request into jobs: document x language x format -> output path.

The output layout is fixed (other tools rely on it):
`build/<lang>/handbook-<lang>.<fmt>` and `build/<lang>/factsheets/<id>-<lang>.<fmt>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Output formats and the renderer that makes each: adding a format is one module in
# pipeline/renderers/ and one line here. Renderers are imported only when used, so
# `pipeline --help` never pays for WeasyPrint.
RENDERERS = {
    "pdf": "pipeline.renderers.pdf:render_pdf",
    "docx": "pipeline.renderers.docx:render_docx",
}
FORMATS = tuple(RENDERERS)

Kind = Literal["factsheet", "handbook"]


@dataclass(frozen=True)
class Job:
    """One output document to produce."""

    kind: Kind
    lang: str
    fmt: str
    topic: str | None
    output: Path
    explicit: bool = False  # written to a path the user chose (-o), outside the layout

    @property
    def name(self) -> str:
        """A short, stable name for messages and the build record, e.g. `fr/factsheets/x-fr.pdf`."""
        if self.explicit:
            return str(self.output)
        if self.kind == "handbook":
            return f"{self.lang}/handbook-{self.lang}.{self.fmt}"
        return f"{self.lang}/factsheets/{self.topic}-{self.lang}.{self.fmt}"


def output_path(build_dir: Path, kind: Kind, lang: str, fmt: str, topic: str | None = None) -> Path:
    """Where a document goes in the fixed layout."""
    if kind == "handbook":
        return build_dir / lang / f"handbook-{lang}.{fmt}"
    return build_dir / lang / "factsheets" / f"{topic}-{lang}.{fmt}"


def plan(
    build_dir: Path,
    langs: Iterable[str],
    formats: Iterable[str],
    topics: Iterable[str],
    handbook: bool = True,
    factsheets: bool = True,
) -> list[Job]:
    """All jobs for a request; handbooks first, since they are the longest to render."""
    langs, formats, topics = list(langs), list(formats), list(topics)
    jobs: list[Job] = []
    if handbook:
        for lang in langs:
            for fmt in formats:
                jobs.append(Job("handbook", lang, fmt, None, output_path(build_dir, "handbook", lang, fmt)))
    if factsheets:
        for lang in langs:
            for topic in topics:
                for fmt in formats:
                    path = output_path(build_dir, "factsheet", lang, fmt, topic)
                    jobs.append(Job("factsheet", lang, fmt, topic, path))
    return jobs
