"""`state/version_map.json`: chapter id -> commit hash of its last promotion."""

from __future__ import annotations

from pathlib import Path

from state_runner.adapters.files.atomic import read_json, write_json
from state_runner.adapters.files.state_paths import VERSION_MAP
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject


class JsonVersionMapStore:
    """Reads and atomically rewrites the version map."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.path = self.root / VERSION_MAP

    def display(self) -> str:
        """The absolute path of `version_map.json`."""
        return str(self.path)

    def load(self) -> JsonObject:
        """The version map; an empty one when the file does not exist."""
        if not self.path.exists():
            return {"chapters": {}, "generated_at": None}
        data = read_json(self.path, self.root)
        if not isinstance(data, dict):
            raise self._invalid("top level must be a JSON object")
        if not isinstance(data.setdefault("chapters", {}), dict):
            raise self._invalid("chapters must be a JSON object")
        return data

    def record(self, chapter_id: str, commit_hash: str | None, timestamp: str) -> None:
        """Set `chapters[chapter_id]` and `generated_at`, creating the file if missing."""
        data = self.load()
        data["chapters"][chapter_id] = commit_hash
        data["generated_at"] = timestamp
        write_json(self.path, data)

    def _invalid(self, problem: str) -> KernelError:
        return KernelError(f"Invalid version map: {self.path}: {problem}")
