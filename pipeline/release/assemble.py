"""Assemble, hash and verify a distribution set: `dist/<edition-date>[-draft]/`.

A release is the edition as it leaves the unit:

    <lang>/...                      screen PDFs (PDF/UA-1) and DOCX, as in build/<lang>/
    <UNIT>-<set>-<lang>.zip         that language's screen PDFs and DOCX in one file
    print/<lang>/...                PDF/X-4 for the print shop (bleed, crop marks)
    archive/<lang>/...              PDF/A-2u for the records archive
    manifest.json                   edition, status, languages; every file with its kind,
                                    language, reference, pages, bytes and SHA-256
    README.txt                      the set listed for the person sending it out
    SHA256SUMS                      for `sha256sum -c`

It only calls the existing stages: content is loaded and validated, the documents are
planned and built incrementally in `build/` (screen, print and archive variants each
under their own path), and the handbook DOCX get their page numbers from LibreOffice's
layout (`pipeline.release.docx_pages`). Gates run first and every cause of a refusal is named
at once. The set is written to a hidden folder beside its place and renamed into place
only when complete, so a refused or interrupted release leaves no partial set. Every
byte depends on the sources only: two releases of the same edition are identical. A set
already in place is never replaced silently: the same files are nothing to do, other
files are refused unless --replace, and then the new set is swapped in whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.content import limits
from pipeline.content.loader import load_yaml
from pipeline.content.model import Document, Layout
from pipeline.content.project import EDITION_FILE, Project, load_project
from pipeline.engine.plan import Job, plan
from pipeline.engine.run import Outcome, compose, run, shared_fingerprint
from pipeline.errors import ContentError, PipelineError, display_path
from pipeline.files.output import replace_folder
from pipeline.files.zips import write_zip

MANIFEST = "manifest.json"
README = "README.txt"
SUMS = "SHA256SUMS"
PART_MARK = ".part-"

# Kinds of document with contents and cross-references, whose DOCX page numbers come
# from LibreOffice's layout: the handbook and the briefing packs.
BOOKS = ("handbook", "pack")

# PDF standard and purpose of each variant, for the manifest.
STANDARDS = {"screen": "PDF/UA-1", "print": "PDF/X-4", "archive": "PDF/A-2u"}


class ReleaseRefused(PipelineError):
    """The release gates found problems; every one is named."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__("\n".join([*problems, f"release refused: {count} problem{'s' if count != 1 else ''}"]))

    def format_message(self) -> str:
        return self.message


@dataclass(frozen=True)
class Request:
    """What to release and where."""

    content: Path
    build_dir: Path
    out_dir: Path
    langs: tuple[str, ...] = ()  # empty: every language of the edition
    allow_draft: bool = False
    workers: int = 1
    allow_unsigned: bool = False  # a draft set may go out before its languages are signed off
    replace: bool = False  # replace a set of the same name whose files differ


@dataclass
class Entry:
    """One file of the set."""

    path: str
    kind: str  # handbook | pack | factsheet | bundle
    set: str  # screen | print | archive
    format: str  # pdf | docx | zip
    language: str
    data: bytes
    reference: str | None = None
    title: str = ""
    edition_label: str = ""
    pages: int | None = None
    contains: list[str] = field(default_factory=list)

    def record(self) -> dict[str, object]:
        out: dict[str, object] = {
            "path": self.path, "kind": self.kind, "set": self.set, "format": self.format,
            "language": self.language, "reference": self.reference, "pages": self.pages,
            "bytes": len(self.data), "sha256": sha256(self.data)}
        if self.format == "pdf":
            out["standard"] = STANDARDS[self.set]
        if self.contains:
            out["contains"] = self.contains
        return out


# --- gates ------------------------------------------------------------------------------

Gate = Callable[[Project, Request], list[str]]


def status_gate(project: Project, request: Request) -> list[str]:
    """A set for distribution is made from a final edition; --allow-draft makes a marked draft set."""
    source = project.edition_source
    line = source.line_of(("status",)) if source else 1
    return _status_problem(project.root / EDITION_FILE, line, project.edition.status, request)


def _status_problem(path: Path, line: int, status: object, request: Request) -> list[str]:
    if status == "final" or request.allow_draft:
        return []
    return [f"{display_path(path)}:{line}: status: the edition is '{status}'; "
            "set it to 'final', or pass --allow-draft for a draft set"]


