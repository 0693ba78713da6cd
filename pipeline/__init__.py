"""Publishing pipeline for multilingual crime-area briefings (factsheets and handbook)."""

from __future__ import annotations

from functools import cache

# The distribution's name on PyPI-style indexes and in the installed metadata.
DISTRIBUTION = "briefings-pipeline"
# The version of this source tree: the build copies it into the package metadata
# (pyproject.toml, `dynamic = ["version"]`); installed code reports the metadata's.
SOURCE_VERSION = "0.1.0"


@cache
def version() -> str:
    """The installed distribution's version, or the source's in a bare checkout.

    Looked up on first use, not at import: `importlib.metadata` costs a few tens of
    milliseconds that `pipeline --help` and the render workers need not pay.
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return SOURCE_VERSION


def producer() -> str:
    """How the documents name the tool that made them (PDF Creator, DOCX Application)."""
    return f"{DISTRIBUTION} {version()}"


def __getattr__(name: str) -> str:
    # `pipeline.__version__` stays available, computed lazily like `version()`.
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
