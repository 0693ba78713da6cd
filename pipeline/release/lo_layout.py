"""Lay DOCX files out in LibreOffice and report where things fell: run by Debian's python3.

    /usr/bin/python3 lo_layout.py REPORT.json PROFILE_DIR FILE.docx [FILE.docx ...]

For each file (opened read-only and hidden, never saved) the report gives:

* `pages`: the number of pages;
* `bookmarks`: the page each visible bookmark starts on, as LibreOffice lays the file out;
* `toc` and `pagerefs`: after LibreOffice itself updated every index and field, the
  page number at the end of each table-of-contents line and the result of each
  cross-reference field, in document order (what a reader who presses "update all"
  would see).

LibreOffice is started for the run and ended after it (a few seconds), unless
`PIPELINE_OFFICE` names one already running, as a UNO connection (`pipe,name=NAME` or
`socket,host=localhost,port=N`, what that office was given as `--accept=...;urp;`): then
the files are laid out there and the office is left running, for the next release.

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
from collections.abc import Callable
from pathlib import Path

import uno  # type: ignore[import-not-found]  # python3-uno, Debian's python3 only
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import (  # type: ignore[import-not-found]
    ConnectionSetupException,
    NoConnectException,
)

CONNECT_SECONDS = 60
NAMED_CONNECT_SECONDS = 20


def _props(**values) -> tuple:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def open_office(profile: Path) -> tuple[subprocess.Popen | None, object]:
    """The office to work in and its desktop: the one `PIPELINE_OFFICE` names (no
    process of ours: leave it running), or one started now with `profile` (end it)."""
    connection = os.environ.get("PIPELINE_OFFICE", "").strip()
    if not connection:
        return _start(profile)
    hint = f'start one with: soffice --headless --invisible --norestore "--accept={connection};urp;"'
    # Asked for a while (an office started just before may not answer yet), not as long
    # as one of our own: nothing tells whether it is still starting.
    return None, _desktop(connection, lambda: f"no LibreOffice answers at PIPELINE_OFFICE={connection} ({hint})",
                          seconds=NAMED_CONNECT_SECONDS)


def _start(profile: Path) -> tuple[subprocess.Popen, object]:
    pipe = f"pipeline_lo_{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={profile.resolve().as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def failed() -> str:
        return f"LibreOffice did not start (exit status {office.returncode})"

    return office, _desktop(f"pipe,name={pipe}", failed, alive=lambda: office.poll() is None)


def _desktop(connection: str, failed: Callable[[], str], alive: Callable[[], bool] = lambda: True,
             seconds: float = CONNECT_SECONDS) -> object:
    """The desktop of the office at `connection`, asked again while it is still starting."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            context = resolver.resolve(f"uno:{connection};urp;StarOffice.ComponentContext")
            break
        except ConnectionSetupException:
            raise SystemExit(f"{connection} is not a UNO connection: write it as pipe,name=NAME or "
                             "socket,host=HOST,port=PORT") from None
        except NoConnectException:
            if not alive() or time.monotonic() > deadline:
                raise SystemExit(failed()) from None
            time.sleep(0.2)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


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
    office, desktop = open_office(profile)
    try:
        result = {str(path): _measure(desktop, path) for path in files}
    finally:
        if office is not None:
            close_office(office, desktop)
    report.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


def close_office(office: subprocess.Popen, desktop) -> None:
    """End an office this script started."""
    with contextlib.suppress(Exception):  # the office may already be gone; wait for it below
        desktop.terminate()
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()


if __name__ == "__main__":
    main(sys.argv)
