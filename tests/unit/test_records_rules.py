"""What one iteration writes into the ledger, logs and metrics (domain.records; contract 7).

Every expected value below is the shape of kernel contract sections 7.1-7.4, 7.5 (`rationale`),
7.6 (the undo notice) and 7.7 (the promotion's commit message and rollback sentence).
"""

from __future__ import annotations

from typing import Any

from state_runner.domain import records
from state_runner.domain.contracts import CriticReport, PlannerPlan
from state_runner.domain.evals import DeterministicEval
from state_runner.domain.llm import LLMUsage

CRITIC = CriticReport(
    structure_score=0.9,
    clarity_score=0.6,
    example_density=0.3,
    tradeoff_presence=True,
    failure_modes_present=False,
    drift_score=0.2,
    violations=("too long",),
    decision="approve",
)
CRITIC_JSON = {
    "structure_score": 0.9,
    "clarity_score": 0.6,
    "example_density": 0.3,
    "tradeoff_presence": True,
    "failure_modes_present": False,
    "drift_score": 0.2,
    "violations": ["too long"],
    "decision": "approve",
}
EVALUATION = DeterministicEval(
    passed=False,
    drift_score=0.125,
    similarity_max=0.5,
    chapter_quality={"passed": True},
    style_guard={"passed": False},
    drift_detection={"passed": True},
)


def result(*, pass_now: bool = False, iteration: int = 4, runtime_ms: int = 17) -> Any:
    return records.IterationResult(
        chapter_id="01-intro",
        chapter_path="book/01-intro.md",
        iteration=iteration,
        timestamp="2026-01-02T03:04:05Z",
        plan=PlannerPlan(("## Thesis: tighten", "## Scope"), ("x",), ("y",), "+10"),
        critic=CRITIC,
        evaluation=EVALUATION,
        diff_ratio=0.256,
        deterministic_pass=False,
        pass_now=pass_now,
        consecutive_passes=2,
        usage=LLMUsage(prompt_tokens=120, completion_tokens=45),
        eval_runtime_ms=runtime_ms,
    )


def test_the_chapter_entry_gets_counters_last_eval_metrics_and_stability() -> None:
    chapter: dict[str, Any] = {"revision_count": 3, "stability": {"frozen_candidate": True}}
    records.update_chapter(chapter, result())
    assert chapter == {
        "current_iteration": 4,
        "revision_count": 4,
        "last_eval": {
            "critic": CRITIC_JSON,
            "deterministic": {
                "passed": False,
                "drift_score": 0.125,
                "similarity_max": 0.5,
                "chapter_quality": {"passed": True},
                "style_guard": {"passed": False},
                "drift_detection": {"passed": True},
            },
        },
        "quality_metrics": {
            "structure_score": 0.9,
            "clarity_score": 0.6,
            "example_density": 0.3,
            "tradeoff_presence": True,
            "failure_mode_presence": False,
            "drift_score": 0.125,
        },
        "stability": {
            "frozen_candidate": True,
            "consecutive_passes": 2,
            "last_modified_iteration": 4,
        },
    }


def test_a_missing_stability_and_a_non_integer_revision_count_start_afresh() -> None:
    for revisions in (None, "3", 2.0, True):
        chapter: dict[str, Any] = {"revision_count": revisions, "stability": "junk"}
        records.update_chapter(chapter, result())
        assert chapter["revision_count"] == 1
        assert chapter["stability"] == {
            "frozen_candidate": False,
            "consecutive_passes": 2,
            "last_modified_iteration": 4,
        }


def test_the_chapter_log_entry() -> None:
    assert records.chapter_log_entry(result()) == {
        "iteration": 4,
        "planner_focus": ["## Thesis: tighten", "## Scope"],
        "critic_score": (0.9 + 0.6 + 0.3) / 3.0,
        "drift_score": 0.125,
        "diff_size": 0.256,
    }


def test_the_metrics_history_entry() -> None:
    assert records.metrics_entry(result()) == {
        "timestamp": "2026-01-02T03:04:05Z",
        "iteration": 4,
        "critic": CRITIC_JSON,
        "deterministic": {"passed": False, "drift_score": 0.125, "similarity_max": 0.5},
    }


