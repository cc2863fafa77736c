"""The event logs (`out/kernel_trace.jsonl`) of a chapter's iterations, read for `status`.

Read through the book-file reader (inside the workspace, a regular file, bounded) and parsed
line by line with the strict JSON parser. A line that does not parse as an object (the torn last
line of a killed run, say) is passed over: it can only hide tokens, never add them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import parse_json_bytes
from state_runner.adapters.files.book_files import read_book_bytes
from state_runner.adapters.files.iteration_files import EVENT_LOG
from state_runner.adapters.files.layout import IterationLayout
from state_runner.adapters.files.os_errors import os_failure
from state_runner.adapters.files.read_limits import JSONL_LOG_LIMIT
from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_checks import check_file_name

_ITERATION_DIR = re.compile(r"iter_([0-9]+)")


def _events(log: Path, root: Path) -> list[dict[str, Any]]:
    try:
        data = read_book_bytes(log, root, JSONL_LOG_LIMIT)
    except OSError as err:
        raise os_failure("Cannot read", log, err) from err
    events = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = parse_json_bytes(raw, f"{log}:{number}")
        except KernelError:
            continue
        if isinstance(value, dict):
            events.append(value)
    return events


def _iteration(name: str) -> int | None:
    """The number of an `iter_NN` folder name as the kernel writes it, else None."""
    found = _ITERATION_DIR.fullmatch(name)
    if found is None or f"iter_{int(found.group(1)):02d}" != name:
        return None
    return int(found.group(1))


def iteration_events(
    layout: IterationLayout, root: Path, chapter_id: str
) -> dict[int, list[dict[str, Any]]]:
    """Iteration number -> the events of its log, for every iteration folder of the chapter
    that has one (none for an id that cannot be a folder name)."""
    try:
        folder = layout.io_root / check_file_name(chapter_id, "chapter id")
    except KernelError:
        return {}
    if not folder.is_dir():
        return {}
    found = {}
    for child in sorted(folder.iterdir()):
        number = _iteration(child.name)
        log = child / "out" / EVENT_LOG
        if number is not None and (log.exists() or log.is_symlink()):
            found[number] = _events(log, root)
    return found
