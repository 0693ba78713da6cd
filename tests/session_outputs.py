"""What the session's fixtures are made with (tests/conftest.py): outputs shared by every
module and xdist worker, a CLI build, and one LibreOffice for the session.

A plain module, so test modules may import it (`from session_outputs import ...`) as
they import preview_support; conftest.py holds the fixtures.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The Python that has LibreOffice's UNO bridge (Debian's python3-uno), as for `pipeline release`.
UNO_PYTHON = os.environ.get("PIPELINE_UNO_PYTHON", "/usr/bin/python3")


class Shared:
    """Folders and files made once per test session, shared by modules and xdist workers."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        with open(self.root / f"{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            yield

    def folder(self, name: str, make: Callable[[Path], None]) -> Path:
        """The folder `name`, filled by `make(folder)` by the first worker that asks.

        If `make` fails, nothing is marked done: the next test that asks tries again
        (and fails with the same message), so a broken build fails every test using it.
        """
        target, done = self.root / name, self.root / f"{name}.done"
        with self._lock(name):
            if not done.exists():
                if target.exists():
                    shutil.rmtree(target)
                target.mkdir(parents=True)
                make(target)
                done.touch()
        return target

    def data(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The bytes `make()` returns, made once per session (e.g. one rendered document)."""
        path = self.root / "data" / name
        with self._lock(f"data-{name}"):
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                part = path.with_name(path.name + ".part")
                part.write_bytes(make())
                part.rename(path)
        return path.read_bytes()


def cli_build(content: Path, build_dir: Path, *args: str) -> None:
    """`pipeline --content C --build-dir B build ARGS`; fails the test on a non-zero exit."""
    result = CliRunner().invoke(cli, ["--content", str(content), "--build-dir", str(build_dir), "build", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


class LibreOffice:
    """One headless LibreOffice for the whole session, converting DOCX to PDF on request
    (tests/lo_convert.py, under the system Python that has python3-uno)."""

    def __init__(self, profile: Path):
        self.proc = subprocess.Popen([UNO_PYTHON, str(Path(__file__).parent / "lo_convert.py"), str(profile)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def convert(self, files: list[Path], outdir: Path) -> list[Path]:
        """Each file as LibreOffice lays it out and exports it: `outdir/<stem>.pdf`."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"files": [str(path) for path in files], "outdir": str(outdir)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"LibreOffice stopped (exit status {self.proc.poll()})"
        answer = json.loads(line)
        assert answer.get("ok"), answer.get("error")
        return [outdir / (path.stem + ".pdf") for path in files]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