def repo_entry(pass_now: bool, runtime_ms: int = 17) -> dict[str, Any]:
    return records.repo_log_entry(
        result(pass_now=pass_now, runtime_ms=runtime_ms),
        repo_iteration=9,
        changed_files=["book/01-intro.md", "state/ledger.json"],
        commit_hash=None,
    )


def test_the_repo_log_entry_of_an_iteration_that_refines() -> None:
    assert repo_entry(pass_now=False) == {
        "iteration": 9,
        "timestamp": "2026-01-02T03:04:05Z",
        "agent_task": "kernel_refine",
        "inputs": {
            "changed_files": ["book/01-intro.md", "state/ledger.json"],
            "notes": "Kernel refinement iteration 4 for 01-intro",
        },
        "scope": {
            "chapters_modified": ["01-intro"],
            "patterns_modified": [],
            "governance_modified": False,
        },
        "resource_usage": {"prompt_tokens": 120, "completion_tokens": 45, "eval_runtime_ms": 17},
        "evals": {
            "chapter_quality": {"passed": True},
            "style_guard": {"passed": False},
            "drift_detection": {"passed": True},
        },
        "outcome": {
            "status": "refine",
            "decision": "refine",
            "rationale": "Deterministic eval + critic decision gating.",
        },
        "artifacts": {"commit_hash": None, "diff_summary": "diff_ratio=0.26; drift_score=0.12"},
    }


def test_the_repo_log_outcome_follows_pass_now() -> None:
    assert repo_entry(pass_now=True)["outcome"] == {
        "status": "passed",
        "decision": "approve",
        "rationale": "Deterministic eval + critic decision gating.",
    }


def test_the_eval_runtime_is_never_negative() -> None:
    assert repo_entry(pass_now=False, runtime_ms=-5)["resource_usage"]["eval_runtime_ms"] == 0
    assert repo_entry(pass_now=False, runtime_ms=0)["resource_usage"]["eval_runtime_ms"] == 0


def test_the_repo_entry_factory_builds_the_entry_with_files_and_hash() -> None:
    build = records.repo_entry_factory(result(), 9)
    entry = build(["book/01-intro.md"], "abc123")
    assert entry["iteration"] == 9
    assert entry["inputs"]["changed_files"] == ["book/01-intro.md"]
    assert entry["artifacts"]["commit_hash"] == "abc123"


def test_with_commit_hash_names_the_commit_and_keeps_the_rest() -> None:
    entry = repo_entry(pass_now=True)
    named = records.with_commit_hash(entry, "abc123")
    assert named == {**entry, "artifacts": {**entry["artifacts"], "commit_hash": "abc123"}}
    assert entry["artifacts"]["commit_hash"] is None  # the original is not changed


def test_the_verdict_line_of_the_trace() -> None:
    assert records.verdict(result(), 0.3) == (
        "critic=approve; deterministic=fail; drift_score=0.12 (cap 0.30)"
    )
    passing = DeterministicEval(True, 0.5, 0.0, {}, {}, {})
    assert records.verdict(
        records.IterationResult(**{**vars(result()), "evaluation": passing}), 0.25
    ) == ("critic=approve; deterministic=pass; drift_score=0.50 (cap 0.25)")


def test_the_undo_note_and_the_promotion_texts() -> None:
    assert (
        records.undo_note("01-intro", 4) == "iteration 4 of 01-intro was undone and will run again"
    )
    promotion = records.promotion(result())
    assert promotion.message == "refine: 01-intro (iter 4)"
    assert promotion.timestamp == "2026-01-02T03:04:05Z"
    assert promotion.completed_note == (
        "01-intro was promoted at iteration 4 and its commit was made; "
        "its repo log entry is now written"
    )
    assert promotion.rolled_back == (
        "the promotion of 01-intro at iteration 4 was rolled back: chapter and state are as "
        "before that iteration (its role outputs are kept and will be reused); fix the cause "
        "and run the kernel again"
    )
