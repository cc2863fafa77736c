"""The kernel's event log (`out/kernel_trace.jsonl`): one function per kind of event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain import records
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import Clock, IterationFiles
from state_runner.domain.records import IterationResult


def phase(
    files: IterationFiles,
    clock: Clock,
    name: str,
    status: str,
    started: float,
    signal: Mapping[str, Any],
) -> None:
    """`phase_trace`: a phase's status, duration and the numbers that drove it."""
    duration = max(0, round(clock.monotonic_ms() - started))
    payload = {"phase": name, "status": status, "duration_ms": duration}
    files.event("phase_trace", {**payload, "budget_signal": dict(signal)})


def failed(files: IterationFiles, iteration: int, error: KernelError) -> None:
    """`iteration_failed`: the run stopped in this iteration; the error line it printed."""
    files.event("iteration_failed", {"iteration": iteration, "error": error.message})


def evaluated(
    files: IterationFiles, clock: Clock, result: IterationResult, started: float, cap: float
) -> None:
    """`iteration_evaluated` plus the evaluation phase."""
    ev = result.evaluation
    files.event(
        "iteration_evaluated",
        {
            "iteration": result.iteration,
            "critic_decision": result.critic.decision,
            "diff_ratio": result.diff_ratio,
            "drift_score": ev.drift_score,
            "deterministic_pass": result.deterministic_pass,
            "pass_now": result.pass_now,
            "rationale": records.verdict(result, cap),
        },
    )
    signal = {"diff_ratio": result.diff_ratio, "drift_score": ev.drift_score}
    signal["deterministic_pass"] = result.deterministic_pass
    status = "pass" if result.pass_now else "refine"
    phase(files, clock, "evaluation", status, started, signal)


def persisted(
    files: IterationFiles,
    clock: Clock,
    result: IterationResult,
    chapter: Mapping[str, Any],
    started: float,
    two_pass_mode: bool,
) -> None:
    """`state_persisted` plus the persistence phase."""
    passes = result.consecutive_passes
    files.event(
        "state_persisted",
        {
            "iteration": result.iteration,
            "consecutive_passes": passes,
            "status": chapter.get("status"),
            "lifecycle": chapter.get("lifecycle"),
        },
    )
    signal = {"consecutive_passes": passes, "require_two_consecutive_passes": two_pass_mode}
    phase(files, clock, "state_persistence", "ok", started, signal)
