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
from state_runner.adapters.files.book_files import inside_workspace
from state_runner.adapters.files.os_errors import os_failure
from state_runner.adapters.files.read_limits import CHAPTER_LIMIT, STATE_JSON_LIMIT
from state_runner.adapters.files.state_paths import JOURNAL, LOG_DIRS, STATE_DIR, STATE_FILES
from state_runner.adapters.files.text_files import read_utf8
from state_runner.domain.errors import KernelError

TEMP_GLOB = ".*.tmp"
UNREADABLE_NOTE = "(unreadable journal)"
"""What `awaiting_repair` returns for a journal that `recover` would refuse."""
REPAIRED = "repaired an interrupted run: "


@dataclass(frozen=True)
class PendingIteration:
    """A journal left behind: the note, the files and log sizes before, the promotion if any."""

    note: str
    files: dict[str, str | None]
    logs: dict[str, int]
    promotion: dict[str, Any] | None


def _truncate(path: Path, size: int, root: Path) -> None:
    """Cut a log back; a log a book planted as a link out of `root` is refused, not followed."""
    target = inside_workspace(path, root)
    try:
        fd = os.open(target, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        raise os_failure("Cannot repair", path, err) from err


def _remove(path: Path) -> None:
    """Delete `path` if it is there; an OS failure is one line naming it."""
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        raise os_failure("Cannot remove", path, err) from err


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
            limit = STATE_JSON_LIMIT if rel in STATE_FILES else CHAPTER_LIMIT
            files[rel] = read_utf8(path, self.root, limit) if path.exists() else None
        record = {
            "note": note,
            "files": files,
            "logs": {self._rel(p): p.stat().st_size for p in self._logs()},
        }
        write_json(self.path, record)

    def _check_inside(self, files: dict[str, str | None]) -> None:
        """Refuse, before anything is restored, a journal naming a file outside the workspace."""
        for rel in files:
            try:
                inside_workspace((self.root / rel).parent, self.root)
            except KernelError:
                raise KernelError(
                    f"Unreadable journal {self.path}: it names {rel}, outside the workspace; "
                    "remove it after checking"
                ) from None

    def commit(self) -> None:
        _remove(self.path)

    def awaiting_repair(self) -> str | None:
        """The note of an interrupted run awaiting repair, read only (None when there is none)."""
        if not self.path.exists():
            return None
        try:
            record: Any = read_json(self.path, self.root)
            return str(record["note"])
        except (KernelError, KeyError, TypeError):
            return None if not self.path.exists() else UNREADABLE_NOTE

    def _remove_temp_files(self) -> int:
        folders = {self.root / STATE_DIR, *(self.root / d for d in LOG_DIRS)}
        removed = 0
        for folder in folders:
            for temp in folder.glob(TEMP_GLOB) if folder.is_dir() else ():
                _remove(temp)
                removed += 1
        return removed

    def mark_promotion(self, promotion: dict[str, Any]) -> None:
        """Add what undoing or completing the coming promotion commit needs to the journal."""
        record: dict[str, Any] = read_json(self.path, self.root)
        record["promotion"] = promotion
        write_json(self.path, record)

    def pending(self) -> PendingIteration | None:
        """The interrupted iteration a journal records, if any (stray temp files removed)."""
        self._remove_temp_files()
        if not self.path.exists():
            return None
        record: Any = read_json(self.path, self.root)
        try:
            files: dict[str, str | None] = dict(record["files"])
            logs: dict[str, int] = dict(record["logs"])
            note = str(record["note"])
            promotion = record.get("promotion")
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KernelError(f"Unreadable journal {self.path}: remove it after checking") from None
        if promotion is not None and not isinstance(promotion, dict):
            raise KernelError(f"Unreadable journal {self.path}: remove it after checking")
        self._check_inside(files)
        for rel in files:  # the chapter's folder too: a crash may leave its temp file there
            target = self.root / rel
            for temp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
                _remove(temp)
        return PendingIteration(note, files, logs, promotion)

    def restore_log(self, pending: PendingIteration, rel: str) -> None:
        """Cut one log back to its recorded size (deleted when the iteration created it)."""
        path, size = self.root / rel, pending.logs.get(rel)
        if size is None:
            _remove(path)
        elif path.exists() and path.stat().st_size != size:
            _truncate(path, size, self.root)

    def roll_back(self, pending: PendingIteration) -> None:
        """Put every recorded file back, cut the logs, remove the journal."""
        for rel, text in pending.files.items():
            target = self.root / rel
            if text is None:
                _remove(target)
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
