"""One chapter's refinement history, iteration by iteration, from the state's full logs.

Pure: the caller reads the chapter's metrics history, its chapter log and the repo log; this
joins them by iteration (the last record of an iteration wins, as after a repaired crash).
The `report` page draws these numbers and nothing else, so a test can compare both. An
iteration's failed checks are worded by `verdicts.failed_checks`, the function the run's summary
uses, from the same recorded eval reports and drift score, so the two always read alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from state_runner.domain.json_views import mapping, number
from state_runner.domain.run_types import DEFAULT_MAX_DRIFT_SCORE
from state_runner.domain.verdicts import failed_checks

CRITIC_SCORES = ("structure_score", "clarity_score", "example_density", "drift_score")
EVALS = ("chapter_quality", "style_guard", "drift_detection")


@dataclass(frozen=True)
class IterationPoint:
    iteration: int
    critic: dict[str, float] = field(default_factory=dict)  # the critic's numeric scores
    critic_decision: str = ""
    quality_total: float | None = None  # chapter-quality eval `total`
    drift_score: float | None = None  # the kernel's drift score
    diff_ratio: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    verdict: str = ""  # "passed" or "refine" (the repo log's outcome)
    failed_checks: list[str] = field(default_factory=list)  # as the run's summary words them
    reasons: list[str] = field(default_factory=list)  # the critic's decision, its violations
    timestamp: str = ""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _by_iteration(entries: Sequence[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    found: dict[int, Mapping[str, Any]] = {}
    for entry in entries:
        iteration = entry.get("iteration")
        if isinstance(iteration, int) and not isinstance(iteration, bool):
            found[iteration] = entry
    return found


_NOTE = re.compile(r"^Kernel refinement iteration (\d+) for (.+)$")


def _repo_by_iteration(
    repo_log: Sequence[Mapping[str, Any]], chapter_id: str
) -> dict[int, Mapping[str, Any]]:
    """The chapter's repo-log entries by the chapter's own iteration. The entry's `iteration`
    counts the whole book's iterations; the chapter's is in `inputs.notes`
    (`Kernel refinement iteration <n> for <id>`), which the kernel has always written."""
    found: dict[int, Mapping[str, Any]] = {}
    for entry in repo_log:
        note = mapping(entry.get("inputs")).get("notes")
        match = _NOTE.match(note) if isinstance(note, str) else None
        if match is not None and match.group(2) == chapter_id:
            found[int(match.group(1))] = entry
    return found


def _critic_reasons(critic: Mapping[str, Any]) -> list[str]:
    """The critic's decision when it did not approve, and its violations."""
    decision = critic.get("decision")
    found = [f"critic decided {decision}"] if decision is not None and decision != "approve" else []
    violations = critic.get("violations")
    return found + ([str(v) for v in violations] if isinstance(violations, list) else [])


def _failed_checks(evals: Mapping[str, Any], drift_score: object, cap: float) -> list[str]:
    """The summary's `failed <check>: <reasons>` texts, from the iteration's recorded evals."""
    deterministic = {name: mapping(evals.get(name)) for name in EVALS}
    return failed_checks({**deterministic, "drift_score": drift_score}, cap)


def _point(
    iteration: int,
    measured: Mapping[str, Any],
    logged: Mapping[str, Any],
    repo: Mapping[str, Any],
    cap: float,
) -> IterationPoint:
    outcome = mapping(repo.get("outcome"))
    critic = mapping(measured.get("critic"))  # the critic's own words (not outcome.decision)
    evals = mapping(repo.get("evals"))
    usage = mapping(repo.get("resource_usage"))
    scores = {name: number(critic.get(name)) for name in CRITIC_SCORES}
    return IterationPoint(
        iteration=iteration,
        critic={name: value for name, value in scores.items() if value is not None},
        critic_decision=str(critic.get("decision") or ""),
        quality_total=number(mapping(evals.get("chapter_quality")).get("total")),
        drift_score=number(logged.get("drift_score")),
        diff_ratio=number(logged.get("diff_size")),
        prompt_tokens=int(number(usage.get("prompt_tokens")) or 0),
        completion_tokens=int(number(usage.get("completion_tokens")) or 0),
        verdict=str(outcome.get("status", "")),
        failed_checks=_failed_checks(evals, logged.get("drift_score"), cap),
        reasons=_critic_reasons(critic),
        timestamp=str(repo.get("timestamp", "")),
    )


def chapter_history(
    chapter_id: str,
    metrics: Sequence[Mapping[str, Any]],
    chapter_log: Sequence[Mapping[str, Any]],
    repo_log: Sequence[Mapping[str, Any]],
    drift_caps: Mapping[int, float] | None = None,
) -> list[IterationPoint]:
    """The chapter's iterations in order, with every number the report draws. `drift_caps`:
    the drift cap each iteration ran with, where known (else the default cap)."""
    caps = drift_caps or {}
    by_metrics = _by_iteration(metrics)
    by_log = _by_iteration(chapter_log)
    by_repo = _repo_by_iteration(repo_log, chapter_id)
    return [
        _point(
            it,
            by_metrics.get(it, {}),
            by_log.get(it, {}),
            by_repo.get(it, {}),
            caps.get(it, DEFAULT_MAX_DRIFT_SCORE),
        )
        for it in sorted(set(by_metrics) | set(by_log) | set(by_repo))
    ]


def drift_cap(events: Sequence[Mapping[str, Any]], iteration: int) -> float | None:
    """The drift cap an iteration ran with, from its kernel trace (the last `iteration_started`
    event of that iteration: a re-run's), or None when the trace does not say."""
    caps = [
        number(mapping(event.get("payload")).get("max_drift_score"))
        for event in events
        if event.get("event") == "iteration_started"
        and mapping(event.get("payload")).get("iteration") == iteration
    ]
    return caps[-1] if caps else None
