"""drift-detection's two layouts: the original kernel's (everything under `rules:`) and ours.

A document with a top-level `rules` key is in the original layout and is read exactly as the
original kernel read it (kernel spec section 6): hype keywords and case-sensitive patterns from
`rules.stylistic_hype`, tolerances from `rules.repetition` and `rules.conceptual_drift`, anchor
terms from `rules.conceptual_drift.anchors[].term`, and no hype words or anchors of ours when a
list is absent. It is normalised into the project's shape with `layout: original`, which tells
the evals to match the way the original did. A document that mixes both layouts is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain.evals.config_checks import (
    ConfigIssue,
    Doc,
    get,
    no_strings,
    patterns,
    positive_unit,
    section,
    strings,
)
from state_runner.domain.evals.near_copy import DEFAULT_NEAR_COPY_SHARE

ORIGINAL = "original"
PROJECT = "project"
LAYOUTS = (PROJECT, ORIGINAL)
ORIGINAL_TOP_KEYS = ("rules",)
PROJECT_TOP_KEYS = ("hype", "anchors", "tolerances", "pass", "layout")
# What the original kernel fixed in its code rather than reading from the YAML.
# What the original kernel fixed in its code. `near_copy_share` is the project layout's threshold,
# unused here (the original measure is the cosine); it keeps both layouts' configs one shape.
ORIGINAL_FIXED_TOLERANCES = {
    "cross_chapter_similarity": 0.85,
    "near_copy_share": DEFAULT_NEAR_COPY_SHARE,
    "ngram_size": 5,
    "window_tokens": 6,
}
ORIGINAL_MAX_SCORE = 0.30


def _quoted(keys: list[str]) -> str:
    return ", ".join(f"'{key}'" for key in keys)


def layout_of(doc: Doc) -> str:
    """`original` when the document has a top-level `rules` key, else `project`.

    Raises `ConfigIssue` naming the keys of each layout when the document uses both.
    """
    original = [key for key in ORIGINAL_TOP_KEYS if key in doc]
    if not original:
        return PROJECT
    project = [key for key in PROJECT_TOP_KEYS if key in doc]
    if project:
        raise ConfigIssue(
            f"mixes two layouts: {_quoted(original)} (the original layout) with "
            f"{_quoted(project)} (the project layout); keep one layout per file "
            "(state-runner help book-format shows both)"
        )
    return ORIGINAL


def layout_value(value: object, path: str) -> str:
    """The `layout` key of a normalised document: `project` or `original`."""
    if value not in LAYOUTS:
        raise ConfigIssue(f"{path} must be 'project' or 'original'")
    return str(value)


def anchor_terms(value: object, path: str) -> list[str]:
    """Anchor terms kept as written (the original matched each as one whole token)."""
    if not isinstance(value, list | tuple):
        raise ConfigIssue(f"{path} must be a list of strings")
    for index, term in enumerate(value):
        if not isinstance(term, str) or not term:
            raise ConfigIssue(f"{path}[{index}] must be a non-empty string")
    return list(value)


def _anchor_entries(value: object, path: str) -> list[str]:
    """`term` of each entry that is a mapping with a non-empty string term (others skipped,
    as the original kernel skipped them)."""
    if not isinstance(value, list):
        raise ConfigIssue(f"{path} must be a list of {{term: ...}} entries")
    return [
        entry["term"]
        for entry in value
        if isinstance(entry, Mapping) and isinstance(entry.get("term"), str) and entry["term"]
    ]


def _original_tolerances(repetition: Doc, conceptual: Doc) -> dict[str, Any]:
    rep, concept = "rules.repetition", "rules.conceptual_drift"
    return {
        "duplicate_sentence_ratio": get(
            repetition, "max_duplicate_sentence_ratio", rep, positive_unit, 0.08
        ),
        "ngram_duplicate_ratio": get(
            repetition, "max_near_duplicate_ngram_ratio", rep, positive_unit, 0.12
        ),
        "anchor_drift": get(conceptual, "max_neighbor_jaccard_delta", concept, positive_unit, 0.35),
        **ORIGINAL_FIXED_TOLERANCES,
    }


def original_drift(doc: Doc) -> dict[str, Any]:
    """The project-shaped configuration of an original-layout document."""
    rules = section(doc, "rules")
    hype = section(rules, "stylistic_hype", "rules")
    repetition = section(rules, "repetition", "rules")
    conceptual = section(rules, "conceptual_drift", "rules")
    at = "rules.stylistic_hype"
    return {
        "version": 1,
        "layout": ORIGINAL,
        "hype": {
            "keywords": get(hype, "keywords", at, strings, no_strings()),
            "patterns": get(hype, "patterns", at, patterns, no_strings()),
        },
        "anchors": get(
            conceptual, "anchors", "rules.conceptual_drift", _anchor_entries, no_strings()
        ),
        "tolerances": _original_tolerances(repetition, conceptual),
        "pass": {"max_score": ORIGINAL_MAX_SCORE},
    }
