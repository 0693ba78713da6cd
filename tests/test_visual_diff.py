"""The page comparison behind `make visual-diff` (tests/visual_diff.py) sees what differs."""

from __future__ import annotations

import shutil

import pytest
from visual_diff import compare_pdfs

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")


def _pdf(tmp_path, name: str, *pages: str):
    from weasyprint import HTML

    body = "".join(f'<p style="break-before: page; font-size: 40pt">{text}</p>' for text in pages)
    path = tmp_path / f"{name}.pdf"
    HTML(string=f"<html><body>{body}</body></html>").write_pdf(path)
    return path


def test_same_bytes_same_pages_and_different_pages(tmp_path):
    one = _pdf(tmp_path, "one", "alpha", "beta")
    same = compare_pdfs("one", one, one, tmp_path / "a", dpi=30)
    assert same.same and same.identical_bytes and same.pages_after == 2

    changed = compare_pdfs("changed", one, _pdf(tmp_path, "two", "alpha", "gamma"), tmp_path / "b", dpi=30)
    assert not changed.same
    assert [d.page for d in changed.differing] == [2]
    assert changed.differing[0].pixels > 0 and "1 of 2 pages DIFFER: p. 2" in changed.line()

    shorter = compare_pdfs("shorter", one, _pdf(tmp_path, "three", "alpha"), tmp_path / "c", dpi=30)
    assert not shorter.same and "page count" in shorter.line()
