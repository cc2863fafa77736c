"""Why an iteration did not pass, in words a person can act on.

The reports may come back from a book's logs (the `report` command), so a field of another type
reads as absent (json_views) instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain.json_views import count, mapping


def _texts(value: object) -> list[str]:
    """The items of a list as text; anything else as no items."""
    return [str(item) for item in value] if isinstance(value, list) else []


def _quality(report: Mapping[str, Any]) -> list[str]:
    reasons: list[str] = []
    if _texts(report.get("required_missing")):
        reasons.append("missing " + ", ".join(_texts(report["required_missing"])))
    if _texts(report.get("forbidden_hits")):
        reasons.append("forbidden " + ", ".join(_texts(report["forbidden_hits"])))
    total = report.get("total")
    if isinstance(total, int | float):
        reasons.append(f"section scores total {total:.2f}")
    return reasons


def _style(report: Mapping[str, Any]) -> list[str]:
    reasons: list[str] = []
    violations = report.get("sentence_length_violations")
    found = violations if isinstance(violations, list) else []
    longest = max((count(mapping(v).get("words")) for v in found), default=0)
    if longest:
        reasons.append(f"{len(found)} long sentence(s), longest {longest} words")
    density = report.get("adjective_density")
    if isinstance(density, int | float):
        reasons.append(f"adjective density {density:.2f}")
    hits = _texts(report.get("forbidden_hits"))
    if hits:
        reasons.append(f"forbidden {', '.join(hits)}")
    return reasons


def _drift(report: Mapping[str, Any], score: object) -> list[str]:
    """The drift score and each component that contributed to it."""
    reasons: list[str] = []
    if isinstance(score, int | float):
        reasons.append(f"drift score {score:.2f}")
    if _texts(report.get("hype_hits")):
        reasons.append(f"hype {', '.join(_texts(report['hype_hits']))}")
    repetition = mapping(report.get("repetition_metrics"))
    for key, label in (
        ("duplicate_sentence_ratio", "repeated sentences"),
        ("near_duplicate_ngram_ratio", "repeated 5-grams"),
    ):
        value = repetition.get(key)
        if isinstance(value, int | float) and value > 0:
            reasons.append(f"{label} {value:.2f}")
    metrics = mapping(report.get("drift_metrics"))
    deltas = mapping(metrics.get("anchor_deltas"))
    moved = {term: d for term, d in deltas.items() if isinstance(d, int | float) and d > 0}
    if moved:
        term = max(moved, key=lambda t: moved[t])
        reasons.append(f"anchor '{term}' context changed {moved[term]:.2f}")
    hits = metrics.get("cross_chapter_similarity_hits")
    if isinstance(hits, list) and hits:
        reasons.append("near copy of " + ", ".join(str(mapping(h).get("chapter_id")) for h in hits))
    return reasons


def failed_checks(
    deterministic: Mapping[str, Any], max_drift_score: float | None = None
) -> list[str]:
    """`<check>: <reasons>` for each eval that failed (and for a drift score over the cap)."""
    failed: list[str] = []
    quality = mapping(deterministic.get("chapter_quality"))
    if quality.get("pass") is False:
        failed.append("chapter-quality: " + "; ".join(_quality(quality)))
    style = mapping(deterministic.get("style_guard"))
    if style.get("pass") is False:
        failed.append("style-guard: " + "; ".join(_style(style)))
    drift = mapping(deterministic.get("drift_detection"))
    score = deterministic.get("drift_score")
    over_cap = (
        max_drift_score is not None and isinstance(score, int | float) and score > max_drift_score
    )
    if drift.get("pass") is False or over_cap:
        failed.append("drift: " + "; ".join(_drift(drift, score)))
    return failed


def last_verdict(chapter: Mapping[str, Any]) -> str | None:
    """One line on the chapter's last recorded iteration, or None before the first."""
    last_eval = chapter.get("last_eval")
    iteration = chapter.get("current_iteration")
    if not isinstance(last_eval, dict) or not iteration:
        return None
    critic = last_eval.get("critic") or {}
    deterministic = last_eval.get("deterministic") or {}
    stability = chapter.get("stability") or {}
    failed = failed_checks(deterministic)
    evals = "evals pass" if not failed else "evals fail (" + " | ".join(failed) + ")"
    return (
        f"Last iteration ({iteration}): critic {critic.get('decision', '?')}, {evals}, "
        f"consecutive passes {stability.get('consecutive_passes', 0)}"
    )
