"""Large PDF streams are compressed once per process (pipeline.render.pdf_compress),
and what is written is what zlib itself writes."""

from __future__ import annotations

import contextlib
import random
import zlib
from pathlib import Path

import pydyf
import pytest

from pipeline.content import model
from pipeline.content.project import load_project
from pipeline.render import pdf as pdf_renderer
from pipeline.render import pdf_compress
from pipeline.render.compose import compose_factsheet

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"


def compressed(shim, data: bytes, **settings) -> bytes:
    """As pydyf does it: compress, then flush."""
    compressor = shim.compressobj(**settings)
    return compressor.compress(data) + compressor.flush()


def incompressible(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("size", [0, 10, pdf_compress.MIN_SIZE - 1, pdf_compress.MIN_SIZE, 200_000])
@pytest.mark.parametrize("level", [6, 9])
def test_the_bytes_are_zlibs(size, level):
    data = (incompressible(size // 2) + b"stream " * size)[:size]
    assert compressed(pdf_compress._Zlib(), data, level=level) == compressed(zlib, data, level=level)
    # Again, now from what was kept.
    assert compressed(pdf_compress._Zlib(), data, level=level) == compressed(zlib, data, level=level)


def test_a_large_input_is_compressed_once_and_settings_and_content_keep_entries_apart(monkeypatch):
    calls = []
    real = pdf_compress._compress
    monkeypatch.setattr(pdf_compress, "_compress", lambda data, settings: calls.append(len(data)) or
                        real(data, settings))
    monkeypatch.setattr(pdf_compress, "_kept", type(pdf_compress._kept)())
    shim = pdf_compress._Zlib()
    big, other = incompressible(100_000, 2), incompressible(100_000, 3)
    for _ in range(3):
        compressed(shim, big, level=9)
    assert calls == [100_000]
    compressed(shim, big, level=6)
    compressed(shim, other, level=9)
    compressed(shim, b"small", level=9)
    compressed(shim, b"small", level=9)
    assert calls == [100_000, 100_000, 100_000, 5, 5]


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf_compress, "_kept", type(pdf_compress._kept)())
    monkeypatch.setattr(pdf_compress, "_kept_size", 0)
    monkeypatch.setattr(pdf_compress, "MAX_KEPT", 250_000)
    for seed in range(5):
        compressed(pdf_compress._Zlib(), incompressible(100_000, seed), level=9)
    assert len(pdf_compress._kept) == 2
    assert pdf_compress._kept_size == sum(len(value) for value in pdf_compress._kept.values()) <= 250_000


def test_only_a_finishing_flush():
    compressor = pdf_compress._Zlib().compressobj(level=9)
    compressor.compress(b"data")
    with pytest.raises(ValueError):
        compressor.flush(zlib.Z_SYNC_FLUSH)


def test_a_print_pdf_is_byte_for_byte_what_pydyf_alone_writes(monkeypatch):
    """A print factsheet (which embeds the CMYK profile) rendered with pydyf's own
    compression, then twice with the kept streams: the same bytes; and pydyf has zlib
    back after each render."""
    monkeypatch.setattr(pdf_compress, "_kept", type(pdf_compress._kept)())
    project = load_project(FIXTURE)
    doc = compose_factsheet(project, "en", project.topic_ids[0], model.Layout().for_variant("print"))
    with monkeypatch.context() as patched:
        patched.setattr(pdf_compress, "remembered", contextlib.nullcontext)
        alone = pdf_renderer.render_pdf(doc)
    assert not pdf_compress._kept
    first, second = pdf_renderer.render_pdf(doc), pdf_renderer.render_pdf(doc)
    assert pdf_compress._kept, "the profile was not kept"
    assert first == alone and second == alone
    assert pydyf.zlib is zlib
