"""Reading text files with one-line `KernelError`s instead of OS exceptions."""

from __future__ import annotations

from pathlib import Path

from state_runner.domain.errors import KernelError


def read_utf8(path: Path) -> str:
    """The file's text; `Missing file: <path>` when absent, clear errors otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KernelError(f"Missing file: {path}") from None
    except IsADirectoryError:
        raise KernelError(f"Not a file: {path}") from None
    except OSError as exc:
        raise KernelError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KernelError(f"File is not UTF-8 text: {path} (byte {exc.start})") from None
