"""The preview's watcher (`pipeline.preview.watch`) on a real folder: real inotify events."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline.preview.watch import STEP_MS, watch

WAIT_S = 30  # generous for a loaded machine; the waits end as soon as the call is seen


class Watched:
    """A watcher thread on `folder` whose refreshes record what each changed file held."""

    def __init__(self, folder: Path):
        self.seen: list[dict[str, str]] = []
        self._calls = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=watch, args=([folder], self._refresh, self._stop), daemon=True)

    def _refresh(self, changed: set[Path]) -> None:
        held = {path.name: path.read_text(encoding="utf-8") for path in changed if path.is_file()}
        with self._calls:
            self.seen.append(held)
            self._calls.notify_all()

    def wait_for(self, condition) -> None:
        with self._calls:
            assert self._calls.wait_for(lambda: condition(self.seen), timeout=WAIT_S), self.seen

    def __enter__(self) -> Watched:
        self._thread.start()
        self.wait_for(lambda seen: seen == [{}])  # armed: the first refresh, with nothing changed
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=WAIT_S)


@pytest.fixture
def topic(tmp_path) -> Path:
    path = tmp_path / "alpha.yaml"
    path.write_text("id: alpha\n", encoding="utf-8")
    return path


def test_a_save_in_two_steps_is_refreshed_once_whole(topic):
    with Watched(topic.parent) as watched:
        with topic.open("w", encoding="utf-8"):
            pass  # an editor saving in place: truncate first ...
        time.sleep(3 * STEP_MS / 1000)  # ... then, on a busy machine, write a moment later
        topic.write_text("id: alpha\ntitle: Alpha\n", encoding="utf-8")
        watched.wait_for(lambda seen: seen[-1].get("alpha.yaml") == "id: alpha\ntitle: Alpha\n")
    assert all(call.get("alpha.yaml") != "" for call in watched.seen), watched.seen


def test_a_file_left_empty_is_refreshed_as_it_is(topic):
    with Watched(topic.parent) as watched:
        topic.write_text("", encoding="utf-8")
        watched.wait_for(lambda seen: seen[-1] == {"alpha.yaml": ""})  # held a moment, never dropped
    assert all(call == {"alpha.yaml": ""} for call in watched.seen[1:]), watched.seen
