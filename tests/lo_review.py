"""Review a DOCX in LibreOffice Writer as a person would, with change recording on: run by Debian's python3.

    /usr/bin/python3 lo_review.py edit PIPE JOB.json   open, edit, save as DOCX (see below)
    /usr/bin/python3 lo_review.py stop PIPE            end the office listening on PIPE

The office is started once per test session by tests/test_review_lo.py (`soffice
--headless --accept=pipe,name=PIPE`); each edit connects to it.

JOB.json: {"source": ..., "target": ..., "author": "Ann Reviewer", "record": true, "edits": [...]}
where each edit finds the first paragraph containing `in` and, in it:
  {"op": "insert", "in": ..., "before": TEXT, "text": NEW}   types NEW before TEXT
  {"op": "append", "in": ..., "text": NEW}                   types NEW at the paragraph's end
  {"op": "delete", "in": ..., "text": TEXT}                  deletes TEXT
  {"op": "replace", "in": ..., "text": TEXT, "with": NEW}    selects TEXT and types NEW over it
  {"op": "comment", "in": ..., "text": TEXT, "note": NOTE, "date": "2026-11-30T10:15:00"}
                                                             comments TEXT as `author`

The document is loaded as a model without a view (`XLoadable.load`): with a view,
headless LibreOffice 7.4 from Debian's -nogui packages aborts when it lays out a comment
(the comment window's UI definition is not installed), so a comment inserted through UNO
could never be saved. Without a view nothing is laid out, and Writer records and saves
tracked changes and comments exactly as with one.

Runs outside the project's virtual environment (python3-uno belongs to the system
Python) and imports nothing from `pipeline`.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.util import DateTime  # type: ignore[import-not-found]

CONNECT_SECONDS = 60
# The project's own UNO helpers (lo_layout.py imports nothing from `pipeline` either).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pipeline" / "release"))
from lo_layout import _props  # noqa: E402


def _connect(pipe: str, wait: float = CONNECT_SECONDS):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + wait
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise SystemExit(f"no office on pipe {pipe}") from None
            time.sleep(0.2)


def _set_author(context, author: str) -> None:
    """Tracked changes are signed with the user profile's name."""
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  _props(nodepath="/org.openoffice.UserProfile/Data"))
    given, _, family = author.partition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def _paragraphs(text) -> list:
    found, enum = [], text.createEnumeration()
    while enum.hasMoreElements():
        element = enum.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            found.append(element)
        elif element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():
                found += _paragraphs(element.getCellByName(name).getText())
    return found


def _select(text, paragraph, target: str):
    """A cursor selecting the first `target` in `paragraph`."""
    whole = paragraph.getString()
    if target not in whole:
        raise SystemExit(f"{target!r} not in {whole!r}")
    cursor = text.createTextCursorByRange(paragraph.getStart())
    cursor.goRight(whole.index(target), False)
    cursor.goRight(len(target), True)
    return cursor


def _edit(doc, edit: dict, author: str) -> None:
    text = doc.getText()
    paragraph = next((p for p in _paragraphs(text) if edit["in"] in p.getString()), None)
    if paragraph is None:
        raise SystemExit(f"no paragraph with {edit['in']!r}")
    text = paragraph.getText()
    op = edit["op"]
    if op == "insert":
        cursor = _select(text, paragraph, edit["before"])
        cursor.collapseToStart()
        text.insertString(cursor, edit["text"], False)
    elif op == "append":
        text.insertString(text.createTextCursorByRange(paragraph.getEnd()), edit["text"], False)
    elif op == "delete":
        _select(text, paragraph, edit["text"]).setString("")
    elif op == "replace":
        _select(text, paragraph, edit["text"]).setString(edit["with"])
    elif op == "comment":
        note = doc.createInstance("com.sun.star.text.textfield.Annotation")
        note.Author = author
        note.Content = edit["note"]
        stamp = DateTime()
        date, clock = edit["date"].split("T")
        stamp.Year, stamp.Month, stamp.Day = (int(x) for x in date.split("-"))
        stamp.Hours, stamp.Minutes, stamp.Seconds = (int(x) for x in clock.split(":"))
        note.DateTimeValue = stamp
        text.insertTextContent(_select(text, paragraph, edit["text"]), note, True)
    else:
        raise SystemExit(f"unknown edit {op!r}")


def edit(pipe: str, job_path: Path) -> None:
    job = json.loads(job_path.read_text(encoding="utf-8"))
    context = _connect(pipe)
    _set_author(context, job.get("author", "Ann Reviewer"))
    doc = context.ServiceManager.createInstanceWithContext("com.sun.star.text.TextDocument", context)
    doc.load(_props(URL=Path(job["source"]).resolve().as_uri(), FilterName="MS Word 2007 XML"))
    try:
        doc.setPropertyValue("RecordChanges", bool(job.get("record", True)))
        for change in job.get("edits", []):
            _edit(doc, change, job.get("author", "Ann Reviewer"))
        doc.storeToURL(Path(job["target"]).resolve().as_uri(), _props(FilterName="MS Word 2007 XML"))
    finally:
        doc.close(True)


def stop(pipe: str) -> None:
    context = _connect(pipe, wait=5)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    with contextlib.suppress(Exception):  # the bridge closes as the office exits
        desktop.terminate()


if __name__ == "__main__":
    command, pipe = sys.argv[1], sys.argv[2]
    if command == "edit":
        edit(pipe, Path(sys.argv[3]))
    elif command == "stop":
        stop(pipe)
