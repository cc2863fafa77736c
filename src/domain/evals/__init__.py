"""The three deterministic evals (kernel spec section 6) as pure functions of text and config.

Reports are plain JSON-ready dicts with exactly the original kernel's keys; every number is
recorded at full float precision (round only when printing for a person).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from state_runner.domain.evals.config import (
    DRIFT_NAME,
    QUALITY_NAME,
    STYLE_NAME,
    normalise_chapter_quality,
    normalise_drift_detection,
    normalise_style_guard,
)
from state_runner.domain.evals.drift import DriftResult, drift_detection
from state_runner.domain.evals.quality import chapter_quality
from state_runner.domain.evals.style import style_guard

__all__ = [
    "DeterministicEval",
    "DriftResult",
    "EvalConfigs",
    "chapter_quality",
    "drift_detection",
    "run_deterministic_evals",
    "style_guard",
    "validate_eval_configs",
]


@dataclass(frozen=True)
class EvalConfigs:
    """The three validated eval configurations, defaults filled in."""

    chapter_quality: Mapping[str, Any]
    style_guard: Mapping[str, Any]
    drift_detection: Mapping[str, Any]


@dataclass(frozen=True)
class DeterministicEval:
    """The outcome of all three evals on one chapter text."""

    passed: bool
    drift_score: float
    similarity_max: float
    chapter_quality: dict[str, Any]
    style_guard: dict[str, Any]
    drift_detection: dict[str, Any]


def validate_eval_configs(raw: Mapping[str, object]) -> EvalConfigs:
    """Validate the parsed YAML documents keyed "chapter-quality", "style-guard", "drift-detection".

    A name that is absent, or an empty document (None), means "all defaults".
    Raises `KernelError("Invalid eval config evals/<name>.yaml: <problem>")`.
    """
    return EvalConfigs(
        chapter_quality=normalise_chapter_quality(raw.get(QUALITY_NAME)),
        style_guard=normalise_style_guard(raw.get(STYLE_NAME)),
        drift_detection=normalise_drift_detection(raw.get(DRIFT_NAME)),
    )


def run_deterministic_evals(
    text: str,
    *,
    configs: EvalConfigs,
    baseline_text: str,
    other_chapters: Mapping[str, str],
    timestamp: str,
    chapter_id: str | None = None,
) -> DeterministicEval:
    """Run chapter-quality, style-guard and drift-detection; passed = all three pass."""
    quality = chapter_quality(
        text, configs.chapter_quality, timestamp=timestamp, chapter_id=chapter_id
    )
    style = style_guard(text, configs.style_guard, timestamp=timestamp)
    drift = drift_detection(
        text,
        configs.drift_detection,
        baseline_text=baseline_text,
        other_chapters=other_chapters,
        timestamp=timestamp,
    )
    return DeterministicEval(
        passed=bool(quality["pass"] and style["pass"] and drift.report["pass"]),
        drift_score=float(drift.score),
        similarity_max=float(drift.similarity_max),
        chapter_quality=quality,
        style_guard=style,
        drift_detection=drift.report,
    )
