"""chapter-quality configuration: required headings, scored sections and per-chapter overrides.

Defaults are the original kernel's: the eight headings and five scored sections below, with
their original score names, so a book without these keys behaves exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain.evals.config_checks import (
    ConfigIssue,
    Doc,
    bucket_names,
    get,
    non_negative_int,
    section,
    strings,
    unit,
)

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
DEFAULT_SCORED_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("thesis_clarity", ("## Thesis",)),
    ("system_breakdown", ("## System Breakdown",)),
    ("examples_count", ("## Concrete Example 1", "## Concrete Example 2")),
    ("tradeoffs", ("## Trade-offs",)),
    ("failure_modes", ("## Failure Modes",)),
)
DEFAULT_FORBIDDEN_PHRASES: Mapping[str, tuple[str, ...]] = {
    "marketing_language": ("best-in-class", "world-class", "revolutionary", "effortless"),
    "anthropomorphism": ("the model thinks", "the agent wants", "the system feels"),
    "vague_claims": ("obviously", "clearly", "just trust", "everyone knows"),
}
DEFAULT_MIN_CHARS = 120
OVERRIDABLE = ("required_headings", "section_min_chars", "scored_sections", "thresholds")


def _phrase_buckets(value: object, path: str) -> dict[str, list[str]]:
    """`bucket -> [phrase, ...]`."""
    buckets = bucket_names(value, path)
    return {name: strings(items, f"{path}.{name}") for name, items in buckets.items()}


def _scored_section(value: object, path: str, min_chars: int) -> dict[str, Any]:
    """`{name, heading | headings, min_chars?}` -> `{name, headings, min_chars}`."""
    if not isinstance(value, Mapping):
        raise ConfigIssue(f"{path} must be a mapping with name and heading")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigIssue(f"{path}.name must be a non-empty string")
    if "heading" in value and "headings" in value:
        raise ConfigIssue(f"{path}: give heading or headings, not both")
    if "heading" in value:
        headings = strings([value["heading"]], f"{path}.heading")
    else:
        headings = get(value, "headings", path, strings, [])
    if not headings:
        raise ConfigIssue(f"{path} needs a heading (or a list of headings)")
    chars = get(value, "min_chars", path, non_negative_int, min_chars)
    return {"name": name, "headings": headings, "min_chars": chars}


def _scored_sections(value: object, path: str, min_chars: int) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ConfigIssue(f"{path} must be a list of sections")
    sections = [_scored_section(item, f"{path}[{i}]", min_chars) for i, item in enumerate(value)]
    names = [s["name"] for s in sections]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ConfigIssue(f"{path}: the name {duplicate!r} is used twice")
    return sections


def _default_scored(min_chars: int) -> list[dict[str, Any]]:
    return [
        {"name": name, "headings": list(headings), "min_chars": min_chars}
        for name, headings in DEFAULT_SCORED_SECTIONS
    ]


def _rules(doc: Doc, parent: str, base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overridable rules of a document (or of one chapter's entry, on top of `base`)."""
    inherited = base or {}
    where = (lambda key: f"{parent}.{key}") if parent else (lambda key: key)
    min_chars = get(
        doc, "section_min_chars", parent, non_negative_int,
        inherited.get("section_min_chars", DEFAULT_MIN_CHARS),
    )  # fmt: skip
    required = get(
        doc, "required_headings", parent, strings,
        inherited.get("required_headings", list(DEFAULT_REQUIRED_HEADINGS)),
    )  # fmt: skip
    if "scored_sections" in doc:
        scored = _scored_sections(doc["scored_sections"], where("scored_sections"), min_chars)
    else:
        scored = inherited.get("scored_sections", _default_scored(min_chars))
    thresholds = section(doc, "thresholds", parent)
    default_total = inherited.get("thresholds", {}).get("refine_min_total", 0.65)
    total = get(thresholds, "refine_min_total", where("thresholds"), unit, default_total)
    return {
        "required_headings": required,
        "section_min_chars": min_chars,
        "scored_sections": scored,
        "thresholds": {"refine_min_total": total},
    }


def _chapters(doc: Doc, base: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-chapter overrides: `chapters.<id>: {exempt?, <any overridable rule>}`."""
    chapters = bucket_names(doc.get("chapters", {}), "chapters")
    result: dict[str, dict[str, Any]] = {}
    for chapter_id in chapters:
        entry = section(chapters, chapter_id, "chapters")
        where = f"chapters.{chapter_id}"
        unknown = sorted(str(k) for k in entry if k not in (*OVERRIDABLE, "exempt"))
        if unknown:
            allowed = ", ".join(("exempt", *OVERRIDABLE))
            raise ConfigIssue(f"{where}: unknown keys {unknown} (allowed: {allowed})")
        exempt = entry.get("exempt", False)
        if not isinstance(exempt, bool):
            raise ConfigIssue(f"{where}.exempt must be true or false")
        result[chapter_id] = {"exempt": exempt, **_rules(entry, where, base)}
    return result


def normalise_quality(doc: Doc) -> dict[str, Any]:
    """The complete chapter-quality configuration of a document (see the module docstring)."""
    default_buckets = {name: list(items) for name, items in DEFAULT_FORBIDDEN_PHRASES.items()}
    rules = _rules(doc, "", None)
    return {
        "version": 1,
        **rules,
        "forbidden_phrases": get(doc, "forbidden_phrases", "", _phrase_buckets, default_buckets),
        "chapters": _chapters(doc, rules),
    }


def rules_for(config: Mapping[str, Any], chapter_id: str | None) -> dict[str, Any]:
    """The rules that apply to one chapter: its override when there is one, else the book's."""
    override = config.get("chapters", {}).get(chapter_id) if chapter_id else None
    if override is not None:
        return {**config, **override}
    return {**config, "exempt": False}
