"""WeasyPrint imported with its C libraries found without compiling anything.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several
names for each library. For a name that is not a file name, cffi asks
`ctypes.util.find_library`, which on Linux reads `ldconfig -p` and, when that does not
know the name, links a test program with gcc and ld to see what they find. One import
of WeasyPrint ran ldconfig 22 times and gcc 16 times: 0.15 s of processor time and
0.18 s of waiting, paid by every build worker and every command that renders a PDF
(about a hundred times in the test suite).

While WeasyPrint is imported, `load()` answers `find_library` from `ldconfig -p` alone,
once per name. The libraries loaded are the same: a name ldconfig knows gives the same
answer as before, and a name it does not know then fails at once instead of after gcc;
each of WeasyPrint's lists ends with the library's file name (`libpango-1.0.so.0`),
which the dynamic loader finds where it always looks (its cache, `LD_LIBRARY_PATH`).
Elsewhere than on Linux, or with a `ctypes` without the ldconfig reader, WeasyPrint is
imported as it is.
"""

from __future__ import annotations

import sys
from functools import cache
from types import ModuleType


def load() -> ModuleType:
    """The `weasyprint` module, imported on first use (see the module's docstring)."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    by_ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or by_ldconfig is None:
        import weasyprint

        return weasyprint
    real = ctypes.util.find_library
    ctypes.util.find_library = cache(by_ldconfig)
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = real
    return weasyprint
