"""An undo journal that makes each iteration's state writes all-or-nothing across a crash.

Before the kernel persists an iteration it records, in one atomically written file, the state
files as they are (chapter, ledger, metrics, version map) and the length of every JSON Lines
log. When the iteration's last write is done the journal is removed. A journal found at the
start of the next run therefore means a run died mid-persistence: the recorded files are put
back and the logs cut to their recorded length, so the workspace is exactly as it was before
that iteration, and the iteration simply runs again.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import atomic_write_text, read_json, write_json
from state_runner.adapters.files.state_paths import JOURNAL, LOG_DIRS, STATE_DIR, STATE_FILES
from state_runner.adapters.files.text_files import read_utf8
from state_runner.domain.errors import KernelError

TEMP_GLOB = ".*.tmp"
REPAIRED = "repaired an interrupted run: "


@dataclass(frozen=True)
class PendingIteration:
    """A journal left behind: the note, the files and log sizes before, the promotion if any."""

    note: str
    files: dict[str, str | None]
    logs: dict[str, int]
    promotion: dict[str, Any] | None


def _truncate(path: Path, size: int) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


class UndoJournal:
    """Journal port over `<root>/state/journal.json`."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.path = self.root / JOURNAL

    def _logs(self) -> list[Path]:
        return sorted(p for d in LOG_DIRS for p in (self.root / d).rglob("*.jsonl"))

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def begin(self, chapter_path: str, note: str) -> None:
        files: dict[str, str | None] = {}
        for rel in (chapter_path, *STATE_FILES):
            path = self.root / rel
            files[rel] = read_utf8(path) if path.exists() else None
        record = {
            "note": note,
            "files": files,
            "logs": {self._rel(p): p.stat().st_size for p in self._logs()},
        }
        write_json(self.path, record)

    def commit(self) -> None:
        self.path.unlink(missing_ok=True)

    def _remove_temp_files(self) -> int:
        folders = {self.root / STATE_DIR, *(self.root / d for d in LOG_DIRS)}
        removed = 0
        for folder in folders:
            for temp in folder.glob(TEMP_GLOB) if folder.is_dir() else ():
                temp.unlink(missing_ok=True)
                removed += 1
        return removed

    def mark_promotion(self, promotion: dict[str, Any]) -> None:
        """Add what undoing or completing the coming promotion commit needs to the journal."""
        record: dict[str, Any] = read_json(self.path)
        record["promotion"] = promotion
        write_json(self.path, record)

    def pending(self) -> PendingIteration | None:
        """The interrupted iteration a journal records, if any (stray temp files removed)."""
        self._remove_temp_files()
        if not self.path.exists():
            return None
        record: Any = read_json(self.path)
        try:
            files: dict[str, str | None] = dict(record["files"])
            logs: dict[str, int] = dict(record["logs"])
            note = str(record["note"])
            promotion = record.get("promotion")
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KernelError(f"Unreadable journal {self.path}: remove it after checking") from None
        if promotion is not None and not isinstance(promotion, dict):
            raise KernelError(f"Unreadable journal {self.path}: remove it after checking")
        for rel in files:  # the chapter's folder too: a crash may leave its temp file there
            target = self.root / rel
            for temp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                temp.unlink(missing_ok=True)
        return PendingIteration(note, files, logs, promotion)

    def restore_log(self, pending: PendingIteration, rel: str) -> None:
        """Cut one log back to its recorded size (deleted when the iteration created it)."""
        path, size = self.root / rel, pending.logs.get(rel)
        if size is None:
            path.unlink(missing_ok=True)
        elif path.exists() and path.stat().st_size != size:
            _truncate(path, size)

    def roll_back(self, pending: PendingIteration) -> None:
        """Put every recorded file back, cut the logs, remove the journal."""
        for rel, text in pending.files.items():
            target = self.root / rel
            if text is None:
                target.unlink(missing_ok=True)
            else:
                atomic_write_text(target, text)
        for path in self._logs():
            self.restore_log(pending, self._rel(path))
        self.commit()

    def recover(self) -> str | None:
        """Undo an interrupted iteration, if any; returns what was repaired."""
        pending = self.pending()
        if pending is None:
            return None
        self.roll_back(pending)
        return REPAIRED + pending.note