def translations_gate(project: Project, request: Request) -> list[str]:
    """Every released language in step with the reference, field by field, even in a draft
    set: a set sent out must never carry two languages that disagree."""
    from pipeline.translations.status import pending_problems

    return pending_problems(project, list(request.langs or project.edition.languages))


def _raw_status_gate(request: Request) -> list[str]:
    """The status gate on content that did not validate, read straight from edition.yaml."""
    path = request.content / EDITION_FILE
    try:
        loaded = load_yaml(path)
    except PipelineError:
        return []  # already among the content problems
    status = loaded.data.get("status") if isinstance(loaded.data, dict) else None
    return _status_problem(path, loaded.line_of(("status",)), status, request)


def signoff_gate(project: Project, request: Request) -> list[str]:
    """Every released language signed off as it now is (`pipeline signoff`); a draft set
    may go without (--allow-unsigned), a final one never."""
    from pipeline.editions.signoff import gate_problems

    return gate_problems(project, list(request.langs or project.edition.languages), request.allow_unsigned)


# Checks on validated content, each returning its problems. Content problems (load and
# validation) and failed documents are gathered around these by `release`.
GATES: list[Gate] = [status_gate, translations_gate, signoff_gate]


# --- the release -------------------------------------------------------------------------


def release(request: Request, report: Callable[[Outcome], None] | None = None) -> Written:
    """Build and assemble the set; returns its folder and what was done. Raises
    `ReleaseRefused` naming every problem: content, gates, failed documents, a different
    set already in the folder (unless `request.replace`)."""
    problems: list[str] = []
    try:
        project = load_project(request.content)
    except ContentError as exc:
        # Nothing can be built from invalid content; the status is still worth naming.
        raise ReleaseRefused([*(str(p) for p in exc.problems), *_raw_status_gate(request)]) from None
    langs = list(request.langs or project.edition.languages)
    for gate in GATES:
        problems += gate(project, request)
    jobs = release_jobs(project, request.build_dir, langs)
    summary = run(project, jobs, request.build_dir, Layout(), request.workers, report=report)
    problems += [f"{o.job.name}: {o.message}" for o in summary.failed]
    if problems:
        raise ReleaseRefused(problems)
    entries = assemble(project, request, jobs, langs)
    from pipeline.editions import notes, sources

    entries.append(Entry(sources.SNAPSHOT, "snapshot", "screen", "json", "", sources.snapshot(project, langs)))
    record = notes.manifest_record(project, langs, notes.content_commit(project))
    before, since = notes.history(project, langs)
    written = write_set(request.out_dir, set_name(project), entries, {**manifest(project, langs, entries), **record},
                        readme(project, langs, entries, {lang: notes.readme_notes(project, lang, before, since)
                                                         for lang in langs}), replace=request.replace)
    if project.edition.status == "final":
        notes.record_release(project, set_name(project), record)  # the editions log; drafts record nothing
    return written


def release_jobs(project: Project, build_dir: Path, langs: list[str]) -> list[Job]:
    """Every document of the set (handbook, briefing packs, factsheets): screen PDF and
    DOCX, print and archive PDF."""
    topics, packs = project.topic_ids, project.pack_ids
    jobs = [*plan(build_dir, langs, ("pdf", "docx"), topics, packs=packs),
            *plan(build_dir, langs, ("pdf",), topics, variant="print", packs=packs),
            *plan(build_dir, langs, ("pdf",), topics, variant="archive", packs=packs)]
    # Handbooks and packs of every variant first: they take longest to render.
    return sorted(jobs, key=lambda job: job.kind == "factsheet")


def set_name(project: Project) -> str:
    """The set's folder: the edition date, marked when the edition is a draft."""
    name = project.edition.edition_date.isoformat()
    return name if project.edition.status == "final" else f"{name}-draft"


