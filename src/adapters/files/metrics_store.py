"""`state/metrics.json` with append-only per-chapter history under `state/metrics/`."""

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
from state_runner.adapters.files.state_paths import METRICS, METRICS_LOGS
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject

HISTORY_KEY = "history"


class JsonMetricsStore:
    """The metrics document plus `state/metrics/<chapter_id>.jsonl` history files."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.path = self.root / METRICS
        self.history_dir = root.absolute() / METRICS_LOGS

    def display(self) -> str:
        """The absolute path of `metrics.json`."""
        return str(self.path)

    def check(self) -> None:
        """Raise `KernelError` when the metrics file exists but is unusable."""
        if not self.path.exists():
            return
        metrics = self._load()
        for chapter_id in metrics["chapters"]:
            self._history_list(metrics, chapter_id, create=False)

    def append_history(self, chapter_id: str, entry: JsonObject) -> None:
        """Append to the chapter's history file and tail; creates `metrics.json` if missing."""
        log_path = self.history_path(chapter_id)
        metrics = self._load() if self.path.exists() else {"chapters": {}}
        tail = self._history_list(metrics, chapter_id, create=True)
        append_entry(log_path, tail, entry)
        write_json(self.path, metrics)

    def read_history(self, chapter_id: str) -> list[JsonObject]:
        """A chapter's full history (the `.jsonl` file, else the inline list)."""
        log_path = self.history_path(chapter_id)
        if log_path.exists():
            return read_entries(log_path, self.root)
        if not self.path.exists():
            return []
        metrics = self._load()
        if chapter_id not in metrics["chapters"]:
            return []
        tail = self._history_list(metrics, chapter_id, create=False)
        try:
            return inline_entries(tail, f"chapters.{chapter_id}.{HISTORY_KEY}")
        except KernelError as err:
            raise self._invalid(err.message) from None

    def history_path(self, chapter_id: str) -> Path:
        return self.history_dir / f"{safe_chapter_id(chapter_id)}.jsonl"

    def _load(self) -> JsonObject:
        data = read_json(self.path, self.root)
        if not isinstance(data, dict):
            raise self._invalid("top level must be a JSON object")
        chapters = data.setdefault("chapters", {})
        if not isinstance(chapters, dict):
            raise self._invalid("chapters must be a JSON object")
        return data

    def _history_list(self, metrics: JsonObject, chapter_id: str, *, create: bool) -> list[Any]:
        chapters: dict[str, Any] = metrics["chapters"]
        chapter = chapters.setdefault(chapter_id, {}) if create else chapters[chapter_id]
        if not isinstance(chapter, dict):
            raise self._invalid(f"chapters.{chapter_id} must be a JSON object")
        history = chapter.setdefault(HISTORY_KEY, []) if create else chapter.get(HISTORY_KEY, [])
        if not isinstance(history, list):
            raise self._invalid(f"chapters.{chapter_id}.{HISTORY_KEY} must be a list")
        return history

    def _invalid(self, problem: str) -> KernelError:
        return KernelError(f"Invalid metrics: {self.path}: {problem}")
