"""`state/ledger.json` with append-only iteration logs under `state/ledger/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import read_json, write_json
from state_runner.adapters.files.jsonl_log import (
    append_entry,
    inline_entries,
    read_entries,
    safe_chapter_id,
)
from state_runner.adapters.files.state_paths import LEDGER, LEDGER_LOGS, REPO_LOG
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject

REPO_LOG_KEY = "repo_iteration_log"
CHAPTER_LOG_KEY = "iteration_log"


class JsonLedgerStore:
    """The ledger document plus `repo_iteration_log.jsonl` and `chapters/<id>.jsonl`."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.path = self.root / LEDGER
        self.log_dir = root.absolute() / LEDGER_LOGS

    def display(self) -> str:
        """The absolute path of `ledger.json`."""
        return str(self.path)

    def load(self) -> JsonObject:
        """The ledger as `ledger.json` shows it (log lists hold a bounded tail)."""
        data = read_json(self.path, self.root)
        if not isinstance(data, dict):
            raise self._invalid("top level must be a JSON object")
        return data

    def chapter_ids(self) -> list[str]:
        """The ledger's chapter ids, sorted."""
        chapters = self.load().get("chapters")
        if not isinstance(chapters, dict):
            raise self._invalid("chapters must be a JSON object")
        return sorted(chapters)

    def save(self, ledger: JsonObject) -> None:
        """Write `ledger.json` atomically."""
        write_json(self.path, ledger)

    def append_repo_log(self, ledger: JsonObject, entry: JsonObject) -> None:
        """Append to the repo log file and to the in-memory tail (call `save` after)."""
        tail = self._log_list(ledger, REPO_LOG_KEY, REPO_LOG_KEY)
        append_entry(self.repo_log_path(), tail, entry)

    def append_chapter_log(self, ledger: JsonObject, chapter_id: str, entry: JsonObject) -> None:
        """Append to the chapter's log file and to the in-memory tail (call `save` after)."""
        log_path = self.chapter_log_path(chapter_id)
        chapter = self._chapter(ledger, chapter_id)
        tail = self._log_list(chapter, CHAPTER_LOG_KEY, f"chapters.{chapter_id}.{CHAPTER_LOG_KEY}")
        append_entry(log_path, tail, entry)

    def read_repo_log(self) -> list[JsonObject]:
        """The full repo iteration log (the `.jsonl` file, else the inline list)."""
        log_path = self.repo_log_path()
        if log_path.exists():
            return read_entries(log_path, self.root)
        return self._inline(self.load().get(REPO_LOG_KEY), REPO_LOG_KEY)

    def read_chapter_log(self, chapter_id: str) -> list[JsonObject]:
        """The full iteration log of one chapter (the `.jsonl` file, else the inline list)."""
        log_path = self.chapter_log_path(chapter_id)
        if log_path.exists():
            return read_entries(log_path, self.root)
        chapter = self._chapter(self.load(), chapter_id)
        where = f"chapters.{chapter_id}.{CHAPTER_LOG_KEY}"
        return self._inline(chapter.get(CHAPTER_LOG_KEY), where)

    def repo_log_path(self) -> Path:
        return self.root / REPO_LOG

    def chapter_log_path(self, chapter_id: str) -> Path:
        return self.log_dir / "chapters" / f"{safe_chapter_id(chapter_id)}.jsonl"

    def _chapter(self, ledger: JsonObject, chapter_id: str) -> JsonObject:
        chapters = ledger.get("chapters")
        if not isinstance(chapters, dict):
            raise self._invalid("chapters must be a JSON object")
        if chapter_id not in chapters:
            raise KernelError(f"Unknown chapter_id: {chapter_id}")
        chapter = chapters[chapter_id]
        if not isinstance(chapter, dict):
            raise self._invalid(f"chapters.{chapter_id} must be a JSON object")
        return chapter

    def _log_list(self, owner: JsonObject, key: str, where: str) -> list[Any]:
        tail = owner.setdefault(key, [])
        if not isinstance(tail, list):
            raise self._invalid(f"{where} must be a list")
        return tail

    def _inline(self, value: object, where: str) -> list[JsonObject]:
        try:
            return inline_entries(value, where)
        except KernelError as err:
            raise self._invalid(err.message) from None

    def _invalid(self, problem: str) -> KernelError:
        return KernelError(f"Invalid ledger: {self.path}: {problem}")