def assemble(project: Project, request: Request, jobs: list[Job], langs: list[str]) -> list[Entry]:
    """The files of the set, in manifest order, from the built documents."""
    from pipeline.release.docx_pages import LayoutCache, settle

    documents = {job.name: compose(project, job, Layout()) for job in jobs}
    entries = [_entry(job, documents[job.name], job.output.read_bytes()) for job in jobs]
    docx = {e.path: e for e in entries if e.format == "docx"}
    cache = LayoutCache(request.build_dir, shared_fingerprint(project))
    # Every DOCX laid out by one LibreOffice (starting it costs about 2 s): the books'
    # first round of settling then finds its layouts in the cache, and LibreOffice starts
    # again only when a book's page numbers had to change.
    first = cache.layouts({path: e.data for path, e in docx.items()})
    handbooks = {path: e.data for path, e in docx.items() if e.kind in BOOKS}
    settled, layouts = settle(handbooks, lambda path, pages: _render_docx(documents[path], pages), cache)
    layouts.update({path: layout for path, layout in first.items() if path not in handbooks})
    for path, entry in docx.items():
        entry.data = settled.get(path, entry.data)
        entry.pages = layouts[path].pages
    for lang in langs:
        entries.append(_bundle(project, lang, [e for e in entries if e.set == "screen" and e.language == lang]))
    return entries


def _render_docx(document: Document, pages: dict[str, int]) -> bytes:
    from pipeline.render.docx import render_docx

    return render_docx(document, bookmark_pages=pages)


def _entry(job: Job, document: Document, data: bytes) -> Entry:
    entry = Entry(path=job.name, kind=job.kind, set=job.variant, format=job.fmt, language=job.lang,
                  data=data, reference=document.meta.reference, title=document.meta.title,
                  edition_label=document.meta.edition_label)
    if job.fmt == "pdf":
        entry.pages = pdf_pages(data)
    return entry


def _bundle(project: Project, lang: str, files: list[Entry]) -> Entry:
    name = f"{project.edition.unit}-{set_name(project)}-{lang}.zip"
    data = write_zip(((e.path, e.data) for e in files), project.edition.edition_date)
    return Entry(path=name, kind="bundle", set="screen", format="zip", language=lang, data=data,
                 contains=[e.path for e in files])


