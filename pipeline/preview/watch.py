"""File events under content/ and templates/ -> refreshes of the preview session.

watchfiles (inotify on Linux, a Rust core) groups the events of one save (editors
often write a temporary file and rename it) and hands them over in one batch. A batch
that arrives while a refresh is running waits for it and is handled next, so several
quick saves cost one more refresh, not one each.

Editors that save in place truncate the file and then write it; on a busy machine the
two can land in different batches, and a refresh between them would show "the file is
empty" for a moment. So a batch in which a changed file is empty is held for one more
wake-up (at most IDLE_MS) and merged with what follows; a file still empty then is
refreshed as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

# Wait this long after the last event of a save before refreshing (ms); editors write in bursts.
STEP_MS = 50
# Wake this often when nothing happens (ms): the first wake-up, with the watch armed,
# triggers the first render, so no save made while it runs can be missed.
IDLE_MS = 500


def watch(paths: Iterable[Path], refresh: Callable[[set[Path]], None], stop: threading.Event) -> None:
    """Call `refresh(set())` once the watch is armed, then `refresh(changed paths)` per batch."""
    first = True
    held: set[Path] = set()
    for changes in watchfiles.watch(*paths, step=STEP_MS, rust_timeout=IDLE_MS, yield_on_timeout=True,
                                    stop_event=stop, raise_interrupt=False):
        batch = held | {Path(path) for _, path in changes}
        if not (first or batch):
            continue
        if not first and not held and any(_empty_file(path) for path in batch):
            held = batch  # probably a save caught halfway: wait for the rest of it
            continue
        refresh(batch)
        first, held = False, set()


def _empty_file(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:  # deleted or renamed away: not a save in progress
        return False
