"""Who holds the run lock, asked without taking it: for `status`.

The lock file keeps the last holder's PID after a crash; only a held `flock` means a run. The
check takes a shared `flock` for an instant and only when the file names a holder, so a
released lock (an empty file) is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from state_runner.adapters.files.book_files import check_regular, read_book_bytes
from state_runner.adapters.files.run_lock import pid_in
from state_runner.adapters.files.state_paths import RUN_LOCK
from state_runner.domain.errors import KernelError
from state_runner.domain.status import LockHolder

LOCK_TEXT_LIMIT = 64 * 1024
_PROBE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _held(path: Path) -> bool:
    """Whether another process holds the `flock` on `path` now."""
    fd = os.open(path, _PROBE_FLAGS)
    try:
        check_regular(path, os.fstat(fd).st_mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _chapter_in(text: str) -> str | None:
    """The chapter id a kernel run wrote on the second line, if it is a JSON string."""
    lines = text.split("\n")
    if len(lines) < 2 or not lines[1].strip():
        return None
    with contextlib.suppress(ValueError):
        value = json.loads(lines[1])
        if isinstance(value, str):
            return value
    return None


def lock_holder(root: Path) -> LockHolder | None:
    """The run holding `<root>/state/kernel.lock`, or None: no lock file, a released or stale
    one (nobody holds the `flock`), or one that is not a regular file (a run refuses those)."""
    path = root / RUN_LOCK
    try:
        text = read_book_bytes(path, root, LOCK_TEXT_LIMIT).decode("utf-8", "replace")
        if not text.strip() or not _held(path):
            return None
    except (OSError, KernelError):
        return None
    pid = pid_in(text)
    return LockHolder(pid=None if pid == "?" else int(pid), chapter_id=_chapter_in(text))
