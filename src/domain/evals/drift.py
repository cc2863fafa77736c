"""drift-detection: hype, repetition, anchor drift and cross-chapter similarity."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from state_runner.domain.evals.config import normalise_drift_detection
from state_runner.domain.evals.drift_layouts import ORIGINAL
from state_runner.domain.evals.near_copy import near_copy_hits
from state_runner.domain.evals.text import split_sentences, tokens

MIN_DUPLICATE_SENTENCE_CHARS = 20
HYPE_WEIGHT = 0.25
REPETITION_WEIGHT = 0.35
ANCHOR_WEIGHT = 0.30
SIMILARITY_WEIGHT = 0.10


def hype_hits(
    text: str,
    keywords: Sequence[str],
    patterns: Sequence[str],
    *,
    pattern_flags: int = re.IGNORECASE,
) -> list[str]:
    """The keywords found (substring), then the patterns found (search), as written in the YAML.

    Keywords match case-insensitively; patterns with `pattern_flags` (case-insensitive unless
    the book is in the original layout). The order is the configuration's.
    """
    lowered = text.lower()
    found = [keyword for keyword in keywords if keyword.lower() in lowered]
    return found + [pattern for pattern in patterns if re.search(pattern, text, pattern_flags)]


def duplicate_sentence_ratio(text: str) -> float:
    """Repeated sentences (>= 20 chars, case-insensitive) over all sentences of that length."""
    seen: set[str] = set()
    considered = repeats = 0
    for sentence in split_sentences(text):
        if len(sentence) < MIN_DUPLICATE_SENTENCE_CHARS:
            continue
        considered += 1
        key = sentence.lower()
        repeats += key in seen
        seen.add(key)
    return repeats / considered if considered else 0.0


def ngram_duplicate_ratio(words: Sequence[str], size: int) -> float:
    """(n-grams - distinct n-grams) / n-grams; 0.0 when the text is shorter than one n-gram."""
    grams = [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]
    if not grams:
        return 0.0
    return (len(grams) - len(set(grams))) / len(grams)


def anchor_context(words: Sequence[str], anchor: Sequence[str], window: int) -> set[str]:
    """Tokens within `window` positions of each occurrence of `anchor`, minus the anchor's own."""
    context: set[str] = set()
    width = len(anchor)
    for start in range(len(words) - width + 1):
        if list(words[start : start + width]) == list(anchor):
            context.update(words[max(0, start - window) : start])
            context.update(words[start + width : start + width + window])
    return context - set(anchor)


def jaccard_delta(before: set[str], after: set[str]) -> float:
    """1 - Jaccard similarity; 0.0 when both sets are empty."""
    union = before | after
    if not union:
        return 0.0
    return 1.0 - len(before & after) / len(union)


def anchor_deltas(
    baseline: Sequence[str],
    current: Sequence[str],
    anchors: Sequence[str],
    window: int,
    *,
    split: Callable[[str], list[str]] = tokens,
) -> dict[str, float]:
    """Anchor term -> neighbourhood drift between baseline and current tokens.

    `split` turns a term into the token sequence it matches: its tokens by default; in the
    original layout the term as written, one token (so "Harness" or "multi-agent" never match).
    """
    deltas: dict[str, float] = {}
    for anchor in anchors:
        anchor_words = split(anchor)
        deltas[anchor] = jaccard_delta(
            anchor_context(baseline, anchor_words, window),
            anchor_context(current, anchor_words, window),
        )
    return deltas


def _whole_term(term: str) -> list[str]:
    """The original kernel's anchor match: the term as written is one token."""
    return [term]


Bag = tuple[Counter[str], float]  # word counts and their Euclidean norm


def bag(words: Sequence[str]) -> Bag:
    counts = Counter(words)
    return counts, math.sqrt(sum(v * v for v in counts.values()))


@functools.lru_cache(maxsize=1024)
def text_bag(text: str) -> Bag:
    """The bag of a chapter's text, computed once per text: the other chapters are compared in
    every iteration of a run, and their texts do not change during it. Callers must not
    change the returned counts."""
    return bag(tokens(text))


def bag_cosine(a: Bag, b: Bag) -> float:
    """Cosine of two bags; 0.0 when either is empty.

    Computed as dot / (|a| * |b|) with each norm its own square root and the dot summed in the
    order of `a`'s words, so the float matches the original kernel's to the last bit (it can
    exceed 1.0 by one ulp for identical texts).
    """
    (left, norm_a), (right, norm_b) = a, b
    if not left or not right:
        return 0.0
    dot = sum(count * right.get(word, 0) for word, count in left.items())
    return float(dot / (norm_a * norm_b))


