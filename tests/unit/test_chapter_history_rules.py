"""The report's per-iteration numbers, field by field (docs/kernel-contract.md, section 2.3:
`state-runner report`): where each comes from, what a missing or odd value reads as, and which
record of an iteration wins."""

from __future__ import annotations

from typing import Any

from state_runner.domain.chapter_history import IterationPoint, chapter_history

CID = "01-intro"


def note(iteration: int, cid: str = CID) -> dict[str, Any]:
    return {"notes": f"Kernel refinement iteration {iteration} for {cid}"}


def test_every_number_of_an_iteration_comes_from_its_own_log() -> None:
    critic = {"structure_score": 0.6, "clarity_score": 0.7, "example_density": 0.2,
              "drift_score": 0.1, "decision": "reject", "violations": ["too long", 3]}  # fmt: skip
    repo = {
        "iteration": 7, "inputs": note(1), "timestamp": "2026-02-01T00:00:00Z",
        "resource_usage": {"prompt_tokens": 120, "completion_tokens": 30},
        "evals": {"chapter_quality": {"pass": False, "total": 0.45}, "style_guard": {"pass": True},
                  "drift_detection": {"pass": False}},
        "outcome": {"status": "refine", "decision": "refine"},
    }  # fmt: skip
    points = chapter_history(
        CID,
        [{"iteration": 1, "critic": critic}],
        [{"iteration": 1, "drift_score": 0.15, "diff_size": 0.3}],
        [repo],
    )
    assert points == [
        IterationPoint(
            iteration=1,
            critic={
                "structure_score": 0.6,
                "clarity_score": 0.7,
                "example_density": 0.2,
                "drift_score": 0.1,
            },
            critic_decision="reject",
            quality_total=0.45,
            drift_score=0.15,
            diff_ratio=0.3,
            prompt_tokens=120,
            completion_tokens=30,
            verdict="refine",
            failed_checks=[  # the failing evals, as the run's summary words them
                "chapter-quality: section scores total 0.45",
                "drift: drift score 0.15",
            ],
            reasons=["critic decided reject", "too long", "3"],
            timestamp="2026-02-01T00:00:00Z",
        )
    ]
    assert points[0].tokens == 150


def test_an_iteration_only_one_log_knows_has_empty_values_for_the_rest() -> None:
    assert chapter_history(CID, [], [{"iteration": 2}], []) == [IterationPoint(iteration=2)]
    assert IterationPoint(iteration=2) == IterationPoint(
        iteration=2, critic={}, critic_decision="", quality_total=None, drift_score=None,
        diff_ratio=None, prompt_tokens=0, completion_tokens=0, verdict="", failed_checks=[],
        reasons=[], timestamp="",
    )  # fmt: skip


def test_iterations_of_all_three_logs_are_joined_in_order() -> None:
    repo = [{"inputs": note(2), "outcome": {"status": "passed"}}]
    points = chapter_history(CID, [{"iteration": 3}], [{"iteration": 1}], repo)
    assert [(p.iteration, p.verdict) for p in points] == [(1, ""), (2, "passed"), (3, "")]


def test_the_last_record_of_an_iteration_wins_in_every_log() -> None:
    metrics = [{"iteration": 1, "critic": {"decision": "refine"}},
               {"iteration": 1, "critic": {"decision": "approve"}}]  # fmt: skip
    log = [{"iteration": 1, "diff_size": 0.9}, {"iteration": 1, "diff_size": 0.4}]
    repo = [{"inputs": note(1), "timestamp": "first"}, {"inputs": note(1), "timestamp": "second"}]
    [point] = chapter_history(CID, metrics, log, repo)
    assert (point.critic_decision, point.diff_ratio, point.timestamp) == ("approve", 0.4, "second")


def test_records_whose_iteration_is_not_an_integer_are_ignored() -> None:
    metrics: list[dict[str, Any]] = [{"iteration": True}, {"iteration": "1"}, {"iteration": 1.0}]
    assert chapter_history(CID, metrics, [{"critic": {}}], []) == []


def test_repo_entries_of_other_chapters_or_without_the_kernel_note_are_left_out() -> None:
    repo = [
        {"iteration": 1, "inputs": note(1, "01-intro-2"), "timestamp": "other chapter"},
        {"iteration": 2, "inputs": {"notes": "manual edit"}, "timestamp": "no note"},
        {"iteration": 3, "inputs": {"notes": 5}, "timestamp": "note not text"},
        {"iteration": 4, "inputs": "not an object", "timestamp": "no inputs"},
    ]
    assert chapter_history(CID, [], [], repo) == []


def test_an_approving_critic_and_passing_evals_give_no_reasons() -> None:
    metrics = [{"iteration": 1, "critic": {"decision": "approve", "violations": "none"}}]
    repo = [{"inputs": note(1), "evals": {"chapter_quality": {"total": 0.9}, "style_guard": {}}}]
    [point] = chapter_history(CID, metrics, [], repo)
    assert (point.reasons, point.critic_decision) == ([], "approve")


def test_a_missing_decision_is_no_reason_but_its_violations_are() -> None:
    metrics = [{"iteration": 1, "critic": {"decision": None, "violations": ["hype"]}}]
    [point] = chapter_history(CID, metrics, [], [])
    assert (point.reasons, point.critic_decision) == (["hype"], "")


def test_values_that_are_not_numbers_read_as_absent() -> None:
    critic = {"structure_score": "0.6", "clarity_score": True, "example_density": 1,
              "drift_score": None, "decision": "refine"}  # fmt: skip
    repo = {"inputs": note(1), "resource_usage": {"prompt_tokens": 12.0, "completion_tokens": True},
            "evals": {"chapter_quality": {"total": "high"}}}  # fmt: skip
    [point] = chapter_history(
        CID, [{"iteration": 1, "critic": critic}], [{"iteration": 1, "drift_score": "x"}], [repo]
    )
    assert point.critic == {"example_density": 1.0}
    assert (point.quality_total, point.drift_score, point.diff_ratio) == (None, None, None)
    assert (point.prompt_tokens, point.completion_tokens) == (12, 0)
