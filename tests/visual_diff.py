"""`make visual-diff`: are the PDFs of this working tree the same, page by page, as those of a git ref?

Builds the PDFs twice into a temporary folder, once with the code and templates of
`--before` (a git ref, default HEAD: "what do my uncommitted changes change?") and once
with this working tree, from the same content; then rasterises every page of both at
`--dpi` (pdftoppm, greyscale) and counts the pixels that differ. It prints one line per
document (byte-identical / all pages identical / the pages that differ, with how many
pixels and by how much) and exits 1 if any page differs or a document's page count changed.

Editions compared (the content of this working tree in each):
  default   both handbooks and every factsheet, A4;
  recto     both handbooks with `chapter_start: recto` (blank left-hand pages);
  print     both handbooks and three factsheets in print mode (bleed, crop marks,
            filler pages and back cover);
  letter    both handbooks and three factsheets on US Letter;
  long      both handbooks with the first chapter running over several pages
            (its sections repeated), so later chapters move;
  rich      the test edition with figures, tables, links and a logo (tests/fixtures/rich);
  rtl       the English and Arabic test edition (tests/fixtures/edition-ar), right to left;
  scale     (only with --scale) the 110-topic synthetic edition of tests/bench_scale.py.

Nothing is written outside the temporary folder (or `--keep DIR`, to look at the PNGs).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from bench_scale import numbered, synthetic_edition

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_TOPICS = ("corruption", "financial-crime", "terrorism")


@dataclass
class PageDiff:
    page: int
    pixels: int  # pixels that differ at all
    largest: int  # the largest grey-level difference (0-255)


@dataclass
class Comparison:
    name: str
    pages_before: int
    pages_after: int
    identical_bytes: bool
    differing: list[PageDiff]

    @property
    def same(self) -> bool:
        return self.pages_before == self.pages_after and not self.differing

    def line(self) -> str:
        if self.identical_bytes:
            return f"{self.name}: byte-identical ({self.pages_after} pages)"
        if self.pages_before != self.pages_after:
            return f"{self.name}: DIFFERENT page count, {self.pages_before} before, {self.pages_after} after"
        if not self.differing:
            return f"{self.name}: all {self.pages_after} pages visually identical (bytes differ)"
        pages = ", ".join(f"p. {d.page} ({d.pixels} px, up to {d.largest})" for d in self.differing)
        return f"{self.name}: {len(self.differing)} of {self.pages_after} pages DIFFER: {pages}"


# --- rasterising and comparing -----------------------------------------------------


def rasterise(pdf: Path, out_dir: Path, dpi: int) -> list[Path]:
    """Every page of `pdf` as a greyscale PGM image, in page order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(out_dir / "p")], check=True)
    return sorted(out_dir.glob("p-*.pgm"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))


def compare_pdfs(name: str, before: Path, after: Path, scratch: Path, dpi: int) -> Comparison:
    """Page-by-page pixel comparison of two PDFs."""
    from PIL import Image, ImageChops

    same_bytes = before.read_bytes() == after.read_bytes()
    pages_b = rasterise(before, scratch / "before", dpi)
    pages_a = pages_b if same_bytes else rasterise(after, scratch / "after", dpi)
    differing = []
    if len(pages_b) == len(pages_a) and not same_bytes:
        for number, (b, a) in enumerate(zip(pages_b, pages_a, strict=True), start=1):
            with Image.open(b) as ib, Image.open(a) as ia:
                if ib.size != ia.size:
                    differing.append(PageDiff(number, ib.size[0] * ib.size[1], 255))
                    continue
                diff = ImageChops.difference(ib, ia)
                pixels = sum(diff.point(lambda v: 255 if v else 0).histogram()[1:])
                if pixels:
                    differing.append(PageDiff(number, pixels, diff.getextrema()[1]))
    return Comparison(name, len(pages_b), len(pages_a), same_bytes, differing)


# --- the editions ------------------------------------------------------------------


def recto_content(dest: Path) -> Path:
    """The content with `chapter_start: recto`."""
    shutil.copytree(CONTENT, dest)
    edition = dest / "edition.yaml"
    text, count = re.subn(r"^chapter_start: *\w+", "chapter_start: recto", edition.read_text(encoding="utf-8"),
                          flags=re.M)
    assert count == 1, "edition.yaml has no chapter_start line"
    edition.write_text(text, encoding="utf-8")
    return dest


