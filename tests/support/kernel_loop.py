"""A kernel wired to in-memory fakes for every port (no files, no git, no model server), with
the fakes at hand for assertions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from state_runner.domain.kernel import Kernel, KernelOptions, KernelPorts, RunOutcome
from state_runner.domain.llm import LLMResponse, LLMUsage
from state_runner.domain.model import new_chapter_entry, new_ledger
from support.fakes import (
    FakeClock,
    FakeLedgerSource,
    FakeRoleFiles,
    FakeStateUnitOfWork,
    FakeVcs,
    FakeWorkspace,
    ScriptedLLM,
)

CHAPTER = "# One\n\n## Thesis\n\nA thesis body.\n\n## Trade-offs\n\nSome trade-offs.\n"
PLAN = {"focus_areas": ["## Thesis"], "structural_changes": [], "risk_flags": [],
        "target_word_delta": "+10"}  # fmt: skip
APPROVE = {"structure_score": 1, "clarity_score": 1, "example_density": 1,
           "tradeoff_presence": True, "failure_modes_present": True, "drift_score": 0.0,
           "violations": [], "decision": "approve"}  # fmt: skip
EVALS = {
    "chapter-quality": {"required_headings": ["## Thesis"], "thresholds": {"refine_min_total": 0}},
    "style-guard": {},
    "drift-detection": {"hype": {"keywords": [], "patterns": []}},
}
ITERATION_WRITES = [
    "begin", "write_chapter", "add_metrics_entry", "add_chapter_log_entry", "commit", "save_ledger"
]  # fmt: skip


def revise(text: str) -> str:
    return text.replace("A thesis body.", "A thesis body, sharpened.")


@dataclass
class Loop:
    """A kernel wired to fakes, with the fakes at hand for assertions."""

    workspace: FakeWorkspace
    files: FakeRoleFiles
    ledger: dict[str, Any]
    state: FakeStateUnitOfWork
    llm: ScriptedLLM
    clock: FakeClock = field(default_factory=FakeClock)
    progress: list[str] = field(default_factory=list)  # the progress lines, in order

    def run(self, **options: Any) -> RunOutcome:
        ports = KernelPorts(
            workspace=self.workspace,
            files=self.files,
            ledger=FakeLedgerSource(self.ledger),
            state=self.state,
            vcs=FakeVcs(),
            clock=self.clock,
            llm=self.llm,
            progress=self.progress.append,
        )
        return Kernel(ports).run(KernelOptions(chapter_id="01", **options))

    @property
    def chapter(self) -> dict[str, Any]:
        entry: dict[str, Any] = self.ledger["chapters"]["01"]
        return entry


def reply(data: object) -> Any:
    return lambda _messages: LLMResponse(json.dumps(data), LLMUsage(3, 5))


def writer(edit: Any = revise) -> Any:
    def answer(messages: Any) -> LLMResponse:
        text = messages[-1].content.split("===CHAPTER_START===\n")[1].split("\n===CHAPTER_END")[0]
        return LLMResponse(edit(text + "\n"), LLMUsage(3, 5))

    return answer


def make_loop(critic: object = APPROVE, writer_edit: Any = revise, rule: int | None = None) -> Loop:
    files = {"book/01.md": CHAPTER, "book/02.md": "# Two\n\n## Thesis\n\nOther.\n"}
    files |= {f"evals/{name}.yaml": "version: 1\n" for name in EVALS}
    files |= {f"prompts/{role}.md": f"{role} contract" for role in ("planner", "writer", "critic")}
    docs: dict[str, object] = {f"evals/{name}.yaml": doc for name, doc in EVALS.items()}
    workspace = FakeWorkspace(files=files, yaml_docs=docs)
    ledger: dict[str, Any] = new_ledger()  # a ledger `governance validate` accepts
    ledger["chapters"] = {
        "01": new_chapter_entry("book/01.md"),
        "02": new_chapter_entry("book/02.md"),
    }
    del ledger["chapter_lifecycle_rules"]["transitions"]
    if rule is not None:
        transitions = {"draft_to_refined": {"required_consecutive_passes": rule}}
        ledger["chapter_lifecycle_rules"]["transitions"] = transitions
    llm = ScriptedLLM(
        overrides={"planner": reply(PLAN), "writer": writer(writer_edit), "critic": reply(critic)}
    )
    return Loop(workspace, FakeRoleFiles(), ledger, FakeStateUnitOfWork(workspace), llm)


def payloads(loop: Loop, iteration: int, kind: str) -> list[dict[str, Any]]:
    """The payloads of the iteration's events of one kind, in order."""
    events = loop.files.iteration("01", iteration).events
    return [payload for name, payload in events if name == kind]


class StillClock(FakeClock):
    """A monotonic clock that does not move: everything takes no time."""

    def monotonic_ms(self) -> float:
        return 1000.0
