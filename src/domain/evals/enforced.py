"""What the kernel will enforce, read from the validated eval configurations (`evals check`).

Pure and JSON-ready: `book_rules` holds the rules that apply to every chapter, `chapter_rules`
those of one chapter (its `chapters.<id>` entry applied to the book's rules).
"""

from __future__ import annotations

from typing import Any

from state_runner.domain.evals import EvalConfigs
from state_runner.domain.evals.quality_config import rules_for


def exempt_chapters(configs: EvalConfigs) -> list[str]:
    """The ids chapter-quality exempts, in file order (whether the ledger has them or not)."""
    entries = configs.chapter_quality.get("chapters", {})
    return [chapter_id for chapter_id, entry in entries.items() if entry.get("exempt")]


def book_rules(configs: EvalConfigs) -> dict[str, Any]:
    """The rules of the three evals that are the same for every chapter."""
    quality, style, drift = configs.chapter_quality, configs.style_guard, configs.drift_detection
    limits = style["limits"]
    return {
        "forbidden_phrases": {k: list(v) for k, v in quality["forbidden_phrases"].items()},
        "style_forbidden": {k: list(v["examples"]) for k, v in style["forbidden"].items()},
        "sentence_length": dict(limits["sentence_length"]),
        "adjective_density_max_ratio": limits["adjective_density"]["max_ratio"],
        "hype": {
            "keywords": list(drift["hype"]["keywords"]),
            "patterns": list(drift["hype"]["patterns"]),
        },
        "anchors": list(drift["anchors"]),
        "tolerances": dict(drift["tolerances"]),
        "drift_max_score": drift["pass"]["max_score"],
        "exempt_chapters": exempt_chapters(configs),
    }


def chapter_rules(configs: EvalConfigs, chapter_id: str) -> dict[str, Any]:
    """The chapter-quality rules of one chapter (none of the structure rules when exempt)."""
    rules = rules_for(configs.chapter_quality, chapter_id)
    exempt = bool(rules["exempt"])
    sections = [
        {"name": s["name"], "headings": list(s["headings"]), "min_chars": s["min_chars"]}
        for s in rules["scored_sections"]
    ]
    return {
        "chapter_id": chapter_id,
        "exempt": exempt,
        "required_headings": [] if exempt else list(rules["required_headings"]),
        "scored_sections": [] if exempt else sections,
        "refine_min_total": rules["thresholds"]["refine_min_total"],
    }