def long_content(dest: Path, times: int = 6) -> Path:
    """The content with the first topic's sections repeated `times` times (numbered, so
    that no paragraph is a duplicate), in every language; translations accepted."""
    from pipeline.content.project import load_project
    from pipeline.translations.accept import accept

    shutil.copytree(CONTENT, dest)
    first = load_project(dest).topic_ids[0]
    for strings in dest.glob("*/_strings.yaml"):
        path = strings.parent / f"{first}.yaml"
        topic = yaml.safe_load(path.read_text(encoding="utf-8"))
        topic["sections"] = topic["sections"] + [numbered(s, n) for n in range(2, times + 1)
                                                 for s in topic["sections"]]
        path.write_text(yaml.safe_dump(topic, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    project = load_project(dest)
    for lang in project.edition.languages[1:]:
        accept(project, lang)
    return dest


def editions(scratch: Path, scale: bool) -> list[tuple[str, Path, list[str]]]:
    """(name, content folder, extra `pipeline build` options) for each edition compared."""
    sample = [arg for topic in SAMPLE_TOPICS for arg in ("--topic", topic)]
    out = [
        ("default", CONTENT, []),
        ("recto", recto_content(scratch / "content-recto"), ["--no-factsheets"]),
        ("print", CONTENT, ["--print", *sample]),
        ("letter", CONTENT, ["--paper", "letter", *sample]),
        ("long", long_content(scratch / "content-long"), ["--no-factsheets"]),
        ("rich", FIXTURES / "rich", []),
        ("rtl", FIXTURES / "edition-ar", []),
    ]
    if scale:
        out.append(("scale", synthetic_edition(scratch / "content-scale"), ["--no-factsheets"]))
    return out


# --- building ----------------------------------------------------------------------


def checkout(ref: str, dest: Path) -> Path:
    """The code and templates of `ref` (no git worktree: an exported copy; its pyproject.toml
    tells the package that the templates sit beside it, as in a checkout)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref, "pipeline", "templates", "pyproject.toml"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def build(code: Path, content: Path, build_dir: Path, options: list[str]) -> None:
    """`pipeline build --format pdf --force` with the pipeline package found in `code`."""
    env = dict(os.environ, PYTHONPATH=str(code))
    cmd = [sys.executable, "-m", "pipeline", "-q", "--content", str(content), "--build-dir", str(build_dir),
           "build", "--format", "pdf", "--force", *options]
    subprocess.run(cmd, cwd=code, env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="git ref to compare with (default: HEAD)")
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the page images (default: 60)")
    parser.add_argument("--scale", action="store_true", help="also the 110-topic synthetic edition (slow)")
    parser.add_argument("--only",
                        help="compare only this edition: default, recto, print, letter, long, rich, rtl, scale")
    parser.add_argument("--keep", type=Path, help="keep the PDFs and page images in this folder")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="visual-diff-")) if args.keep is None else args.keep
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        before_code = checkout(args.before, scratch / "code-before")
        results: list[Comparison] = []
        for name, content, options in editions(scratch, args.scale):
            if args.only and name != args.only:
                continue
            print(f"[{name}] building before ({args.before}) and after (working tree)...", flush=True)
            build(before_code, content, scratch / name / "before", options)
            build(ROOT, content, scratch / name / "after", options)
            for before in sorted((scratch / name / "before").rglob("*.pdf")):
                rel = before.relative_to(scratch / name / "before")
                after = scratch / name / "after" / rel
                if not after.exists():
                    print(f"{name}/{rel}: MISSING after")
                    results.append(Comparison(f"{name}/{rel}", 1, 0, False, []))
                    continue
                result = compare_pdfs(f"{name}/{rel}", before, after,
                                      scratch / name / "png" / rel.with_suffix(""), args.dpi)
                results.append(result)
                print(result.line(), flush=True)
        pages = sum(r.pages_after for r in results)
        identical = sum(r.pages_after - len(r.differing) for r in results if r.pages_before == r.pages_after)
        print(f"{len(results)} PDFs, {pages} pages: {identical} visually identical "
              f"({sum(r.identical_bytes for r in results)} PDFs byte-identical), "
              f"{sum(not r.same for r in results)} PDFs differ")
        return 0 if all(r.same for r in results) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
