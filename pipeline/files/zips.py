"""Zip files whose bytes depend on their entries only: fixed order, timestamps and
attributes, so the same files always give the same archive (DOCX packages, release
bundles)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable


def zip_time(date: dt.date) -> tuple[int, int, int, int, int, int]:
    """Midnight of `date` as a zip timestamp (zip cannot store dates before 1980)."""
    date = max(date, dt.date(1980, 1, 1))
    return (date.year, date.month, date.day, 0, 0, 0)


def write_zip(entries: Iterable[tuple[str, bytes]], date: dt.date) -> bytes:
    """A deflated zip of `entries` (name, data) in the order given, all stamped `date`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, payload in entries:
            info = zipfile.ZipInfo(name, date_time=zip_time(date))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
