"""Ports the kernel needs from the outside world (implemented in `adapters`).

Paths crossing these ports are workspace-relative POSIX strings; adapters resolve them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from state_runner.domain.llm import LLMUsage

JsonObject = dict[str, Any]

RepoEntry = Callable[[list[str], str | None], JsonObject]
"""Builds the repo log entry from the changed files and the promotion commit's hash."""


@dataclass(frozen=True)
class Promotion:
    """A promotion to commit with git: message, timestamp, and what is said when a later run's
    repair completes it (`completed_note`) or a failed commit undoes it (`rolled_back`)."""

    message: str
    timestamp: str
    completed_note: str
    rolled_back: str


class Clock(Protocol):
    """Wall-clock timestamps and a monotonic timer."""

    def now_iso(self) -> str:
        """UTC ISO-8601 with seconds precision and a `Z` suffix."""
        ...

    def monotonic_ms(self) -> float: ...


class Workspace(Protocol):
    """The book repository: chapters, prompts, evals, ROADMAP (read side)."""

    def resolve_chapter_path(self, raw: object) -> str:
        """Validate a ledger `path` value; returns a normalised relative path inside the root."""
        ...

    def exists(self, rel_path: str) -> bool: ...

    def read_text(self, rel_path: str) -> str:
        """UTF-8 text; `KernelError('Missing file: <path>')` when absent."""
        ...

    def parse_yaml(self, text: str, rel_path: str) -> Any:
        """The YAML document `text` read from `rel_path`; `KernelError` when unparsable."""
        ...


class IterationFiles(Protocol):
    """The files of one chapter iteration: `in/`, `out/`, `out/_llm_trace/`, the event log."""

    def write_input(self, name: str, text: str) -> None: ...

    def read_output(self, name: str) -> str | None:
        """The text of `out/<name>`, or None when the file does not exist."""
        ...

    def write_output(self, name: str, text: str) -> None: ...

    def shown(self, name: str) -> str:
        """How `out/<name>` is named to a person (relative to the workspace when inside it)."""
        ...

    def shown_folder(self) -> str: ...

    def trace(self, name: str, prompt: str, response: str) -> None:
        """`_llm_trace/<name>.prompt.txt` and `.response.txt`."""
        ...

    def event(self, event: str, payload: Mapping[str, Any]) -> None:
        """One line of `kernel_trace.jsonl`."""
        ...

    def has_llm_trace(self, role: str) -> bool:
        """Whether `_llm_trace/<role>.response.txt` exists (the LLM made that output)."""
        ...

    def reject(self, roles: Sequence[str]) -> str:
        """Move these roles' outputs and traces to `out/rejected/<n>/`; returns that folder
        as shown to a person."""
        ...


class RoleFiles(Protocol):
    """Opens the files of any chapter iteration."""

    def iteration(self, chapter_id: str, iteration: int) -> IterationFiles: ...


class LedgerSource(Protocol):
    """Reads `state/ledger.json`."""

    def display(self) -> str: ...

    def load(self) -> JsonObject:
        """The ledger as `ledger.json` shows it (log lists hold a bounded tail)."""
        ...


class StateUnitOfWork(Protocol):
    """One iteration's state writes, all or nothing: staged after `begin`, written by `commit`.

    `commit` writes the chapter, metrics history, chapter and repo logs, the ledger and (on a
    promotion with git) the version map and the commit, in the adapter's crash-safe order.
    """

    def recover(self) -> str | None:
        """Undo an iteration a crash interrupted; returns a note when it did."""
        ...

    def check(self) -> None:
        """Raise `KernelError` when a state file the run will append to is unusable."""
        ...

    def begin(self, chapter_id: str, chapter_path: str, undo_note: str) -> None: ...

    def write_chapter(self, text: str) -> None: ...

    def add_metrics_entry(self, entry: JsonObject) -> None: ...

    def add_chapter_log_entry(self, entry: JsonObject) -> None: ...

    def commit(
        self, ledger: JsonObject, repo_entry: RepoEntry, promotion: Promotion | None = None
    ) -> str | None:
        """Write everything; returns the promotion commit's hash when one was made."""
        ...

    def save_ledger(self, ledger: JsonObject) -> None:
        """Write `ledger.json` alone (a status change outside an iteration, e.g. `hold`)."""
        ...


class Vcs(Protocol):
    """The workspace's version control, as the kernel's preflight sees it."""

    def changed_files(self) -> list[str]:
        """Paths changed against HEAD (staged, unstaged, unpushed) plus untracked files."""
        ...

    def check_commit_ready(self) -> None:
        """Raise `KernelError` when the repository cannot take a promotion commit now."""
        ...


class CallObserver(Protocol):
    """Watches the model calls of a run (live progress, the end-of-run summary)."""

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        """A call to `role`'s model starts."""
        ...

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        """That call returned; what it used and how long it took."""
        ...


class NoObserver:
    """The default: nobody watches."""

    def asking(self, chapter_id: str, iteration: int, role: str) -> None:
        return None

    def answered(self, role: str, usage: LLMUsage, duration_ms: int) -> None:
        return None
