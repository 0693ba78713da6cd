"""Compress each large PDF stream once per process, into the bytes zlib would give.

pydyf, WeasyPrint's PDF writer, compresses a stream each time it is asked for the
stream's bytes, and a file with an identifier (ours: the /ID is a digest of the file's
objects, so that the same document gives the same bytes) asks twice: once to hash the
objects, once to write them. At level 9 the print files' CMYK output-intent profile
(FOGRA39, 155 KB that compress poorly) took 0.2 s each time: 0.4 s of a print
factsheet's 0.56 s, for the same 155 KB in every print file.

What zlib writes is a function of what it is given and its settings, so the compressed
bytes of a large input are kept, keyed by a digest of the input and the settings: the
profile is compressed once per worker process, and every file comes out byte for byte as
before (`tests/test_pdf_compress.py` compares with zlib itself).

`remembered()` gives pydyf this module's `zlib` for the length of one render (renders
are serialised by `pipeline.render.pdf`); anything pydyf uses besides `compressobj`
is zlib's own. If pydyf stops using `zlib.compressobj`, nothing is remembered and
nothing else changes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Inputs smaller than this are compressed each time: hashing would cost about as much.
MIN_SIZE = 16 * 1024
# What is kept, at most (compressed bytes): the print profile is 134 KB, a handbook's
# fonts a few hundred KB; older entries go first.
MAX_KEPT = 16 * 1024 * 1024

_kept: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_kept_size = 0


class _Remembering:
    """A `zlib.compressobj` stand-in: collects the input, and on `flush` returns all of
    the compressed output (what the real object's `compress` and `flush` would give
    together), from what is kept when it can."""

    def __init__(self, settings: tuple[Any, ...]) -> None:
        self.settings = settings
        self.chunks: list[bytes] = []

    def compress(self, data: bytes) -> bytes:
        self.chunks.append(bytes(data))
        return b""

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        if mode != zlib.Z_FINISH:
            raise ValueError("only a finishing flush is supported")
        data = b"".join(self.chunks)
        self.chunks = []
        if len(data) < MIN_SIZE:
            return _compress(data, self.settings)
        key = (self.settings, hashlib.blake2b(data, digest_size=32).digest(), len(data))
        found = _kept.get(key)
        if found is None:
            found = _compress(data, self.settings)
            _keep(key, found)
        else:
            _kept.move_to_end(key)
        return found


def _compress(data: bytes, settings: tuple[Any, ...]) -> bytes:
    args, kwargs = settings[0], dict(settings[1])
    compressor = zlib.compressobj(*args, **kwargs)
    return compressor.compress(data) + compressor.flush()


def _keep(key: tuple[Any, ...], compressed: bytes) -> None:
    global _kept_size
    _kept[key] = compressed
    _kept_size += len(compressed)
    while _kept_size > MAX_KEPT and len(_kept) > 1:
        _, dropped = _kept.popitem(last=False)
        _kept_size -= len(dropped)


class _Zlib:
    """zlib as pydyf sees it during a render: `compressobj` remembers, the rest is zlib."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(*args: Any, **kwargs: Any) -> _Remembering:
        return _Remembering((args, tuple(sorted(kwargs.items()))))


@contextmanager
def remembered() -> Iterator[None]:
    """pydyf compresses through `_Zlib` inside (one render at a time)."""
    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib:
        yield  # not the pydyf this was written for: compress as it does
        return
    pydyf.zlib = _Zlib()
    try:
        yield
    finally:
        pydyf.zlib = zlib
