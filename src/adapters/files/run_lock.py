"""One writer per workspace: an OS file lock that the OS releases when the holder dies."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from state_runner.adapters.files.book_files import check_appendable, check_regular
from state_runner.adapters.files.os_errors import os_failure
from state_runner.adapters.files.state_paths import RUN_LOCK
from state_runner.domain.errors import KernelError

_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def open_lock_file(path: Path, root: Path) -> int:
    """The lock file's descriptor; a lock file a book planted as a symlink (which would have the
    kernel empty the file it points to), FIFO or device, or a `state/` outside `root`, is
    refused. Opened without following a symlink, so one swapped in after the check fails."""
    check_appendable(path, root)
    fd = os.open(path, _LOCK_FLAGS, 0o644)
    try:
        check_regular(path, os.fstat(fd).st_mode)
    except KernelError:
        os.close(fd)
        raise
    return fd


def lock_text(pid: int, chapter_id: str | None) -> str:
    """What the holder writes into the lock file: its PID on the first line, then the chapter
    a kernel run refines as a JSON string (`status` shows both)."""
    chapter = "" if chapter_id is None else json.dumps(chapter_id) + "\n"
    return f"{pid}\n{chapter}"


def pid_in(text: str) -> str:
    """The PID on the lock text's first line, or '?' when there is none."""
    first = text.split("\n", 1)[0].strip()
    return first if first.isdigit() else "?"


class RunLock:
    """Exclusive, non-blocking `flock` on `<root>/state/kernel.lock`, holding the owner's PID
    (and, for a kernel run, its chapter)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / RUN_LOCK
        self.chapter_id: str | None = None
        self._fd: int | None = None

    def for_chapter(self, chapter_id: str) -> RunLock:
        """This lock, recording `chapter_id` in the lock file when it is taken."""
        self.chapter_id = chapter_id
        return self

    def holder(self) -> str:
        """The PID written by the current holder, or '?' when unreadable."""
        with contextlib.suppress(OSError):
            return pid_in(self.path.read_text(encoding="utf-8", errors="replace"))
        return "?"

    def acquire(self) -> None:
        if self._fd is not None or not self.path.parent.is_dir():
            return  # already held, or no state/ folder: loading the ledger will report it
        try:
            fd = open_lock_file(self.path, self.root)
        except OSError as exc:
            raise os_failure("Cannot lock", self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise KernelError(
                f"Workspace is locked by another run (PID {self.holder()}): {self.path}; "
                "wait for it to finish"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise os_failure("Cannot lock", self.path, exc) from None
        self._fd = fd
        try:
            self._write_pid(fd)
        except OSError as exc:
            self.release()
            raise os_failure("Cannot write", self.path, exc) from None

    def _write_pid(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.write(fd, lock_text(os.getpid(), self.chapter_id).encode())
        os.fsync(fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
