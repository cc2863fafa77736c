"""The kernel's event log (docs/kernel-contract.md 7.5): each event's payload, the phases'
statuses and budget signals, and `duration_ms` as a non-negative integer."""

from __future__ import annotations

from state_runner.domain import trace_events
from state_runner.domain.errors import KernelError
from support.fakes import FakeClock, FakeIterationFiles
from support.kernel_loop import APPROVE, make_loop, payloads


def test_a_phase_lasts_from_its_start_to_now_in_whole_milliseconds() -> None:
    files = FakeIterationFiles("io/01/iter_01")
    trace_events.phase(files, FakeClock(ticks=100.0), "evaluation", "pass", 40.0, {"a": 1})
    assert files.events == [
        (
            "phase_trace",
            {"phase": "evaluation", "status": "pass", "duration_ms": 65, "budget_signal": {"a": 1}},
        )
    ]


def test_a_phase_duration_is_rounded_to_the_nearest_millisecond() -> None:
    files = FakeIterationFiles("io/01/iter_01")
    trace_events.phase(files, FakeClock(ticks=0.0), "evaluation", "pass", 1.4, {})
    assert files.events[0][1]["duration_ms"] == 4  # 5.0 - 1.4 = 3.6


def test_a_clock_that_went_back_gives_a_zero_duration_not_a_negative_one() -> None:
    files = FakeIterationFiles("io/01/iter_01")
    trace_events.phase(files, FakeClock(ticks=0.0), "evaluation", "pass", 200.0, {})
    assert files.events[0][1]["duration_ms"] == 0


def test_a_failed_iteration_logs_its_number_and_the_printed_error() -> None:
    files = FakeIterationFiles("io/01/iter_03")
    trace_events.failed(files, 3, KernelError("Writer LLM call failed: boom"))
    assert files.events == [
        ("iteration_failed", {"iteration": 3, "error": "Writer LLM call failed: boom"})
    ]


def test_an_evaluated_iteration_logs_the_verdict_and_the_evaluation_phase() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1)
    ratio = 2 / 9  # one line of the nine-line chapter replaced: one deleted, one inserted
    assert payloads(loop, 1, "iteration_evaluated") == [
        {
            "iteration": 1,
            "critic_decision": "approve",
            "diff_ratio": ratio,
            "drift_score": 0.0,
            "deterministic_pass": True,
            "pass_now": True,
            "rationale": "critic=approve; deterministic=pass; drift_score=0.00 (cap 0.30)",
        }
    ]
    evaluation = [p for p in payloads(loop, 1, "phase_trace") if p["phase"] == "evaluation"]
    assert [(p["status"], p["budget_signal"]) for p in evaluation] == [
        ("pass", {"diff_ratio": ratio, "drift_score": 0.0, "deterministic_pass": True})
    ]


def test_an_iteration_that_does_not_pass_has_the_refine_status() -> None:
    loop = make_loop(critic={**APPROVE, "decision": "refine"})
    loop.run(use_llm=True, max_iterations=1, max_drift_score=0.25)
    (evaluated,) = payloads(loop, 1, "iteration_evaluated")
    assert (evaluated["critic_decision"], evaluated["pass_now"]) == ("refine", False)
    assert evaluated["rationale"] == (
        "critic=refine; deterministic=pass; drift_score=0.00 (cap 0.25)"
    )
    statuses = [(p["phase"], p["status"]) for p in payloads(loop, 1, "phase_trace")]
    assert ("evaluation", "refine") in statuses


def test_a_persisted_iteration_logs_the_streak_and_the_chapter_state() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1, require_two_consecutive_passes=True)
    assert payloads(loop, 1, "state_persisted") == [
        {"iteration": 1, "consecutive_passes": 1, "status": "active_refinement",
         "lifecycle": "draft"}
    ]  # fmt: skip
    persistence = [p for p in payloads(loop, 1, "phase_trace") if p["phase"] == "state_persistence"]
    assert [(p["status"], p["budget_signal"]) for p in persistence] == [
        ("ok", {"consecutive_passes": 1, "require_two_consecutive_passes": True})
    ]


def test_the_persistence_phase_records_single_pass_mode() -> None:
    loop = make_loop()
    loop.run(use_llm=True, max_iterations=1, require_two_consecutive_passes=False)
    (persisted,) = payloads(loop, 1, "state_persisted")
    assert (persisted["status"], persisted["lifecycle"]) == ("active_refinement", "refined")
    persistence = [p for p in payloads(loop, 1, "phase_trace") if p["phase"] == "state_persistence"]
    assert persistence[0]["budget_signal"] == {
        "consecutive_passes": 1, "require_two_consecutive_passes": False
    }  # fmt: skip
