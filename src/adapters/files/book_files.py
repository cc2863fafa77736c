"""The one way the kernel reads a file a book names: a regular file, inside the workspace once
symlinks are resolved, read with a size limit.

Books are untrusted: a symlink may point out of the workspace, a FIFO would block the run, a
device never ends. Each of these is refused with a one-line `KernelError` naming the file.
A missing file and other OS errors are left to the caller, whose messages name what it reads.
`check_appendable` holds the same rules for the few files the kernel writes in place.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from state_runner.domain.errors import KernelError

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the type check must not block
    | getattr(os, "O_NOFOLLOW", 0)  # nor a symlink swapped in after the path was resolved
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(KernelError):
    """A refusal of this module; `reason` says why without the path, for callers that name the
    file in their own words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def read_book_bytes(path: Path, root: Path | None, limit: int) -> bytes:
    """The bytes of `path`, at most `limit` of them.

    `root` is the workspace `path` must stay inside (after resolving symlinks); None for a file
    the user named on the command line, which may live anywhere. Raises `FileNotFoundError`
    and other `OSError`s as they come, `FileRefused` for every refusal of this module.
    """
    target = resolved(path) if root is None else inside_workspace(path, root)
    check_regular(path, os.stat(target).st_mode)
    fd = os.open(target, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        check_regular(path, info.st_mode)
        if info.st_size > limit:
            raise too_large(path, info.st_size, limit)
        data = _read_at_most(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise too_large(path, len(data), limit)
    return data


def inside_workspace(path: Path, root: Path) -> Path:
    """`path` resolved (symlinks followed), refused unless it lies inside `root`."""
    target = resolved(path)
    if not target.is_relative_to(root.resolve()):
        raise FileRefused(
            f"File is outside the workspace: {path} (it resolves to {target}); "
            "a book may only name files inside it",
            "outside the workspace",
        )
    return target


def resolved(path: Path) -> Path:
    """`path` with every symlink followed; a symlink loop is a one-line refusal."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as err:  # RuntimeError: a symlink loop before Python 3.13
        if isinstance(err, OSError) and err.errno != errno.ELOOP:
            raise
        raise FileRefused(f"Cannot read {path}: it is a symlink loop", "a symlink loop") from None


def check_regular(path: Path, mode: int) -> None:
    """Refuse anything but a regular file: a directory, FIFO, device or socket."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise FileRefused(
            f"Not a regular file: {path} (a folder); replace it with a regular file",
            "Is a directory",
        )
    kind = next((name for test, name in _KINDS if test(mode)), "of an unknown kind")
    raise FileRefused(
        f"Not a regular file: {path} ({kind}); replace it with a regular file",
        f"{kind}, not a regular file",
    )


def check_appendable(path: Path, root: Path) -> None:
    """A file the kernel writes in place (a log, the run lock): its folder inside `root`, and
    the file absent or a regular file, not a symlink a book planted to have it write elsewhere."""
    inside_workspace(path.parent, root)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise FileRefused(
            f"Not a regular file: {path} (a symbolic link); the kernel writes to it in place, "
            "so it must be the file itself",
            "a symbolic link",
        )
    check_regular(path, mode)


def too_large(path: Path, size: int, limit: int) -> FileRefused:
    """The refusal of a file over its limit, naming both sizes."""
    sizes = f"{size} bytes, limit {limit} bytes"
    return FileRefused(f"File too large: {path} ({sizes})", f"too large ({sizes})")


def _read_at_most(fd: int, count: int) -> bytes:
    chunks: list[bytes] = []
    remaining = count
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
