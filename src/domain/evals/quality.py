"""chapter-quality: required headings, forbidden phrases and five section scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.evals.config import normalise_chapter_quality
from domain.evals.text import phrase_hits, round4

# score name -> headings whose bodies must all be long enough
SCORED_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("thesis", ("## Thesis",)),
    ("system_breakdown", ("## System Breakdown",)),
    ("examples", ("## Concrete Example 1", "## Concrete Example 2")),
    ("tradeoffs", ("## Trade-offs",)),
    ("failure_modes", ("## Failure Modes",)),
)


def heading_lines(text: str) -> set[str]:
    """Every line of the text with trailing whitespace removed."""
    return {line.rstrip() for line in text.splitlines()}


def section_bodies(text: str) -> dict[str, str]:
    """`## ` heading line -> stripped body up to the next `## ` line (first occurrence wins)."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((line.rstrip(), []))
        elif sections:
            sections[-1][1].append(line)
    bodies: dict[str, str] = {}
    for heading, lines in sections:
        bodies.setdefault(heading, "\n".join(lines).strip())
    return bodies


def section_scores(text: str, min_chars: int) -> dict[str, int]:
    """1 per scored section whose bodies all reach `min_chars`, else 0."""
    bodies = section_bodies(text)
    return {
        name: int(all(h in bodies and len(bodies[h]) >= min_chars for h in headings))
        for name, headings in SCORED_SECTIONS
    }


def chapter_quality(text: str, config: Mapping[str, Any], *, timestamp: str) -> dict[str, Any]:
    """The chapter-quality report for `text`."""
    cfg = normalise_chapter_quality(config)
    present = heading_lines(text)
    missing = [h for h in cfg["required_headings"] if h.rstrip() not in present]
    forbidden = phrase_hits(text, cfg["forbidden_phrases"])
    scores = section_scores(text, cfg["section_min_chars"])
    total = round4(sum(scores.values()) / len(scores))
    passed = not missing and not forbidden and total >= cfg["thresholds"]["refine_min_total"]
    return {
        "pass": passed,
        "required_missing": missing,
        "forbidden_hits": forbidden,
        "scores": scores,
        "total": total,
        "timestamp": timestamp,
    }