def pdf_pages(data: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- manifest, README, checksums ----------------------------------------------------------


def manifest(project: Project, langs: list[str], entries: list[Entry]) -> dict[str, object]:
    edition = project.edition
    return {
        "edition": edition.edition_date.isoformat(),
        "set": set_name(project),
        "unit": edition.unit,
        "status": edition.status,
        "draft": edition.status != "final",
        "classification": edition.classification,
        "languages": langs,
        "pipeline": __version__,
        "files": [e.record() for e in entries],
    }


def readme(project: Project, langs: list[str], entries: list[Entry], notes: dict[str, list[str]] | None = None) -> str:
    """The set listed for the person sending it out, one section per language, in it."""
    from pipeline.render.html import environment

    sections = []
    for lang in langs:
        strings = project.languages[lang].strings
        labels = strings.release
        mine = [e for e in entries if e.language == lang]
        groups = [(labels.screen, [e for e in mine if e.set == "screen" and e.format == "pdf"]),
                  (labels.docx, [e for e in mine if e.format == "docx"]),
                  (labels.bundle, [e for e in mine if e.kind == "bundle"]),
                  (labels.print, [e for e in mine if e.set == "print"]),
                  (labels.archive, [e for e in mine if e.set == "archive"]),
                  (strings.editions.snapshot, [e for e in entries if e.kind == "snapshot"])]
        sections.append({
            "name": strings.name,
            "heading": labels.heading.format(edition=mine[0].edition_label),
            "status": strings.status[project.edition.status],
            "draft_notice": labels.draft_notice if project.edition.status != "final" else "",
            "notes": (notes or {}).get(lang, []),
            "groups": [(label, _rows(files, labels.pages)) for label, files in groups if files],
            "verify": labels.verify,
        })
    return environment().get_template("release/README.txt.j2").render(
        unit=project.edition.unit, set_name=set_name(project), sections=sections, sums=SUMS)


def _rows(files: list[Entry], pages_label: str) -> list[str]:
    cells = [(e.path, e.title, e.reference or "", pages_label.format(pages=e.pages) if e.pages else "")
             for e in files]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def checksums(files: dict[str, bytes]) -> str:
    """`sha256sum` format: hash, two spaces (text mode), path; sorted by path."""
    return "".join(f"{sha256(data)}  {path}\n" for path, data in sorted(files.items()))


# --- writing the set, atomically ------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """Where a set is and what the release did: "written", "replaced" or "unchanged"."""

    path: Path
    action: str

    def line(self) -> str:
        if self.action == "unchanged":
            return f"{display_path(self.path)} already holds this set, file for file: nothing to do"
        return f"{'replaced' if self.action == 'replaced' else 'released'} {self.path}"


def write_set(out_dir: Path, name: str, entries: list[Entry], manifest_data: dict[str, object],
              readme_text: str, replace: bool = False) -> Written:
    """Write the set beside its place and swap it in. A set already there with the same
    files is left as it is; one whose files differ is refused unless `replace`."""
    files = {e.path: e.data for e in entries}
    files[README] = readme_text.encode("utf-8")
    manifest_data["files"].append(Entry(README, "readme", "screen", "txt", "", files[README]).record())
    files[MANIFEST] = (json.dumps(manifest_data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files[SUMS] = checksums(files).encode("ascii")
    target = out_dir / name
    existed = target.exists()
    if existed:
        differences = compare_set(target, files)
        if not differences:
            return Written(target, "unchanged")
        if not replace:
            raise ReleaseRefused([f"{display_path(target)}: a set with other files is already there "
                                  f"({_listed(differences)}): pass --replace to replace it, or --out for "
                                  "another folder"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f".*{PART_MARK}*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = out_dir / f".{name}{PART_MARK}{os.getpid()}"
    try:
        for path, data in files.items():
            dest = staging / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        if existed:
            replace_folder(staging, target)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(target, "replaced" if existed else "written")


def compare_set(folder: Path, files: dict[str, bytes]) -> list[str]:
    """How the files in `folder` differ from `files`: "changed: x", "missing: x", "extra: x"."""
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    changed = [f"changed: {path}" for path, data in sorted(files.items())
               if path in present and present[path].read_bytes() != data]
    missing = [f"missing: {path}" for path in sorted(files) if path not in present]
    extra = [f"extra: {path}" for path in sorted(present) if path not in files]
    return changed + missing + extra


def _listed(differences: list[str], shown: int = 3) -> str:
    more = len(differences) - shown
    head = "; ".join(differences[:shown])
    return f"{head}; and {more} more" if more > 0 else head


# --- verification --------------------------------------------------------------------------


def verify(set_dir: Path) -> list[str]:
    """Every file changed, missing or added since the release, by the manifest and the
    checksums; an empty list when the set is intact.

    A set may come from elsewhere: a link in it is reported, never followed (a link to a
    file outside with the listed checksum must not pass), and the manifest and checksum
    files are refused over `limits.MANIFEST_BYTES` before they are read."""
    try:
        data = json.loads(_small(set_dir / MANIFEST).decode("utf-8"))
        listed = {f["path"]: f["sha256"] for f in data["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{display_path(set_dir / MANIFEST)}: cannot read the manifest: {exc}"]
    try:
        sums = dict(reversed(line.split("  ", 1)) for line in
                    _small(set_dir / SUMS).decode("ascii").splitlines() if line)
    except (OSError, ValueError) as exc:
        return [f"{display_path(set_dir / SUMS)}: cannot read the checksums: {exc}"]
    problems = []
    present, links = set(), set()
    for path in set_dir.rglob("*"):  # does not descend into linked folders
        if path.is_symlink():
            links.add(path.relative_to(set_dir).as_posix())
        elif path.is_file():
            present.add(path.relative_to(set_dir).as_posix())
    expected = {**listed, **sums}
    for path in sorted(expected):
        if path in links:
            continue
        if path not in present:
            problems.append(f"missing: {path}")
            continue
        digest = _file_sha256(set_dir / path)
        if digest != listed.get(path, digest) or digest != sums.get(path, digest):
            problems.append(f"changed: {path}")
    problems += [f"not a file: {path} (a link: a release set holds files only)" for path in sorted(links)]
    problems += [f"extra: {path}" for path in sorted(present - set(expected) - {SUMS})]
    if set(sums) != set(listed) | {MANIFEST}:
        problems.append(f"{SUMS} and {MANIFEST} list different files")
    return problems


def _small(path: Path) -> bytes:
    """A manifest or checksum file: a regular file, refused by its size before it is read."""
    if path.is_symlink() or not path.is_file():
        raise ValueError("not a regular file")
    size = path.stat().st_size
    if size > limits.MANIFEST_BYTES:
        raise ValueError(f"file of {limits.size_text(size)}; at most {limits.size_text(limits.MANIFEST_BYTES)}")
    return path.read_bytes()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
