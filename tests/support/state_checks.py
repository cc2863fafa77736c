"""What holds for state files after any crash: whole JSON, whole log lines, a valid ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from state_runner.domain import governance
from support.workspace import Book


def jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"", f"torn last line in {path}"
    return [json.loads(line) for line in lines[:-1]]


def assert_state_valid(book: Book) -> None:
    """What must hold right after a kill, before any repair."""
    for path in (book.root / "state").rglob("*.json"):
        json.loads(path.read_text())  # every JSON file parses
    for path in (book.root / "state").rglob("*.jsonl"):
        jsonl(path)  # every log line is whole JSON
    assert governance.validate_ledger(book.ledger()) == []
