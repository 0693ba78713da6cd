"""What the session's fixtures are made with (tests/conftest.py): outputs shared by every
module and xdist worker, a CLI build, one LibreOffice converter and the office the
session's releases lay their DOCX out in.

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


# The cores the test run was given, before `keep_to_one_core` (a comma-separated list).
ALL_CORES_ENV = "PIPELINE_TESTS_ALL_CORES"


def keep_to_one_core() -> None:
    """Keep this xdist worker, and every process it starts, to one core: worker gwN on
    the Nth core the run may use, when there are at least as many workers as cores.

    The pipeline sizes its render pools by the cores it may use (`default_workers`), so
    on two cores each of the two workers' builds started two renderers of its own: four
    to six processes, each importing WeasyPrint, took turns on two cores. Kept to one
    core, a build the tests start renders with one worker (tests that ask for `--jobs 2`
    still get two), the suite needs 7 % less CPU, and the system time of the processes
    it starts falls by a quarter (docs/testing.md). Outside xdist, or with fewer workers
    than cores, nothing changes.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if not (worker.startswith("gw") and hasattr(os, "sched_setaffinity")):
        return
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2 or count < len(cores):
        return
    os.environ.setdefault(ALL_CORES_ENV, ",".join(map(str, cores)))
    os.sched_setaffinity(0, {cores[int(worker[2:]) % len(cores)]})


def all_cores() -> set[int]:
    """The cores the test run was given (for a process that should run as a user runs
    it, on every core, such as `pipeline preview`)."""
    saved = os.environ.get(ALL_CORES_ENV)
    return {int(core) for core in saved.split(",")} if saved else set(os.sched_getaffinity(0))


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


def office_command(profile: Path, pipe: str) -> list[str]:
    """A headless LibreOffice with its own profile, listening on `pipe` (as
    pipeline/release/lo_layout.py starts one, which cannot import this)."""
    return ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
            f"-env:UserInstallation={profile.resolve().as_uri()}", f"--accept=pipe,name={pipe};urp;"]


class SessionOffice:
    """One LibreOffice per test process, left running for every release's layout probe and
    the DOCX converter, which find it through `PIPELINE_OFFICE` as a release desk would
    (docs/releasing.md). Started by the first test that needs it (`needs_office`); until
    then, and where LibreOffice is missing, each starts its own as it always does.

    Starting LibreOffice costs about 1.5 s of CPU, and the suite lays DOCX files out in it
    a dozen times. It runs in a process group that dies with this process, however that
    ends (`pipeline.engine.lifeline.group_guard`)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.guard: subprocess.Popen | None = None
        self.office: subprocess.Popen | None = None

    def start(self) -> None:
        if self.guard is not None or shutil.which("soffice") is None or not Path(UNO_PYTHON).exists():
            return
        from pipeline.engine.lifeline import group_guard

        name = f"pytest_office_{os.getpid()}"
        self.guard = group_guard()
        self.office = subprocess.Popen(office_command(self.folder / "profile", name), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, process_group=self.guard.pid)
        os.environ["PIPELINE_OFFICE"] = f"pipe,name={name}"  # the probe waits while it starts

    def stop(self) -> None:
        if self.guard is None:
            return
        os.environ.pop("PIPELINE_OFFICE", None)
        assert self.guard.stdin is not None
        self.guard.stdin.close()  # the guard kills the office's whole group
        self.guard.wait()
        if self.office is not None:
            self.office.wait()
        self.guard = self.office = None


@contextmanager
def without_session_office() -> Iterator[None]:
    """Run a release as it runs by default, starting a LibreOffice of its own."""
    named = os.environ.pop("PIPELINE_OFFICE", None)
    try:
        yield
    finally:
        if named is not None:
            os.environ["PIPELINE_OFFICE"] = named


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
