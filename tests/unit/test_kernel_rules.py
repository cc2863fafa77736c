"""The refine loop's own steps (docs/kernel-contract.md 3, 7.5) on the in-memory kit: the events
it logs, the progress lines, the input files and the outcome of holding or promoting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from state_runner.domain import roles
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import Kernel, KernelOptions, KernelPorts, RunOutcome
from support.fakes import FakeClock, FakeLedgerSource, FakeStateUnitOfWork, FakeVcs, ScriptedLLM
from support.kernel_loop import APPROVE, CHAPTER, Loop, make_loop, payloads, revise


def run_with_progress(loop: Loop, **options: Any) -> tuple[RunOutcome, list[str]]:
    lines: list[str] = []
    ports = KernelPorts(
        workspace=loop.workspace, files=loop.files, ledger=FakeLedgerSource(loop.ledger),
        state=loop.state, vcs=FakeVcs(), clock=FakeClock(), llm=loop.llm, progress=lines.append,
    )  # fmt: skip
    return Kernel(ports).run(KernelOptions(chapter_id="01", **options)), lines


def test_llm_mode_without_a_provider_is_refused() -> None:
    loop = make_loop()
    ports = KernelPorts(
        workspace=loop.workspace, files=loop.files, ledger=FakeLedgerSource(loop.ledger),
        state=loop.state, vcs=FakeVcs(), clock=FakeClock(),
    )  # fmt: skip
    with pytest.raises(KernelError) as caught:
        Kernel(ports).run(KernelOptions(chapter_id="01", use_llm=True))
    assert caught.value.message == "LLM mode needs an LLM provider"
    assert loop.state.calls == []


def test_each_iteration_starts_with_its_caps_in_the_log() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1, max_diff_ratio=0.5, max_drift_score=0.25)
    assert loop.files.iteration("01", 1).events[0] == (
        "iteration_started",
        {"chapter_id": "01", "iteration": 1, "max_diff_ratio": 0.5, "max_drift_score": 0.25},
    )


def test_a_held_run_tells_its_progress_and_logs_the_hold_in_the_last_iteration() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    outcome, lines = run_with_progress(loop, use_llm=True, max_iterations=2)
    assert outcome.iteration_dir == "io/01/iter_02"
    assert payloads(loop, 2, "lifecycle_transition") == [{"iteration": 2, "new_status": "hold"}]
    assert payloads(loop, 1, "lifecycle_transition") == []
    assert [line for line in lines if "asking" not in line] == [
        "01: iteration 1 started",
        "01: iteration 1: critic=refine deterministic=pass diff=0.22 drift=0.00",
        "01: iteration 2 started",
        "01: iteration 2: critic=refine deterministic=pass diff=0.00 drift=0.00",
        "01: max iterations reached; status set to 'hold'",
    ]


def test_a_promotion_is_logged_and_told_with_its_iteration() -> None:
    loop = make_loop(rule=1)
    outcome, lines = run_with_progress(loop, use_llm=True, commit=True)
    assert (outcome.exit_code, outcome.lifecycle, outcome.iteration_dir) == (
        0, "refined", "io/01/iter_01"
    )  # fmt: skip
    assert payloads(loop, 1, "lifecycle_transition") == [
        {"iteration": 1, "new_lifecycle": "refined", "commit_hash": outcome.commit_hash}
    ]
    assert lines[-1] == "01: promoted to 'refined' at iteration 1"


def test_a_promotion_without_a_commit_logs_no_commit_hash() -> None:
    loop = make_loop(rule=1)
    outcome = loop.run(use_llm=True)
    assert outcome.commit_hash is None
    assert payloads(loop, 1, "lifecycle_transition") == [
        {"iteration": 1, "new_lifecycle": "refined"}
    ]


def test_missing_outputs_log_a_failed_phase_with_their_count() -> None:
    loop = make_loop()
    loop.files.iteration("01", 1).outputs["planner.json"] = "{}"
    outcome = loop.run()
    assert (outcome.exit_code, outcome.iteration_dir) == (2, "io/01/iter_01")
    (phase,) = payloads(loop, 1, "phase_trace")
    assert (phase["phase"], phase["status"], phase["budget_signal"]) == (
        "role_output_ready", "failed", {"missing_outputs": 2}
    )  # fmt: skip


def test_the_output_phase_records_the_iterations_tokens() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1)
    first = payloads(loop, 1, "phase_trace")[0]
    assert (first["phase"], first["status"], first["budget_signal"]) == (
        "role_output_ready", "ok", {"llm_prompt_tokens": 9, "llm_completion_tokens": 15}
    )  # fmt: skip


def test_the_inputs_are_the_chapter_and_the_instruction_files() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1)
    inputs = loop.files.iteration("01", 1).inputs
    assert sorted(inputs) == sorted(
        ["planner_input.json", "writer_chapter.md", "writer_instructions.txt",
         "critic_instructions.txt"]
    )  # fmt: skip
    assert inputs["writer_chapter.md"] == CHAPTER
    assert inputs["writer_instructions.txt"] == roles.WRITER_INSTRUCTIONS
    assert inputs["critic_instructions.txt"] == roles.CRITIC_INSTRUCTIONS


def test_ad_hoc_instructions_reach_the_instruction_files_and_their_own_input() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1, adhoc_instructions="Be brief.")
    inputs = loop.files.iteration("01", 1).inputs
    assert inputs["adhoc_instructions.txt"] == "Be brief.\n"
    suffix = "\nADHOC INSTRUCTIONS:\nBe brief.\n"
    assert inputs["writer_instructions.txt"] == roles.WRITER_INSTRUCTIONS + suffix
    assert inputs["critic_instructions.txt"] == roles.CRITIC_INSTRUCTIONS + suffix


def test_a_failed_iteration_ends_its_log_with_the_error() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "maybe"})
    with pytest.raises(KernelError) as caught:
        loop.run(use_llm=True, max_iterations=1)
    events = loop.files.iteration("01", 1).events
    assert events[-1] == ("iteration_failed", {"iteration": 1, "error": caught.value.message})
    assert events[-2][0] == "outputs_rejected"


def test_the_next_iteration_plans_with_the_critics_feedback_on_the_revised_chapter() -> None:
    critic = {**APPROVE, "decision": "refine"}
    loop = make_loop(critic=critic)
    loop.run(use_llm=True, max_iterations=2)
    first = json.loads(loop.files.iteration("01", 1).inputs["planner_input.json"])
    second = json.loads(loop.files.iteration("01", 2).inputs["planner_input.json"])
    assert (first["chapter_id"], first["chapter_content"]) == ("01", CHAPTER)
    assert first["previous_critic_feedback"] is None
    assert second["previous_critic_feedback"] == critic
    assert second["chapter_content"] == revise(CHAPTER)
    assert loop.files.iteration("01", 2).inputs["writer_chapter.md"] == revise(CHAPTER)


@dataclass
class NotingState(FakeStateUnitOfWork):
    """Keeps what each `begin` was told: the chapter, its path and the undo note."""

    begun: list[tuple[str, str, str]] = field(default_factory=list)

    def begin(self, chapter_id: str, chapter_path: str, undo_note: str) -> None:
        self.begun.append((chapter_id, chapter_path, undo_note))
        super().begin(chapter_id, chapter_path, undo_note)


def test_each_iteration_opens_its_state_writes_with_the_note_a_crash_repair_prints() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    loop.state = NotingState(loop.workspace)
    loop.run(use_llm=True, max_iterations=2)
    assert loop.state.begun == [
        ("01", "book/01.md", f"iteration {n} of 01 was undone and will run again") for n in (1, 2)
    ]


@dataclass
class WarmingLLM(ScriptedLLM):
    warmed: int = 0

    def warm_up(self) -> None:
        self.warmed += 1


def test_a_role_with_its_own_model_has_that_model_warmed_up_once() -> None:
    loop = make_loop()
    writer_llm = WarmingLLM(overrides={"writer": loop.llm.overrides["writer"]})
    ports = KernelPorts(
        workspace=loop.workspace, files=loop.files, ledger=FakeLedgerSource(loop.ledger),
        state=loop.state, vcs=FakeVcs(), clock=FakeClock(), llm=loop.llm,
        role_llms={"writer": writer_llm},
    )  # fmt: skip
    Kernel(ports).run(KernelOptions(chapter_id="01", use_llm=True, max_iterations=1))
    assert writer_llm.warmed == 1
    assert [role for role, _ in writer_llm.calls] == ["writer"]


def test_the_progress_line_tells_a_failed_deterministic_check() -> None:
    loop = make_loop(writer_edit=lambda text: revise(text).replace("sharpened", "world-class"))
    _, lines = run_with_progress(loop, use_llm=True, max_iterations=1)
    assert "01: iteration 1: critic=approve deterministic=fail diff=0.22 drift=0.00" in lines
