"""What a run reports to its caller: one summary per iteration and the run's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from state_runner.domain.errors import EXIT_MISSING_OUTPUTS
from state_runner.domain.model import Chapter
from state_runner.domain.records import IterationResult
from state_runner.domain.run_types import IterationSummary
from state_runner.domain.verdicts import failed_checks, last_verdict

__all__ = ["IterationSummary", "RunOutcome", "outcome", "summarise"]


@dataclass(frozen=True)
class RunOutcome:
    """The result of `Kernel.run`; `exit_code` is the process exit code."""

    exit_code: int
    chapter_id: str
    status: str
    lifecycle: str
    iterations: tuple[IterationSummary, ...] = ()
    missing_outputs: tuple[str, ...] = ()
    commit_hash: str | None = None
    iteration_dir: str | None = None
    last_verdict: str | None = None


def summarise(result: IterationResult, declared: set[str], cap: float) -> IterationSummary:
    ev = result.evaluation
    deterministic = {
        "chapter_quality": ev.chapter_quality,
        "style_guard": ev.style_guard,
        "drift_detection": ev.drift_detection,
        "drift_score": ev.drift_score,
    }
    return IterationSummary(
        iteration=result.iteration,
        critic_decision=result.critic.decision,
        diff_ratio=result.diff_ratio,
        declared_sections=tuple(sorted(declared)),
        chapter_quality_pass=bool(ev.chapter_quality.get("pass")),
        style_guard_pass=bool(ev.style_guard.get("pass")),
        drift_pass=bool(ev.drift_detection.get("pass")),
        drift_score=ev.drift_score,
        deterministic_pass=result.deterministic_pass,
        pass_now=result.pass_now,
        consecutive_passes=result.consecutive_passes,
        usage=result.usage,
        failed_checks=tuple(failed_checks(deterministic, cap)),
    )


def outcome(
    code: int,
    chapter: Chapter,
    summaries: list[IterationSummary],
    iteration_dir: str,
    *,
    commit_hash: str | None = None,
    missing: tuple[str, ...] = (),
) -> RunOutcome:
    """The one place a `RunOutcome` is built."""
    return RunOutcome(
        exit_code=code,
        chapter_id=chapter.chapter_id,
        status=str(chapter.data.get("status")),
        lifecycle=str(chapter.data.get("lifecycle")),
        iterations=tuple(summaries),
        missing_outputs=missing if code == EXIT_MISSING_OUTPUTS else (),
        commit_hash=commit_hash,
        iteration_dir=iteration_dir,
        last_verdict=last_verdict(chapter.data),
    )
