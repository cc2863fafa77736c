"""Crash-safe file writes: atomic replace for whole files, fsynced appends for logs.

An interrupted write leaves a file either as it was before or as it is after, never half
written. OS failures surface as `KernelError` with a one-line message.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from state_runner.adapters.files.book_files import read_book_bytes
from state_runner.adapters.files.os_errors import os_failure
from state_runner.adapters.files.read_limits import STATE_JSON_LIMIT
from state_runner.domain import strict_json
from state_runner.domain.errors import KernelError

_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
"""Appends never follow a symlink planted in place of a log, nor block on a FIFO."""
_IGNORED_DIR_FSYNC_ERRORS = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF})


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with UTF-8 `text` via a temp file in the same directory and a rename."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp = _create_temp(path)
    except OSError as err:
        raise _write_error(path, err) from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as err:
        temp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _write_error(path, err) from err
        raise
    _fsync_directory(directory)


def append_line(path: Path, line: str) -> None:
    """Append `line` plus a newline to `path` in one write, then fsync.

    If the file does not end with a newline (a torn append from a crash), the write starts
    with one, so the torn fragment never swallows the new line. Only the last byte is read.
    """
    if "\n" in line:
        raise ValueError("append_line: the line must not contain a newline")
    data = (line + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _NO_FOLLOW, 0o666)
        try:
            if _ends_without_newline(fd):
                data = b"\n" + data
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        raise _write_error(path, err) from err
    if created:
        _fsync_directory(path.parent)


def write_json(path: Path, data: Any) -> None:
    """Atomically write `data` as indented JSON with sorted keys and a trailing newline."""
    try:
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    except (TypeError, ValueError) as err:
        raise KernelError(f"Cannot serialise JSON for {path}: {err}") from err
    atomic_write_text(path, text)


def read_json(path: Path, root: Path, limit: int = STATE_JSON_LIMIT) -> Any:
    """Parse a JSON file inside the workspace `root`; `KernelError` when it is missing,
    unreadable, not a regular file, over `limit` bytes or not valid JSON."""
    try:
        raw = read_book_bytes(path, root, limit)
    except FileNotFoundError:
        raise KernelError(f"Missing JSON file: {path}") from None
    except OSError as err:
        raise os_failure("Cannot read", path, err) from err
    return parse_json_bytes(raw, str(path))


def parse_json_bytes(raw: bytes, where: str) -> Any:
    """Decode UTF-8 (a BOM is allowed) and parse; errors name `where`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KernelError(f"Invalid JSON: {where}: not UTF-8 text") from None
    try:
        return strict_json.loads(text)
    except strict_json.DuplicateKeyError as err:
        raise KernelError(
            f"Invalid JSON: {where}: {err}; keep one of them (a rewrite would drop the other)"
            " and run again"
        ) from None
    except json.JSONDecodeError as err:
        raise KernelError(f"Invalid JSON: {where}: {err}") from None
    except RecursionError:
        raise KernelError(f"Invalid JSON: {where}: nested too deeply") from None


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, exclusive temp file next to `path`, with the target's permissions if it exists."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
    except FileNotFoundError:
        pass
    except OSError:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    return fd, temp


def _ends_without_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    os.lseek(fd, size - 1, os.SEEK_SET)
    return os.read(fd, 1) != b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    """Make a rename or a new directory entry durable (no-op where unsupported)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as err:
        raise _write_error(directory, err) from err
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _IGNORED_DIR_FSYNC_ERRORS:
            raise _write_error(directory, err) from err
    finally:
        os.close(fd)


def _write_error(path: Path, err: OSError) -> KernelError:
    return os_failure("Cannot write", path, err)
