"""The keys each eval file may hold, in both layouts, and one warning per key the kernel ignores.

Two layouts are known: the project's (`hype`, `anchors`, `tolerances`, `scored_sections`, ...)
and the original kernel's (drift-detection under `rules:`; chapter-quality `thresholds`;
style-guard `limits` and `forbidden`). The tree of a file is the union of both: a file that mixes
them is refused by its normaliser, so here every key of either layout counts as known. Bucket
names (`forbidden`, `forbidden_phrases`) and chapter ids (`chapters`) are free names, not keys.
The original's descriptive keys are read past at every level, whatever they hold.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from state_runner.domain.evals.config import DRIFT_NAME, QUALITY_NAME, STYLE_NAME

DESCRIPTIVE_KEYS: tuple[str, ...] = (
    "version", "scope", "criteria", "signals", "outputs", "description", "mode", "severity",
    "similarity_metric", "window", "expected_neighbors", "metaphor_policy",
    "allow_if_justified_with", "metaphors_allowed",
)  # fmt: skip


@dataclass(frozen=True)
class Keys:
    """A mapping whose keys are these names (each with the tree of its value)."""

    known: Mapping[str, Node]


@dataclass(frozen=True)
class Buckets:
    """A mapping whose keys are free names (buckets, chapter ids), each value an `each`."""

    each: Node


@dataclass(frozen=True)
class Items:
    """A list whose items are each an `each` (items that are not mappings are not checked)."""

    each: Node


Node = Keys | Buckets | Items | None
"""None: a value whose content holds no keys (a number, a string, a list of strings)."""

_THRESHOLDS = Keys({"refine_min_total": None})
_SCORED = Items(Keys({"name": None, "heading": None, "headings": None, "min_chars": None}))
_RULES = {
    "required_headings": None,
    "section_min_chars": None,
    "scored_sections": _SCORED,
    "thresholds": _THRESHOLDS,
}
_CHAPTER = Keys({"exempt": None, **_RULES})

QUALITY_PROJECT = Keys(
    {**_RULES, "forbidden_phrases": Buckets(None), "chapters": Buckets(_CHAPTER)}
)
# The original book also writes `thresholds.approve_min_total`, which its kernel never read.
QUALITY_ORIGINAL = Keys({"thresholds": Keys({"refine_min_total": None, "approve_min_total": None})})

STYLE_PROJECT = STYLE_ORIGINAL = Keys(
    {
        "limits": Keys(
            {
                "sentence_length": Keys({"max_words": None, "hard_fail_over": None}),
                "adjective_density": Keys({"max_ratio": None}),
            }
        ),
        "forbidden": Buckets(Keys({"examples": None})),
    }
)

_TOLERANCES = (
    "duplicate_sentence_ratio", "ngram_duplicate_ratio", "anchor_drift",
    "near_copy_share", "ngram_size", "window_tokens",
)  # fmt: skip
# `tolerances.cross_chapter_similarity` is still validated (older books set it) but no longer
# used in this layout (the near-copy share replaced the cosine), so it is not listed: it warns.
_HYPE = Keys({"keywords": None, "patterns": None})
DRIFT_PROJECT = Keys(
    {
        "hype": _HYPE,
        "anchors": None,
        "tolerances": Keys(dict.fromkeys(_TOLERANCES)),
        "pass": Keys({"max_score": None}),
        "layout": None,
    }
)
DRIFT_ORIGINAL = Keys(
    {
        "rules": Keys(
            {
                "stylistic_hype": _HYPE,
                "repetition": Keys(
                    {"max_duplicate_sentence_ratio": None, "max_near_duplicate_ngram_ratio": None}
                ),
                "conceptual_drift": Keys(
                    {
                        "anchors": Items(Keys({"term": None})),
                        "max_neighbor_jaccard_delta": None,
                    }
                ),
            }
        )
    }
)


def _union(project: Keys, original: Keys) -> Keys:
    return Keys({**project.known, **original.known})


KNOWN_KEYS: Mapping[str, Keys] = {
    QUALITY_NAME: _union(QUALITY_PROJECT, QUALITY_ORIGINAL),
    STYLE_NAME: _union(STYLE_PROJECT, STYLE_ORIGINAL),
    DRIFT_NAME: _union(DRIFT_PROJECT, DRIFT_ORIGINAL),
}


MAX_WARNINGS = 20
"""Warnings shown per file; the rest are counted in one more line."""
MAX_KEY_CHARS = 80


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _unknown(
    value: object, node: Node, path: str, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, str | None]]:
    """`(path, closest known path or None)` for each unknown key under `value`, in file order.

    A YAML alias makes one mapping or list appear at many places: it is checked once, at its
    first place, so a small file cannot make the walk (or the warnings) explode.
    """
    if isinstance(value, Mapping | list):
        if (id(value), id(node)) in seen:
            return
        seen.add((id(value), id(node)))
    if isinstance(node, Items) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unknown(item, node.each, f"{path}[{index}]", seen)
    elif isinstance(node, Buckets) and isinstance(value, Mapping):
        for name, item in value.items():
            yield from _unknown(item, node.each, _join(path, str(name)), seen)
    elif isinstance(node, Keys) and isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            if name in DESCRIPTIVE_KEYS:
                continue
            if isinstance(key, str) and key in node.known:
                yield from _unknown(item, node.known[key], _join(path, key), seen)
                continue
            close = difflib.get_close_matches(name, [*node.known, *DESCRIPTIVE_KEYS], n=1)
            yield _join(path, name), _join(path, close[0]) if close else None


def _shown(path: str) -> str:
    """The path quoted and escaped (one line whatever it holds), cut when very long."""
    return repr(path if len(path) <= MAX_KEY_CHARS else path[: MAX_KEY_CHARS - 3] + "...")


def unknown_keys(name: str, doc: object) -> list[str]:
    """One warning line per key of `evals/<name>.yaml` that the kernel ignores (at most
    `MAX_WARNINGS`, then one line with the count of the others)."""
    found = list(_unknown(doc, KNOWN_KEYS[name], "", set()))
    warnings = []
    for path, close in found[:MAX_WARNINGS]:
        hint = f" (did you mean {_shown(close)}?)" if close else ""
        warnings.append(f"evals/{name}.yaml: unknown key {_shown(path)}{hint}; it is ignored")
    if len(found) > MAX_WARNINGS:
        more = len(found) - MAX_WARNINGS
        warnings.append(f"evals/{name}.yaml: {more} more unknown key(s); they are ignored")
    return warnings


def eval_warnings(docs: Mapping[str, object]) -> list[str]:
    """Every unknown-key warning of the parsed eval documents, file by file."""
    return [line for name in KNOWN_KEYS for line in unknown_keys(name, docs.get(name))]
