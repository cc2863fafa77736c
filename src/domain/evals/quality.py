"""chapter-quality: required headings, forbidden phrases and five section scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain.evals.config import normalise_chapter_quality
from state_runner.domain.evals.quality_config import rules_for
from state_runner.domain.evals.text import phrase_hits
from state_runner.domain.markdown import h2_sections


def section_scores(text: str, scored: list[dict[str, Any]]) -> dict[str, float]:
    """1.0 per scored section whose bodies all reach its `min_chars`, else 0.0."""
    bodies = h2_sections(text)
    return {
        section["name"]: (
            1.0
            if all(len(bodies.get(h, "")) >= section["min_chars"] for h in section["headings"])
            else 0.0
        )
        for section in scored
    }


def chapter_quality(
    text: str, config: Mapping[str, Any], *, timestamp: str, chapter_id: str | None = None
) -> dict[str, Any]:
    """The chapter-quality report for `text` under the rules for `chapter_id`.

    A required heading counts when its text occurs; an exempt chapter has no required headings
    and no scored sections (its forbidden phrases still count).
    """
    cfg = rules_for(normalise_chapter_quality(config), chapter_id)
    exempt = cfg["exempt"]
    missing = [] if exempt else [h for h in cfg["required_headings"] if h not in text]
    forbidden = phrase_hits(text, cfg["forbidden_phrases"])
    scores = {} if exempt else section_scores(text, cfg["scored_sections"])
    total = sum(scores.values()) / len(scores) if scores else 1.0
    passed = not missing and not forbidden and total >= cfg["thresholds"]["refine_min_total"]
    return {
        "pass": passed,
        "required_missing": missing,
        "forbidden_hits": forbidden,
        "scores": scores,
        "total": total,
        "timestamp": timestamp,
    }
