"""Checks the kernel makes before it writes anything: a hostile ledger or reply must be refused.

Every refusal is a one-line `KernelError`; nothing about the workspace has changed when it is
raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import KernelError

MAX_REPLY_CHARS = 2_000_000  # far above any chapter; a bigger reply is a runaway model
UNSAFE_NAME_CHARS = ("/", "\\", "\x00")


def check_file_name(name: object, what: str = "chapter id") -> str:
    """`name` if it can be one path component (no separators, NUL, or leading dot)."""
    if (
        not isinstance(name, str)
        or name in ("", "..")
        or name.startswith(".")
        or any(char in name for char in UNSAFE_NAME_CHARS)
    ):
        raise KernelError(f"Unsafe {what} for a file name: {name!r}")
    return name


def _objects(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def check_ledger_for_run(ledger: Mapping[str, Any], chapter_id: str) -> None:
    """The parts of the ledger a run appends to must have the right shape."""
    check_file_name(chapter_id)
    if not _objects(ledger.get("repo_iteration_log", [])):
        raise KernelError("Invalid ledger: repo_iteration_log must be an array of objects")
    chapter = ledger["chapters"][chapter_id]
    if not _objects(chapter.get("iteration_log", [])):
        raise KernelError(
            f"Invalid ledger: chapters.{chapter_id}.iteration_log must be an array of objects"
        )
    for key in ("status", "lifecycle"):
        value = chapter.get(key)
        if value is not None and not isinstance(value, str):
            raise KernelError(f"Invalid ledger: chapters.{chapter_id}.{key} must be a string")


def check_reply(role: str, text: str) -> None:
    """Refuse an LLM reply (or role output) that is absurdly large or holds NUL characters."""
    if len(text) > MAX_REPLY_CHARS:
        raise KernelError(
            f"{role} rejected: {len(text)} characters is over the limit of {MAX_REPLY_CHARS}"
        )
    if "\x00" in text:
        raise KernelError(f"{role} rejected: it contains NUL characters")
