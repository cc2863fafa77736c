"""Ports the kernel needs from the outside world (implemented in `adapters`).

Paths crossing these ports are workspace-relative POSIX strings; adapters resolve them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

JsonObject = dict[str, Any]


class Clock(Protocol):
    """Wall-clock timestamps and a monotonic timer."""

    def now_iso(self) -> str:
        """UTC ISO-8601 with seconds precision and a `Z` suffix."""
        ...

    def monotonic_ms(self) -> float: ...


class Workspace(Protocol):
    """The book repository: chapters, prompts, evals, ROADMAP."""

    def resolve_chapter_path(self, raw: object) -> str:
        """Validate a ledger `path` value; returns a normalised relative path inside the root."""
        ...

    def exists(self, rel_path: str) -> bool: ...

    def read_text(self, rel_path: str) -> str:
        """UTF-8 text; `KernelError('Missing file: <path>')` when absent."""
        ...

    def write_text(self, rel_path: str, text: str) -> None:
        """Atomic write (temp file, fsync, rename)."""
        ...

    def read_yaml(self, rel_path: str) -> Any:
        """Parsed YAML document; `KernelError` when missing or unparsable."""
        ...


class RoleIO(Protocol):
    """Per-iteration role input/output files under `<io-dir>/<chapter>/iter_NN/`."""

    def write_input(self, chapter_id: str, iteration: int, name: str, text: str) -> None: ...

    def read_output(self, chapter_id: str, iteration: int, name: str) -> str | None:
        """The text of `out/<name>`, or None when the file does not exist."""
        ...

    def write_output(self, chapter_id: str, iteration: int, name: str, text: str) -> None: ...

    def output_display(self, chapter_id: str, iteration: int, name: str) -> str:
        """How `out/<name>` is named to a person (relative to the workspace when inside it)."""
        ...

    def iteration_display(self, chapter_id: str, iteration: int) -> str: ...

    def has_llm_trace(self, chapter_id: str, iteration: int, role: str) -> bool:
        """Whether `out/_llm_trace/<role>.response.txt` exists (the LLM made that output)."""
        ...

    def reject(self, chapter_id: str, iteration: int, roles: Sequence[str]) -> str:
        """Move these roles' outputs and traces to `out/rejected/<n>/`; returns that folder
        as shown to a person."""
        ...


class TraceSink(Protocol):
    """Raw LLM prompt/response traces and the kernel event log of an iteration."""

    def llm_trace(
        self, chapter_id: str, iteration: int, role: str, prompt: str, response: str
    ) -> None: ...

    def event(
        self, chapter_id: str, iteration: int, event: str, payload: Mapping[str, Any]
    ) -> None: ...


class LedgerStore(Protocol):
    """`state/ledger.json` plus its append-only iteration logs."""

    def display(self) -> str: ...

    def load(self) -> JsonObject:
        """The ledger as `ledger.json` shows it (log lists hold a bounded tail)."""
        ...

    def append_chapter_log(self, ledger: JsonObject, chapter_id: str, entry: JsonObject) -> None:
        """Append to the chapter's log file and to the in-memory tail (call `save` after)."""
        ...

    def append_repo_log(self, ledger: JsonObject, entry: JsonObject) -> None:
        """Append to the repo log file and to the in-memory tail (call `save` after)."""
        ...

    def save(self, ledger: JsonObject) -> None:
        """Write `ledger.json` atomically."""
        ...


class MetricsStore(Protocol):
    """`state/metrics.json` plus append-only per-chapter history files."""

    def check(self) -> None:
        """Raise `KernelError` when the metrics file exists but is unusable."""
        ...

    def append_history(self, chapter_id: str, entry: JsonObject) -> None: ...


class VersionMapStore(Protocol):
    """`state/version_map.json`: chapter id -> commit of its last promotion."""

    def record(self, chapter_id: str, commit_hash: str | None, timestamp: str) -> None: ...


class Vcs(Protocol):
    """The workspace's version control."""

    def changed_files(self) -> list[str]:
        """Paths changed against HEAD (staged, unstaged, unpushed) plus untracked files."""
        ...

    def head(self) -> str | None: ...

    def commit(self, paths: Sequence[str], message: str) -> str:
        """Stage `paths`, commit, return the new commit hash."""
        ...


class Journal(Protocol):
    """Makes one iteration's state writes all-or-nothing across a crash."""

    def begin(self, chapter_path: str, note: str) -> None:
        """Record the state as it is, before the iteration's first state write."""
        ...

    def commit(self) -> None:
        """The iteration's writes are complete: forget the record."""
        ...

    def recover(self) -> str | None:
        """Undo an iteration a crash interrupted; returns a note when it did."""
        ...
