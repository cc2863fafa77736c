"""Validation and defaults for the three eval documents (`evals/*.yaml`).

Each `normalise_*` function takes whatever the YAML parser produced and returns a complete,
plain-dict configuration: absent keys take their defaults, present keys of the wrong type raise
`KernelError("Invalid eval config evals/<name>.yaml: <problem>")`. Normalising an already
normalised configuration returns an equal one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from domain.errors import KernelError
from domain.evals.text import tokens

QUALITY_NAME = "chapter-quality"
STYLE_NAME = "style-guard"
DRIFT_NAME = "drift-detection"

DEFAULT_REQUIRED_HEADINGS: tuple[str, ...] = (
    "## Thesis",
    "## Why This Matters",
    "## System Breakdown",
    "## Concrete Example 1",
    "## Concrete Example 2",
    "## Trade-offs",
    "## Failure Modes",
    "## Research Directions",
)
DEFAULT_FORBIDDEN_PHRASES: Mapping[str, tuple[str, ...]] = {
    "marketing_language": ("best-in-class", "world-class", "revolutionary", "effortless"),
    "anthropomorphism": ("the model thinks", "the agent wants", "the system feels"),
    "vague_claims": ("obviously", "clearly", "just trust", "everyone knows"),
}
DEFAULT_HYPE_KEYWORDS: tuple[str, ...] = ("game-changer", "revolutionary")
DEFAULT_HYPE_PATTERNS: tuple[str, ...] = (r"\b10x\b",)

T = TypeVar("T")
Doc = Mapping[Any, Any]


class ConfigIssue(Exception):
    """One problem inside an eval document, phrased relative to its top level."""


# -- generic checks ---------------------------------------------------------------------------


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _as_number(value: object) -> int | float | None:
    """The value when it is an int or float (bool is not a number), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _get(doc: Doc, key: str, parent: str, check: Callable[[object, str], T], default: T) -> T:
    """`check(doc[key])` when the key is present, else the default."""
    if key not in doc:
        return default
    return check(doc[key], _join(parent, key))


def _section(doc: Doc, key: str, parent: str = "") -> Doc:
    """The nested mapping at `key`; empty when absent."""
    if key not in doc:
        return {}
    value = doc[key]
    if not isinstance(value, Mapping):
        raise ConfigIssue(f"{_join(parent, key)} must be a mapping")
    return value


def _positive_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigIssue(f"{path} must be a positive integer")
    return value


def _non_negative_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigIssue(f"{path} must be a non-negative integer")
    return value


def _unit(value: object, path: str) -> float:
    """A number in [0, 1]."""
    number = _as_number(value)
    if number is None or not 0 <= number <= 1:
        raise ConfigIssue(f"{path} must be a number between 0 and 1")
    return float(number)


def _positive_unit(value: object, path: str) -> float:
    """A number in (0, 1] (used as a divisor)."""
    number = _as_number(value)
    if number is None or not 0 < number <= 1:
        raise ConfigIssue(f"{path} must be a number greater than 0 and at most 1")
    return float(number)


