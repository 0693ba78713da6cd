"""Read a zip archive from outside the project (a DOCX sent back by a reviewer) without its dangers.

Nothing is ever extracted to disk: entries are read into memory, by name, each through
a cap on the bytes actually inflated (the sizes a zip declares can lie). Refused, with
`RefusedZip` (the caller turns it into its own one-line message):

- a file that is not a zip, too large, or with too many entries;
- an entry whose name could point outside a folder if anyone extracted it (`../`,
  an absolute path, a drive letter, a backslash) or that appears twice;
- an encrypted entry;
- a zip bomb: an entry larger than `max_entry` once inflated, one inflating more than
  `max_ratio` times its stored size, or reads adding up to more than `max_total`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
# A DOCX of ours is under 5 MB with its pictures; a reviewer's copy may be larger.
MAX_FILE = 200 * MB
MAX_ENTRIES = 5000
MAX_ENTRY = 64 * MB
MAX_TOTAL = 256 * MB
# XML deflates about 10:1, our parts up to 60:1 (styles.xml); a bomb is ~1000:1.
MAX_RATIO = 200
# Below this size a high ratio is harmless (an empty part compresses very well).
RATIO_FLOOR = MB

_UNSAFE_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|\\|^[A-Za-z]:|\x00")


class RefusedZip(Exception):
    """Why an archive was refused, in words fit for a one-line message."""


@dataclass
class Limits:
    max_file: int = MAX_FILE
    max_entries: int = MAX_ENTRIES
    max_entry: int = MAX_ENTRY
    max_total: int = MAX_TOTAL
    max_ratio: int = MAX_RATIO


class SafeZip:
    """An archive opened for reading entries into memory, within `limits`."""

    def __init__(self, path: Path, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.read_total = 0
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise RefusedZip(f"cannot read it: {exc.strerror}") from None
        if size > self.limits.max_file:
            raise RefusedZip(f"it is {size // MB} MB, more than the {self.limits.max_file // MB} MB allowed")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise RefusedZip("it is not a zip package (a DOCX is one)") from None
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise RefusedZip(f"it has {len(infos)} entries, more than the {self.limits.max_entries} allowed")
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if _UNSAFE_NAME.search(info.filename):
                raise RefusedZip(f"entry {info.filename!r} has a name that points outside the package")
            if info.filename in self.entries:
                raise RefusedZip(f"entry {info.filename!r} is in it twice")
            if info.flag_bits & 0x1:
                raise RefusedZip(f"entry {info.filename!r} is encrypted")
            self.entries[info.filename] = info

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def read(self, name: str) -> bytes:
        """The inflated bytes of entry `name`; RefusedZip past any limit."""
        info = self.entries[name]
        limit = min(self.limits.max_entry, self.limits.max_total - self.read_total)
        if info.file_size > limit:
            raise RefusedZip(f"entry {name!r} inflates to {info.file_size} bytes, more than allowed")
        try:
            with self.zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise RefusedZip(f"entry {name!r} cannot be read: {exc}") from None
        if len(data) > limit:
            raise RefusedZip(f"entry {name!r} inflates to more than {limit} bytes (a zip bomb?)")
        if len(data) > RATIO_FLOOR and len(data) > self.limits.max_ratio * max(info.compress_size, 1):
            raise RefusedZip(f"entry {name!r} inflates {len(data) // max(info.compress_size, 1)} times "
                             f"its size (a zip bomb?)")
        self.read_total += len(data)
        return data

    def close(self) -> None:
        self.zip.close()
