"""One chapter's refinement history, iteration by iteration, from the state's full logs.

Pure: the caller reads the chapter's metrics history, its chapter log and the repo log; this
joins them by iteration (the last record of an iteration wins, as after a repaired crash).
The `report` page draws these numbers and nothing else, so a test can compare both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from state_runner.domain.json_views import mapping, number

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
    reasons: list[str] = field(default_factory=list)  # failing evals, critic violations
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


def _reasons(evals: Mapping[str, Any], critic: Mapping[str, Any]) -> list[str]:
    """The failing evals, the critic's decision when it did not approve, its violations."""
    failing = [f"{name} failed" for name in EVALS if not mapping(evals.get(name)).get("pass", True)]
    decision = critic.get("decision")
    if decision is not None and decision != "approve":
        failing.append(f"critic decided {decision}")
    violations = critic.get("violations")
    return failing + ([str(v) for v in violations] if isinstance(violations, list) else [])


def _point(
    iteration: int,
    measured: Mapping[str, Any],
    logged: Mapping[str, Any],
    repo: Mapping[str, Any],
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
        reasons=_reasons(evals, critic),
        timestamp=str(repo.get("timestamp", "")),
    )


def chapter_history(
    chapter_id: str,
    metrics: Sequence[Mapping[str, Any]],
    chapter_log: Sequence[Mapping[str, Any]],
    repo_log: Sequence[Mapping[str, Any]],
) -> list[IterationPoint]:
    """The chapter's iterations in order, with every number the report draws."""
    by_metrics = _by_iteration(metrics)
    by_log = _by_iteration(chapter_log)
    by_repo = _repo_by_iteration(repo_log, chapter_id)
    return [
        _point(it, by_metrics.get(it, {}), by_log.get(it, {}), by_repo.get(it, {}))
        for it in sorted(set(by_metrics) | set(by_log) | set(by_repo))
    ]
