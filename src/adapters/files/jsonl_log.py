"""Append-only JSON Lines logs with a bounded inline tail in the owning JSON document.

The `.jsonl` file holds the full history; the inline list (e.g. `repo_iteration_log`) holds
its last `LOG_TAIL` entries. A document in the original inline format (no `.jsonl` yet) is
converted on the first append: the inline list is written whole as the new log file first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import append_line, atomic_write_text, parse_json_bytes
from state_runner.adapters.files.book_files import (
    check_appendable,
    inside_workspace,
    read_book_bytes,
)
from state_runner.adapters.files.os_errors import os_failure
from state_runner.adapters.files.read_limits import JSONL_LOG_LIMIT
from state_runner.adapters.files.state_paths import LOG_DIRS
from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_checks import check_file_name
from state_runner.domain.ports import JsonObject

LOG_TAIL = 50
"""How many of the latest log entries `ledger.json` / `metrics.json` keep inline."""


def safe_name(name: object, what: str = "chapter id") -> str:
    """`name`, if it can be used as one path component; otherwise `KernelError`."""
    return check_file_name(name, what)


def safe_chapter_id(chapter_id: object) -> str:
    """The id, if it can be used as a file name; otherwise `KernelError`."""
    return safe_name(chapter_id)


def encode_entry(entry: object) -> str:
    """One compact JSON line (sorted keys, no spaces, never a raw newline)."""
    try:
        return json.dumps(entry, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as err:
        raise KernelError(f"Cannot serialise log entry: {err}") from err


def append_entry(log_path: Path, tail: list[Any], entry: JsonObject) -> None:
    """Append `entry` to the log file and to `tail` (trimmed in place to `LOG_TAIL`).

    When the log file does not exist yet, `tail` is the whole history of the original inline
    format and is written first. The log file is never read here.
    """
    line = encode_entry(entry)
    if tail and not log_path.exists():
        atomic_write_text(log_path, "".join(encode_entry(item) + "\n" for item in tail))
    append_line(log_path, line)
    tail.append(json.loads(line))
    del tail[:-LOG_TAIL]


def read_entries(log_path: Path, root: Path) -> list[JsonObject]:
    """All entries of a log file inside the workspace `root`, in order; blank lines are
    skipped. The file is read whole, up to `JSONL_LOG_LIMIT` bytes."""
    try:
        data = read_book_bytes(log_path, root, JSONL_LOG_LIMIT)
    except OSError as err:
        raise os_failure("Cannot read", log_path, err) from err
    lines = enumerate(data.split(b"\n"), start=1)
    return [_entry(raw, f"{log_path}:{number}") for number, raw in lines if raw.strip()]


def check_log_tree(root: Path) -> None:
    """Refuse, before a run writes anything, log folders or logs it would append to outside
    the workspace, through a planted symlink, or that are not regular files."""
    for folder in LOG_DIRS:
        path = root / folder
        if path.exists():
            inside_workspace(path, root)
            for log in sorted(path.rglob("*.jsonl")):
                check_appendable(log, root)


def inline_entries(value: object, where: str) -> list[JsonObject]:
    """An inline log list (a missing list is empty); `where` names it in errors."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise KernelError(f"{where} must be a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise KernelError(f"{where}[{index}] must be a JSON object")
    return list(value)


def _entry(raw: bytes, where: str) -> JsonObject:
    value = parse_json_bytes(raw, where)
    if not isinstance(value, dict):
        raise KernelError(f"Invalid log entry: {where}: must be a JSON object")
    return value
