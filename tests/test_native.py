"""WeasyPrint imported without gcc probing for its C libraries (pipeline.render.native),
and with the very same libraries loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

# Run in a fresh interpreter: records the commands run during the import and the shared
# libraries of WeasyPrint's kind mapped afterwards.
PROBE = """
import json, subprocess, sys
commands = []
real_popen = subprocess.Popen
class Recording(real_popen):
    def __init__(self, args, *rest, **kwargs):
        commands.append(args if isinstance(args, str) else list(map(str, args)))
        super().__init__(args, *rest, **kwargs)
subprocess.Popen = Recording
import ctypes.util
before = ctypes.util.find_library
if sys.argv[1] == "native":
    from pipeline.render import native
    module = native.load()
else:
    import weasyprint as module
assert module.__name__ == "weasyprint"
words = ("pango", "harfbuzz", "fontconfig", "gobject", "glib")
with open("/proc/self/maps") as maps:
    libraries = sorted({line.split()[-1] for line in maps if ".so" in line
                        and any(word in line.rsplit("/", 1)[-1] for word in words)})
print(json.dumps({"commands": commands, "libraries": libraries,
                  "restored": ctypes.util.find_library is before}))
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the speed-up is Linux's")


def probe(how: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, how], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def programs(commands: list) -> set[str]:
    return {(command if isinstance(command, str) else command[0]).rsplit("/", 1)[-1] for command in commands}


@pytest.mark.slow  # two fresh interpreters importing WeasyPrint
def test_the_same_libraries_without_gcc():
    plain, native = probe("plain"), probe("native")
    if shutil.which("gcc") or shutil.which("ld"):
        # What the speed-up is for: WeasyPrint's own import links test programs.
        assert programs(plain["commands"]) & {"gcc", "ld"}, plain["commands"]
    assert programs(native["commands"]) <= {"ldconfig"}, native["commands"]
    assert native["libraries"] == plain["libraries"]
    assert any("libpango-1.0" in path for path in native["libraries"])
    assert native["restored"]


def test_a_second_load_is_the_imported_module():
    from pipeline.render import native

    assert native.load() is native.load() is sys.modules["weasyprint"]
