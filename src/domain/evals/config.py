"""Validation and defaults for the three eval documents (`evals/*.yaml`).

Each `normalise_*` function takes whatever the YAML parser produced and returns a complete,
plain-dict configuration: absent keys take their defaults, present keys of the wrong type raise
`KernelError("Invalid eval config evals/<name>.yaml: <problem>")`. Normalising an already
normalised configuration returns an equal one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from state_runner.domain.errors import KernelError
from state_runner.domain.evals.config_checks import (
    ConfigIssue,
    Doc,
    bucket_names,
    get,
    no_buckets,
    no_strings,
    patterns,
    positive_int,
    positive_unit,
    section,
    strings,
    unit,
)
from state_runner.domain.evals.drift_layouts import (
    ORIGINAL,
    PROJECT,
    anchor_terms,
    layout_of,
    layout_value,
    original_drift,
)
from state_runner.domain.evals.near_copy import DEFAULT_NEAR_COPY_SHARE
from state_runner.domain.evals.quality_config import (
    DEFAULT_FORBIDDEN_PHRASES,
    DEFAULT_REQUIRED_HEADINGS,
    DEFAULT_SCORED_SECTIONS,
    normalise_quality,
)
from state_runner.domain.evals.text import tokens

__all__ = [
    "DEFAULT_FORBIDDEN_PHRASES",
    "DEFAULT_REQUIRED_HEADINGS",
    "DEFAULT_SCORED_SECTIONS",
    "ConfigIssue",
    "normalise_chapter_quality",
    "normalise_drift_detection",
    "normalise_style_guard",
]

QUALITY_NAME = "chapter-quality"
STYLE_NAME = "style-guard"
DRIFT_NAME = "drift-detection"

DEFAULT_HYPE_KEYWORDS: tuple[str, ...] = ("game-changer", "revolutionary")
DEFAULT_HYPE_PATTERNS: tuple[str, ...] = (r"\b10x\b",)
# share of the shorter chapter's word 5-grams found in another: a copy with a third rewritten
# keeps about 0.68, two chapters on one subject share under 0.01 (docs/book-format.md 3.3)


# -- specific checks --------------------------------------------------------------------------


def _example_buckets(value: object, path: str) -> dict[str, dict[str, list[str]]]:
    """`bucket -> {examples: [phrase, ...]}` (style-guard)."""
    buckets = bucket_names(value, path)
    result: dict[str, dict[str, list[str]]] = {}
    for name in buckets:
        bucket = section(buckets, name, path)
        result[name] = {"examples": get(bucket, "examples", f"{path}.{name}", strings, [])}
    return result


def _patterns(value: object, path: str) -> list[str]:
    """A list of regular expressions that compile (case-insensitively)."""
    return patterns(value, path, re.IGNORECASE)


def _anchors(value: object, path: str) -> list[str]:
    """Anchor terms; each must contain at least one token."""
    anchors = strings(value, path)
    for index, anchor in enumerate(anchors):
        if not tokens(anchor):
            raise ConfigIssue(f"{path}[{index}] must contain at least one ASCII letter or digit")
    return anchors


def _check_version(doc: Doc) -> None:
    if "version" in doc:
        version = doc["version"]
        if isinstance(version, bool) or version != 1:
            raise ConfigIssue("version must be 1")


# -- documents --------------------------------------------------------------------------------


def _style(doc: Doc) -> dict[str, Any]:
    limits = section(doc, "limits")
    sentence = section(limits, "sentence_length", "limits")
    adjective = section(limits, "adjective_density", "limits")
    at = "limits.sentence_length"
    return {
        "version": 1,
        "limits": {
            "sentence_length": {
                "max_words": get(sentence, "max_words", at, positive_int, 28),
                "hard_fail_over": get(sentence, "hard_fail_over", at, positive_int, 40),
            },
            "adjective_density": {
                "max_ratio": get(adjective, "max_ratio", "limits.adjective_density", unit, 0.12),
            },
        },
        "forbidden": get(doc, "forbidden", "", _example_buckets, no_buckets()),
    }


def _tolerances(doc: Doc) -> dict[str, Any]:
    tol = section(doc, "tolerances")
    at = "tolerances"
    return {
        "duplicate_sentence_ratio": get(tol, "duplicate_sentence_ratio", at, positive_unit, 0.08),
        "ngram_duplicate_ratio": get(tol, "ngram_duplicate_ratio", at, positive_unit, 0.12),
        "anchor_drift": get(tol, "anchor_drift", at, positive_unit, 0.35),
        "cross_chapter_similarity": get(tol, "cross_chapter_similarity", at, unit, 0.85),
        "near_copy_share": get(tol, "near_copy_share", at, unit, DEFAULT_NEAR_COPY_SHARE),
        "ngram_size": get(tol, "ngram_size", at, positive_int, 5),
        "window_tokens": get(tol, "window_tokens", at, positive_int, 6),
    }


def _drift(doc: Doc) -> dict[str, Any]:
    """Either layout (see drift_layouts); the project's own is read here."""
    if layout_of(doc) == ORIGINAL:
        return original_drift(doc)
    hype = section(doc, "hype")
    gate = section(doc, "pass")
    layout = get(doc, "layout", "", layout_value, PROJECT)
    check_anchors = _anchors if layout == PROJECT else anchor_terms
    check_patterns = _patterns if layout == PROJECT else patterns
    return {
        "version": 1,
        "layout": layout,
        "hype": {
            "keywords": get(hype, "keywords", "hype", strings, list(DEFAULT_HYPE_KEYWORDS)),
            "patterns": get(hype, "patterns", "hype", check_patterns, list(DEFAULT_HYPE_PATTERNS)),
        },
        "anchors": get(doc, "anchors", "", check_anchors, no_strings()),
        "tolerances": _tolerances(doc),
        "pass": {"max_score": get(gate, "max_score", "pass", unit, 0.30)},
    }


def _normalise(name: str, raw: object, build: Callable[[Doc], dict[str, Any]]) -> dict[str, Any]:
    """Run `build` over the document, turning any problem into a one-line KernelError."""
    try:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigIssue("document must be a mapping")
        _check_version(raw)
        return build(raw)
    except ConfigIssue as issue:
        raise KernelError(f"Invalid eval config evals/{name}.yaml: {issue}") from None


def normalise_chapter_quality(raw: object) -> dict[str, Any]:
    """Complete chapter-quality configuration (see module docstring)."""
    return _normalise(QUALITY_NAME, raw, normalise_quality)


def normalise_style_guard(raw: object) -> dict[str, Any]:
    """Complete style-guard configuration (see module docstring)."""
    return _normalise(STYLE_NAME, raw, _style)


def normalise_drift_detection(raw: object) -> dict[str, Any]:
    """Complete drift-detection configuration (see module docstring)."""
    return _normalise(DRIFT_NAME, raw, _drift)
