"""In-memory fakes for the kernel's ports: a scripted LLM and one fake per other port."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from state_runner.adapters.llm.mock import mock_reply
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import ChatMessage, LLMResponse, LLMUsage
from state_runner.domain.ports import Promotion, RepoEntry

Responder = Callable[[Sequence[ChatMessage]], LLMResponse]


def role_of(messages: Sequence[ChatMessage]) -> str:
    """Which kernel role a request is for, from the kernel's fixed user-text shapes."""
    user = messages[-1].content
    if "===CHAPTER_START===" in user:
        return "writer"
    if "Planner input (JSON):" in user:
        return "planner"
    return "critic"


@dataclass
class ScriptedLLM:
    """Answers like the mock, with configurable usage and per-role overrides; records calls."""

    usage: LLMUsage = field(default_factory=lambda: LLMUsage(3, 5))
    overrides: dict[str, Responder] = field(default_factory=dict)
    calls: list[tuple[str, list[ChatMessage]]] = field(default_factory=list)
    closed: int = 0

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        role = role_of(messages)
        self.calls.append((role, list(messages)))
        if role in self.overrides:
            return self.overrides[role](messages)
        return LLMResponse(mock_reply("\n".join(m.content for m in messages)), self.usage)

    def close(self) -> None:
        self.closed += 1


# -- in-memory fakes for the kernel's other ports (cosmicpython style) ---------------------------


@dataclass
class FakeClock:
    """A fixed wall clock and a monotonic clock that advances 5 ms per reading."""

    now: str = "2026-01-01T00:00:00Z"
    ticks: float = 0.0

    def now_iso(self) -> str:
        return self.now

    def monotonic_ms(self) -> float:
        self.ticks += 5.0
        return self.ticks


@dataclass
class FakeWorkspace:
    """Text files and already-parsed YAML documents, keyed by workspace-relative path."""

    files: dict[str, str] = field(default_factory=dict)
    yaml_docs: dict[str, object] = field(default_factory=dict)

    def resolve_chapter_path(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise KernelError("Chapter is missing a valid path")
        return raw

    def exists(self, rel_path: str) -> bool:
        return rel_path in self.files

    def read_text(self, rel_path: str) -> str:
        if rel_path not in self.files:
            raise KernelError(f"Missing file: {rel_path}")
        return self.files[rel_path]

    def parse_yaml(self, text: str, rel_path: str) -> object:
        return self.yaml_docs.get(rel_path)


@dataclass
class FakeIterationFiles:
    """One iteration's files in memory; `events` keeps the event log in order."""

    folder: str
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    traces: dict[str, tuple[str, str]] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def write_input(self, name: str, text: str) -> None:
        self.inputs[name] = text

    def read_output(self, name: str) -> str | None:
        return self.outputs.get(name)

    def write_output(self, name: str, text: str) -> None:
        self.outputs[name] = text

    def shown(self, name: str) -> str:
        return f"{self.folder}/out/{name}"

    def shown_folder(self) -> str:
        return self.folder

    def trace(self, name: str, prompt: str, response: str) -> None:
        self.traces[name] = (prompt, response)

    def event(self, event: str, payload: Mapping[str, Any]) -> None:
        self.events.append((event, dict(payload)))

    def has_llm_trace(self, role: str) -> bool:
        return role in self.traces

    def reject(self, roles: Sequence[str]) -> str:
        names = [name for name in self.outputs if name.split(".")[0] in roles]
        moved = {name: self.outputs.pop(name) for name in names}
        for name in [n for n in self.traces if n.split(".")[0] in roles]:
            del self.traces[name]
        self.rejected.append(moved)
        return f"{self.folder}/out/rejected/{len(self.rejected)}"


@dataclass
class FakeRoleFiles:
    iterations: dict[tuple[str, int], FakeIterationFiles] = field(default_factory=dict)

    def iteration(self, chapter_id: str, iteration: int) -> FakeIterationFiles:
        key = (chapter_id, iteration)
        if key not in self.iterations:
            self.iterations[key] = FakeIterationFiles(f"io/{chapter_id}/iter_{iteration:02d}")
        return self.iterations[key]


@dataclass
class FakeLedgerSource:
    ledger: dict[str, Any]

    def display(self) -> str:
        return "state/ledger.json"

    def load(self) -> dict[str, Any]:
        return self.ledger


@dataclass
class FakeStateUnitOfWork:
    """Records every call; `commit` applies the staged writes to the fake workspace and logs."""

    workspace: FakeWorkspace
    calls: list[str] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    chapter_log: list[dict[str, Any]] = field(default_factory=list)
    repo_log: list[dict[str, Any]] = field(default_factory=list)
    saved_ledgers: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    _staged: dict[str, Any] = field(default_factory=dict)

    def recover(self) -> str | None:
        self.calls.append("recover")
        return None

    def check(self) -> None:
        self.calls.append("check")

    def begin(self, chapter_id: str, chapter_path: str, undo_note: str) -> None:
        self.calls.append("begin")
        self._staged = {"path": chapter_path, "metrics": [], "log": []}

    def write_chapter(self, text: str) -> None:
        self.calls.append("write_chapter")
        self._staged["text"] = text

    def add_metrics_entry(self, entry: dict[str, Any]) -> None:
        self.calls.append("add_metrics_entry")
        self._staged["metrics"].append(entry)

    def add_chapter_log_entry(self, entry: dict[str, Any]) -> None:
        self.calls.append("add_chapter_log_entry")
        self._staged["log"].append(entry)

    def commit(
        self, ledger: dict[str, Any], repo_entry: RepoEntry, promotion: Promotion | None = None
    ) -> str | None:
        self.calls.append("commit")
        staged, self._staged = self._staged, {}
        self.workspace.files[staged["path"]] = staged["text"]
        self.metrics += staged["metrics"]
        self.chapter_log += staged["log"]
        commit_hash = None
        if promotion is not None:
            commit_hash = f"c{len(self.commits) + 1:039d}"
            self.commits.append(promotion.message)
        entry = repo_entry([staged["path"], "state/ledger.json"], commit_hash)
        self.repo_log.append(entry)
        ledger.setdefault("repo_iteration_log", []).append(entry)
        self.save_ledger(ledger)
        return commit_hash

    def save_ledger(self, ledger: dict[str, Any]) -> None:
        self.calls.append("save_ledger")
        self.saved_ledgers.append(json.dumps(ledger, sort_keys=True))


@dataclass
class FakeVcs:
    changed: list[str] = field(default_factory=list)

    def changed_files(self) -> list[str]:
        return list(self.changed)

    def check_commit_ready(self) -> None:
        pass
