"""Drive `pipeline preview` from outside, as a user does: a subprocess, HTTP, and a real browser.

Shared by the browser tests (test_preview.py), the benchmark (bench_preview.py) and
the README screenshot (screenshot_preview.py).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from session_outputs import all_cores

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
URL_LINE = re.compile(r"at (http://127\.0\.0\.1:(\d+)/)")


class PreviewProcess:
    """`pipeline --content DIR preview ARGS --port 0` in its own process group (like a terminal)."""

    def __init__(self, content: Path, *args: str, tmpdir: Path | None = None, cwd: Path = ROOT,
                 start_timeout: float = 120, sigint_ignored: bool = False):
        env = dict(os.environ)
        if tmpdir is not None:
            env["TMPDIR"] = str(tmpdir)  # where the session's temporary folder goes
        cores = all_cores()

        def as_a_user_starts_it() -> None:
            # On every core, as from a terminal (a test process keeps to one: conftest.py),
            # so the preview sizes its render workers as it would for the user.
            os.sched_setaffinity(0, cores)
            if sigint_ignored:
                # As a shell without job control starts a background command (`pipeline preview &`).
                signal.signal(signal.SIGINT, signal.SIG_IGN)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "--content", str(content), "preview", *args, "--port", "0"],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=as_a_user_starts_it)
        self.first_line = self._read_line(start_timeout)
        match = URL_LINE.search(self.first_line)
        if match is None:
            self.kill()
            raise RuntimeError(f"preview did not start: {self.first_line!r} {self.proc.stderr.read()!r}")
        self.url, self.port = match[1], int(match[2])

    def _read_line(self, timeout: float) -> str:
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.kill()
                raise RuntimeError("preview printed no URL in time")
        return self.proc.stdout.readline().decode()

    # --- HTTP, with the path sent exactly as given (no client-side normalisation) --------

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        status, body = self.get("/state.json")
        assert status == 200
        return json.loads(body)

    def wait_state(self, ready: Callable[[dict[str, Any]], bool], timeout: float = 120) -> dict[str, Any]:
        """Poll the state until `ready(state)`; the state it accepted."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if ready(state):
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"preview state not reached in {timeout} s: {state}")
            time.sleep(0.1)

    @contextlib.contextmanager
    def events(self) -> Iterator[Iterator[int]]:
        """The server-sent event stream, as an iterator of revision numbers."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", "/events")
        response = conn.getresponse()

        def revisions() -> Iterator[int]:
            while True:
                line = response.readline()
                if not line:
                    return
                if line.startswith(b"data: "):
                    yield int(line[6:])

        try:
            yield revisions()
        finally:
            conn.close()

    # --- processes ------------------------------------------------------------------------

    def descendants(self) -> set[int]:
        """Every process started by the preview (workers, helpers, pdftoppm), from /proc."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = set(), [self.proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.add(child)
                todo.append(child)
        return found

    def interrupt(self, timeout: float = 60) -> tuple[int, str, str]:
        """Ctrl-C as a terminal sends it (to the whole process group); exit status and output."""
        os.killpg(self.proc.pid, signal.SIGINT)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, self.first_line + out.decode(), err.decode()

    def kill(self) -> None:
        """Last resort for a test that failed half-way: nothing may outlive it."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()

    def __enter__(self) -> PreviewProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


def settled(langs: list[str]) -> Callable[[dict[str, Any]], bool]:
    """A state with pages in every one of `langs` and nothing rendering."""
    return lambda state: not state["busy"] and all(state["pages"].get(lang) for lang in langs)


def chromium(profile: Path, width: int = 1400, height: int = 1000):
    """Headless Debian Chromium through Debian's chromedriver; never downloads anything."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise RuntimeError("Chromium not found: install the Debian packages chromium and chromium-driver "
                           "(make deps-test)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver
