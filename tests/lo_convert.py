"""One headless LibreOffice that converts DOCX files to PDF on request, for the tests.

    /usr/bin/python3 tests/lo_convert.py PROFILE_DIR

Run by the `libreoffice` session fixture (tests/conftest.py) under Debian's python3,
which has python3-uno. It works in the office `PIPELINE_OFFICE` names (the session's,
tests/session_outputs.py) or starts one (as `pipeline release` does, through
pipeline/release/lo_layout.py), then reads one JSON request a line on standard input,
`{"files": [...], "outdir": "..."}`, converts each file as `soffice --convert-to pdf`
would (Writer's PDF export, default settings) into `outdir/<stem>.pdf`, and answers one
JSON line, `{"ok": true}` or `{"error": "..."}`. End of input ends the office it started.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The office start-up and property helpers of the release's layout probe (same system
# Python, no pipeline imports): one way to start LibreOffice in the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pipeline" / "release"))
from lo_layout import _props, close_office, open_office


def convert(desktop, source: Path, outdir: Path) -> None:
    doc = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0, _props(Hidden=True, ReadOnly=True))
    try:
        target = (outdir / (source.stem + ".pdf")).resolve()
        doc.storeToURL(target.as_uri(), _props(FilterName="writer_pdf_Export"))
    finally:
        doc.close(True)


def main(profile: Path) -> None:
    office, desktop = open_office(profile)  # the session's office when PIPELINE_OFFICE names one
    try:
        for line in sys.stdin:
            request = json.loads(line)
            outdir = Path(request["outdir"])
            outdir.mkdir(parents=True, exist_ok=True)
            try:
                for name in request["files"]:
                    convert(desktop, Path(name), outdir)
                answer: dict = {"ok": True}
            except Exception as exc:  # report it to the test, keep serving
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)
    finally:
        if office is not None:
            close_office(office, desktop)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
