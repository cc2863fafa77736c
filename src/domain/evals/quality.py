"""chapter-quality: required headings, forbidden phrases and five section scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.evals.config import normalise_chapter_quality
from domain.evals.text import phrase_hits
from domain.markdown import h2_sections

# score name (as recorded in the report) -> headings whose bodies must all be long enough
SCORED_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("thesis_clarity", ("## Thesis",)),
    ("system_breakdown", ("## System Breakdown",)),
    ("examples_count", ("## Concrete Example 1", "## Concrete Example 2")),
    ("tradeoffs", ("## Trade-offs",)),
    ("failure_modes", ("## Failure Modes",)),
)


def section_scores(text: str, min_chars: int) -> dict[str, float]:
    """1.0 per scored section whose bodies all reach `min_chars`, else 0.0."""
    bodies = h2_sections(text)
    return {
        name: 1.0 if all(len(bodies.get(h, "")) >= min_chars for h in headings) else 0.0
        for name, headings in SCORED_SECTIONS
    }


def chapter_quality(text: str, config: Mapping[str, Any], *, timestamp: str) -> dict[str, Any]:
    """The chapter-quality report for `text` (a required heading counts when its text occurs)."""
    cfg = normalise_chapter_quality(config)
    missing = [heading for heading in cfg["required_headings"] if heading not in text]
    forbidden = phrase_hits(text, cfg["forbidden_phrases"])
    scores = section_scores(text, cfg["section_min_chars"])
    total = sum(scores.values()) / len(scores)
    passed = not missing and not forbidden and total >= cfg["thresholds"]["refine_min_total"]
    return {
        "pass": passed,
        "required_missing": missing,
        "forbidden_hits": forbidden,
        "scores": scores,
        "total": total,
        "timestamp": timestamp,
    }
