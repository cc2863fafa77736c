"""What one iteration writes into the ledger and metrics, as plain JSON.

See docs/kernel-contract.md section 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from state_runner.domain.contracts import CriticReport, PlannerPlan
from state_runner.domain.evals import DeterministicEval
from state_runner.domain.llm import LLMUsage
from state_runner.domain.ports import Promotion, RepoEntry

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class IterationResult:
    """Everything decided in one iteration, before it is persisted."""

    chapter_id: str
    chapter_path: str
    iteration: int
    timestamp: str
    plan: PlannerPlan
    critic: CriticReport
    evaluation: DeterministicEval
    diff_ratio: float
    deterministic_pass: bool
    pass_now: bool
    consecutive_passes: int
    usage: LLMUsage
    eval_runtime_ms: int


def last_eval(result: IterationResult) -> JsonObject:
    ev = result.evaluation
    return {
        "critic": result.critic.to_json(),
        "deterministic": {
            "passed": ev.passed,
            "drift_score": ev.drift_score,
            "similarity_max": ev.similarity_max,
            "chapter_quality": ev.chapter_quality,
            "style_guard": ev.style_guard,
            "drift_detection": ev.drift_detection,
        },
    }


def quality_metrics(result: IterationResult) -> JsonObject:
    critic = result.critic
    return {
        "structure_score": critic.structure_score,
        "clarity_score": critic.clarity_score,
        "example_density": critic.example_density,
        "tradeoff_presence": critic.tradeoff_presence,
        "failure_mode_presence": critic.failure_modes_present,
        "drift_score": result.evaluation.drift_score,
    }


def update_chapter(chapter: JsonObject, result: IterationResult) -> None:
    """Apply an iteration to the ledger's chapter entry (the log entry is appended separately)."""
    revisions = chapter.get("revision_count")
    chapter["current_iteration"] = result.iteration
    chapter["revision_count"] = (revisions if type(revisions) is int else 0) + 1
    chapter["last_eval"] = last_eval(result)
    chapter["quality_metrics"] = quality_metrics(result)
    stability = chapter.get("stability")
    if not isinstance(stability, dict):
        stability = {"frozen_candidate": False}
        chapter["stability"] = stability
    stability["consecutive_passes"] = result.consecutive_passes
    stability["last_modified_iteration"] = result.iteration


def chapter_log_entry(result: IterationResult) -> JsonObject:
    return {
        "iteration": result.iteration,
        "planner_focus": list(result.plan.focus_areas),
        "critic_score": result.critic.mean_score,
        "drift_score": result.evaluation.drift_score,
        "diff_size": result.diff_ratio,
    }


def metrics_entry(result: IterationResult) -> JsonObject:
    ev = result.evaluation
    return {
        "timestamp": result.timestamp,
        "iteration": result.iteration,
        "critic": result.critic.to_json(),
        "deterministic": {
            "passed": ev.passed,
            "drift_score": ev.drift_score,
            "similarity_max": ev.similarity_max,
        },
    }


RATIONALE = "Deterministic eval + critic decision gating."


def verdict(result: IterationResult, max_drift_score: float) -> str:
    """The decision in one line, for the kernel trace (the ledger keeps the fixed RATIONALE)."""
    ev = result.evaluation
    return (
        f"critic={result.critic.decision}; deterministic={'pass' if ev.passed else 'fail'}; "
        f"drift_score={ev.drift_score:.2f} (cap {max_drift_score:.2f})"
    )


def repo_log_entry(
    result: IterationResult,
    *,
    repo_iteration: int,
    changed_files: list[str],
    commit_hash: str | None,
) -> JsonObject:
    ev = result.evaluation
    return {
        "iteration": repo_iteration,
        "timestamp": result.timestamp,
        "agent_task": "kernel_refine",
        "inputs": {
            "changed_files": changed_files,
            "notes": f"Kernel refinement iteration {result.iteration} for {result.chapter_id}",
        },
        "scope": {
            "chapters_modified": [result.chapter_id],
            "patterns_modified": [],
            "governance_modified": False,
        },
        "resource_usage": {
            "prompt_tokens": result.usage.prompt_tokens,
            "completion_tokens": result.usage.completion_tokens,
            "eval_runtime_ms": max(0, result.eval_runtime_ms),
        },
        "evals": {
            "chapter_quality": ev.chapter_quality,
            "style_guard": ev.style_guard,
            "drift_detection": ev.drift_detection,
        },
        "outcome": {
            "status": "passed" if result.pass_now else "refine",
            "decision": "approve" if result.pass_now else "refine",
            "rationale": RATIONALE,
        },
        "artifacts": {
            "commit_hash": commit_hash,
            "diff_summary": (
                f"diff_ratio={result.diff_ratio:.2f}; drift_score={ev.drift_score:.2f}"
            ),
        },
    }


def repo_entry_factory(result: IterationResult, repo_iteration: int) -> RepoEntry:
    """The repo log entry, once the state adapter knows the changed files and commit hash."""

    def build(changed_files: list[str], commit_hash: str | None) -> JsonObject:
        return repo_log_entry(
            result,
            repo_iteration=repo_iteration,
            changed_files=changed_files,
            commit_hash=commit_hash,
        )

    return build


def undo_note(chapter_id: str, iteration: int) -> str:
    """What the next run reports when it undoes this iteration after a crash."""
    return f"iteration {iteration} of {chapter_id} was undone and will run again"


def promotion(result: IterationResult) -> Promotion:
    """The git commit of a promotion, and what is said when it is completed or undone."""
    cid, iteration = result.chapter_id, result.iteration
    return Promotion(
        message=f"refine: {cid} (iter {iteration})",
        timestamp=result.timestamp,
        completed_note=(
            f"{cid} was promoted at iteration {iteration} and its commit was made; "
            "its repo log entry is now written"
        ),
        rolled_back=(
            f"the promotion of {cid} at iteration {iteration} was rolled back: chapter and "
            "state are as before that iteration (its role outputs are kept and will be reused); "
            "fix the cause and run the kernel again"
        ),
    )


def with_commit_hash(entry: JsonObject, commit_hash: str) -> JsonObject:
    """A repo log entry built before its commit existed, now naming the commit."""
    artifacts = {**entry["artifacts"], "commit_hash": commit_hash}
    return {**entry, "artifacts": artifacts}
