"""Lay DOCX files out in LibreOffice and report where things fell: run by Debian's python3.

    /usr/bin/python3 lo_layout.py REPORT.json PROFILE_DIR FILE.docx [FILE.docx ...]

For each file (opened read-only and hidden, never saved) the report gives:

* `pages`: the number of pages;
* `bookmarks`: the page each visible bookmark starts on, as LibreOffice lays the file out;
* `toc` and `pagerefs`: after LibreOffice itself updated every index and field, the
  page number at the end of each table-of-contents line and the result of each
  cross-reference field, in document order (what a reader who presses "update all"
  would see).

This script runs outside the project's virtual environment (python3-uno belongs to the
system Python), so it imports nothing from `pipeline`; `pipeline.release.docx_pages` runs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]  # python3-uno, Debian's python3 only
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

CONNECT_SECONDS = 60


def _props(**values) -> tuple:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _start(profile: Path) -> tuple[subprocess.Popen, object]:
    pipe = f"pipeline_lo_{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={profile.resolve().as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"LibreOffice did not start (exit status {office.returncode})") from None
            time.sleep(0.2)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return office, desktop


def _measure(desktop, path: Path) -> dict:
    doc = desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0,
                                       _props(Hidden=True, ReadOnly=True, UpdateDocMode=0))
    try:
        cursor = doc.getCurrentController().getViewCursor()
        bookmarks = {}
        marks = doc.getBookmarks()
        for name in marks.getElementNames():
            if name.startswith("_"):  # hidden: the review anchors (pipeline.render.docx_anchors), Word's own
                continue
            cursor.gotoRange(marks.getByName(name).getAnchor().getStart(), False)
            bookmarks[name] = cursor.getPage()
        cursor.jumpToLastPage()
        pages = cursor.getPage()
        # Now what "update all" shows: every index, then every field.
        indexes = doc.getDocumentIndexes()
        toc = []
        for i in range(indexes.getCount()):
            index = indexes.getByIndex(i)
            index.update()
            enum = index.getAnchor().createEnumeration()
            while enum.hasMoreElements():
                text = enum.nextElement().getString()
                if "\t" in text:
                    toc.append([text.rsplit("\t", 1)[0], text.rsplit("\t", 1)[1]])
        doc.getTextFields().refresh()
        pagerefs = []
        fields = doc.getTextFields().createEnumeration()
        while fields.hasMoreElements():
            field = fields.nextElement()
            if field.supportsService("com.sun.star.text.TextField.GetReference"):
                pagerefs.append([field.SourceName, field.getPresentation(False)])
        return {"pages": pages, "bookmarks": bookmarks, "toc": toc, "pagerefs": pagerefs}
    finally:
        doc.close(True)


def main(argv: list[str]) -> None:
    report, profile, files = Path(argv[1]), Path(argv[2]), [Path(a) for a in argv[3:]]
    office, desktop = _start(profile)
    try:
        result = {str(path): _measure(desktop, path) for path in files}
    finally:
        with contextlib.suppress(Exception):  # the office may already be gone; wait for it below
            desktop.terminate()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
    report.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
