"""Reading text files with one-line `KernelError`s instead of OS exceptions."""

from __future__ import annotations

from pathlib import Path

from state_runner.adapters.files.book_files import read_book_bytes
from state_runner.domain.errors import KernelError


def read_utf8(path: Path, root: Path | None, limit: int) -> str:
    """The file's text; `Missing file: <path>` when absent, clear errors otherwise.

    `root` and `limit` are those of `read_book_bytes`: the workspace the file must stay inside
    (None: anywhere) and the most bytes it may hold.
    """
    try:
        data = read_book_bytes(path, root, limit)
    except FileNotFoundError:
        raise KernelError(f"Missing file: {path}") from None
    except OSError as exc:
        raise KernelError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KernelError(f"File is not UTF-8 text: {path} (byte {exc.start})") from None