def cosine(left: Sequence[str], right: Sequence[str]) -> float:
    """Cosine similarity of bag-of-words count vectors; 0.0 when either is empty."""
    return bag_cosine(bag(left), bag(right))


def drift_score(
    *,
    hype: bool,
    duplicates: float,
    ngrams: float,
    max_delta: float,
    similar: bool,
    tolerances: Mapping[str, Any],
) -> float:
    """The weighted drift score, capped at 1."""
    duplicate_tol = float(tolerances["duplicate_sentence_ratio"])
    ngram_tol = float(tolerances["ngram_duplicate_ratio"])
    anchor_tol = float(tolerances["anchor_drift"])
    repetition = 0.5 * min(1.0, duplicates / duplicate_tol) + 0.5 * min(1.0, ngrams / ngram_tol)
    anchor = min(1.0, max_delta / anchor_tol)
    total = (
        HYPE_WEIGHT * float(hype)
        + REPETITION_WEIGHT * repetition
        + ANCHOR_WEIGHT * anchor
        + SIMILARITY_WEIGHT * float(similar)
    )
    return min(1.0, total)


@dataclass(frozen=True)
class DriftResult:
    """The drift-detection report plus the two numbers recorded beside it."""

    report: dict[str, Any]
    score: float
    similarity_max: float


def similarity_hits(
    words: Sequence[str], other_chapters: Mapping[str, str], threshold: float
) -> tuple[float, list[dict[str, Any]]]:
    """Highest cosine against the other chapters, and `{chapter_id, cosine}` at/over threshold.

    Hits keep the order of `other_chapters` (the ledger's order).
    """
    highest = 0.0
    hits: list[dict[str, Any]] = []
    this = bag(words)
    for chapter_id, other in other_chapters.items():
        value = bag_cosine(this, text_bag(other))
        highest = max(highest, value)
        if value >= threshold:
            hits.append({"chapter_id": chapter_id, "cosine": value})
    return highest, hits


def cross_chapter_hits(
    words: Sequence[str], other_chapters: Mapping[str, str], cfg: Mapping[str, Any]
) -> tuple[float, list[dict[str, Any]]]:
    """The cross-chapter signal of a normalised config: the original layout's bag-of-words
    cosine, or the project layout's near-copy share (5-word runs, see near_copy)."""
    tol = cfg["tolerances"]
    if cfg["layout"] == ORIGINAL:
        return similarity_hits(words, other_chapters, tol["cross_chapter_similarity"])
    return near_copy_hits(words, other_chapters, tol["near_copy_share"])


def drift_detection(
    text: str,
    config: Mapping[str, Any],
    *,
    baseline_text: str,
    other_chapters: Mapping[str, str],
    timestamp: str,
) -> DriftResult:
    """The drift-detection report for `text` against its baseline and the other chapters."""
    cfg = normalise_drift_detection(config)
    tol = cfg["tolerances"]
    words = tokens(text)
    original = cfg["layout"] == ORIGINAL
    flags = 0 if original else re.IGNORECASE
    hype = hype_hits(text, cfg["hype"]["keywords"], cfg["hype"]["patterns"], pattern_flags=flags)
    duplicates = duplicate_sentence_ratio(text)
    ngrams = ngram_duplicate_ratio(words, tol["ngram_size"])
    split = _whole_term if original else tokens
    deltas = anchor_deltas(
        tokens(baseline_text), words, cfg["anchors"], tol["window_tokens"], split=split
    )
    highest, hits = cross_chapter_hits(words, other_chapters, cfg)
    score = drift_score(
        hype=bool(hype),
        duplicates=duplicates,
        ngrams=ngrams,
        max_delta=max(deltas.values(), default=0.0),
        similar=bool(hits),
        tolerances=tol,
    )
    report = {
        "pass": score <= cfg["pass"]["max_score"] and not hype,
        "hype_hits": hype,
        "repetition_metrics": {
            "duplicate_sentence_ratio": duplicates,
            "near_duplicate_ngram_ratio": ngrams,
        },
        "drift_metrics": {"anchor_deltas": deltas, "cross_chapter_similarity_hits": hits},
        "timestamp": timestamp,
    }
    return DriftResult(report=report, score=score, similarity_max=highest)