def _strings(value: object, path: str) -> list[str]:
    """A list of non-blank strings."""
    if not isinstance(value, list | tuple):
        raise ConfigIssue(f"{path} must be a list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ConfigIssue(f"{path}[{index}] must be a non-empty string")
    return list(value)


def _bucket_names(value: object, path: str) -> Doc:
    if not isinstance(value, Mapping):
        raise ConfigIssue(f"{path} must be a mapping")
    for key in value:
        if not isinstance(key, str):
            raise ConfigIssue(f"{path} keys must be strings")
    return value


def _no_strings() -> list[str]:
    return []


def _no_buckets() -> dict[str, dict[str, list[str]]]:
    return {}


# -- specific checks --------------------------------------------------------------------------


def _phrase_buckets(value: object, path: str) -> dict[str, list[str]]:
    """`bucket -> [phrase, ...]` (chapter-quality)."""
    buckets = _bucket_names(value, path)
    return {name: _strings(items, f"{path}.{name}") for name, items in buckets.items()}


def _example_buckets(value: object, path: str) -> dict[str, dict[str, list[str]]]:
    """`bucket -> {examples: [phrase, ...]}` (style-guard)."""
    buckets = _bucket_names(value, path)
    result: dict[str, dict[str, list[str]]] = {}
    for name in buckets:
        bucket = _section(buckets, name, path)
        result[name] = {"examples": _get(bucket, "examples", f"{path}.{name}", _strings, [])}
    return result


def _patterns(value: object, path: str) -> list[str]:
    """A list of regular expressions that compile (case-insensitively)."""
    patterns = _strings(value, path)
    for index, pattern in enumerate(patterns):
        try:
            re.compile(pattern, re.IGNORECASE)
        except (re.error, OverflowError, RecursionError) as err:
            raise ConfigIssue(f"{path}[{index}] is not a valid regular expression: {err}") from None
    return patterns


def _anchors(value: object, path: str) -> list[str]:
    """Anchor terms; each must contain at least one token."""
    anchors = _strings(value, path)
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


def _quality(doc: Doc) -> dict[str, Any]:
    thresholds = _section(doc, "thresholds")
    default_buckets = {name: list(items) for name, items in DEFAULT_FORBIDDEN_PHRASES.items()}
    return {
        "version": 1,
        "required_headings": _get(
            doc, "required_headings", "", _strings, list(DEFAULT_REQUIRED_HEADINGS)
        ),
        "section_min_chars": _get(doc, "section_min_chars", "", _non_negative_int, 120),
        "forbidden_phrases": _get(doc, "forbidden_phrases", "", _phrase_buckets, default_buckets),
        "thresholds": {
            "refine_min_total": _get(thresholds, "refine_min_total", "thresholds", _unit, 0.65),
        },
    }


def _style(doc: Doc) -> dict[str, Any]:
    limits = _section(doc, "limits")
    sentence = _section(limits, "sentence_length", "limits")
    adjective = _section(limits, "adjective_density", "limits")
    at = "limits.sentence_length"
    return {
        "version": 1,
        "limits": {
            "sentence_length": {
                "max_words": _get(sentence, "max_words", at, _positive_int, 28),
                "hard_fail_over": _get(sentence, "hard_fail_over", at, _positive_int, 40),
            },
            "adjective_density": {
                "max_ratio": _get(adjective, "max_ratio", "limits.adjective_density", _unit, 0.12),
            },
        },
        "forbidden": _get(doc, "forbidden", "", _example_buckets, _no_buckets()),
    }


def _tolerances(doc: Doc) -> dict[str, Any]:
    tol = _section(doc, "tolerances")
    at = "tolerances"
    return {
        "duplicate_sentence_ratio": _get(tol, "duplicate_sentence_ratio", at, _positive_unit, 0.08),
        "ngram_duplicate_ratio": _get(tol, "ngram_duplicate_ratio", at, _positive_unit, 0.12),
        "anchor_drift": _get(tol, "anchor_drift", at, _positive_unit, 0.35),
        "cross_chapter_similarity": _get(tol, "cross_chapter_similarity", at, _unit, 0.85),
        "ngram_size": _get(tol, "ngram_size", at, _positive_int, 5),
        "window_tokens": _get(tol, "window_tokens", at, _positive_int, 6),
    }


def _drift(doc: Doc) -> dict[str, Any]:
    hype = _section(doc, "hype")
    gate = _section(doc, "pass")
    return {
        "version": 1,
        "hype": {
            "keywords": _get(hype, "keywords", "hype", _strings, list(DEFAULT_HYPE_KEYWORDS)),
            "patterns": _get(hype, "patterns", "hype", _patterns, list(DEFAULT_HYPE_PATTERNS)),
        },
        "anchors": _get(doc, "anchors", "", _anchors, _no_strings()),
        "tolerances": _tolerances(doc),
        "pass": {"max_score": _get(gate, "max_score", "pass", _unit, 0.30)},
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
    return _normalise(QUALITY_NAME, raw, _quality)


def normalise_style_guard(raw: object) -> dict[str, Any]:
    """Complete style-guard configuration (see module docstring)."""
    return _normalise(STYLE_NAME, raw, _style)


def normalise_drift_detection(raw: object) -> dict[str, Any]:
    """Complete drift-detection configuration (see module docstring)."""
    return _normalise(DRIFT_NAME, raw, _drift)
