"""Write outputs so that a good file is never replaced by a broken one.

Each output is written to a hidden temporary file beside it and renamed into place
only when complete (rename is atomic on one filesystem). A build killed mid-write
leaves at most a `.<name>.part-<pid>` file, which the next build removes; the output
itself is either the old one or the new one, never half of either. A build may also
stage a complete output under such a name and move it into place later
(`staged_path`, `commit_staged`): the formats of one document are written together.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BuildError

PART_MARK = ".part-"
LOCK_NAME = ".lock"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{PART_MARK}{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def staged_path(path: Path) -> Path:
    """Where an output waits, complete, until it may replace `path` (`commit_staged`): a
    hidden temporary name beside it, which `remove_stale_parts` removes if left behind."""
    return path.with_name(f".{path.name}{PART_MARK}{os.getpid()}-staged")


def commit_staged(path: Path) -> None:
    """Move the staged output of `path` into place (atomic: one rename)."""
    os.replace(staged_path(path), path)


def discard_staged(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        staged_path(path).unlink()


def replace_folder(staging: Path, target: Path) -> None:
    """Put the complete folder `staging` where the folder `target` is, in one step.

    Linux swaps the two names atomically (renameat2 with RENAME_EXCHANGE), so a reader
    sees the old folder or the new one, never a missing or half-replaced one; the old
    folder, now under the staging name, is then removed. Where the swap is not offered,
    the old folder is renamed aside, the new one renamed in, and the old one put back if
    that fails.
    """
    if _exchange(staging, target):
        shutil.rmtree(staging)
        return
    aside = target.with_name(f".{target.name}.old{PART_MARK}{os.getpid()}")
    target.rename(aside)
    try:
        staging.rename(target)
    except BaseException:
        aside.rename(target)
        raise
    shutil.rmtree(aside)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or filesystem cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def remove_stale_parts(build_dir: Path) -> int:
    """Delete temporary files left by a killed build (call while holding the lock)."""
    removed = 0
    if build_dir.is_dir():
        for part in build_dir.rglob(f".*{PART_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def build_lock(build_dir: Path, on_wait=None) -> Iterator[None]:
    """Hold an exclusive lock on `build/` so two builds never write the same files at once.

    A second build waits for the first (after telling the user via `on_wait`) rather
    than failing: both then produce complete outputs.
    """
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        handle = open(build_dir / LOCK_NAME, "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise BuildError(f"cannot create build folder {build_dir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
