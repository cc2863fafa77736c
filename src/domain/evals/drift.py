"""drift-detection: hype, repetition, anchor drift and cross-chapter similarity."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from domain.evals.config import normalise_drift_detection
from domain.evals.text import round4, split_sentences, tokens

MIN_DUPLICATE_SENTENCE_CHARS = 20
HYPE_WEIGHT = 0.25
REPETITION_WEIGHT = 0.35
ANCHOR_WEIGHT = 0.30
SIMILARITY_WEIGHT = 0.10


def hype_hits(text: str, keywords: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Sorted `keyword:<kw>` (substring) and `pattern:<regex>` (search) hits, case-insensitive."""
    lowered = text.lower()
    hits = {f"keyword:{kw}" for kw in keywords if kw.lower() in lowered}
    hits |= {f"pattern:{p}" for p in patterns if re.search(p, text, re.IGNORECASE)}
    return sorted(hits)


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
    """Tokens within `window` positions before and after each occurrence of `anchor`."""
    context: set[str] = set()
    width = len(anchor)
    for start in range(len(words) - width + 1):
        if list(words[start : start + width]) == list(anchor):
            context.update(words[max(0, start - window) : start])
            context.update(words[start + width : start + width + window])
    return context


def jaccard_delta(before: set[str], after: set[str]) -> float:
    """1 - Jaccard similarity; 0.0 when both sets are empty."""
    union = before | after
    if not union:
        return 0.0
    return 1.0 - len(before & after) / len(union)


def anchor_deltas(
    baseline: Sequence[str], current: Sequence[str], anchors: Sequence[str], window: int
) -> dict[str, float]:
    """Anchor term -> neighbourhood drift between baseline and current tokens."""
    deltas: dict[str, float] = {}
    for anchor in anchors:
        anchor_words = tokens(anchor)
        deltas[anchor] = jaccard_delta(
            anchor_context(baseline, anchor_words, window),
            anchor_context(current, anchor_words, window),
        )
    return deltas


def cosine(left: Sequence[str], right: Sequence[str]) -> float:
    """Cosine similarity of bag-of-words count vectors; 0.0 when either is empty."""
    a, b = Counter(left), Counter(right)
    norms = sum(v * v for v in a.values()) * sum(v * v for v in b.values())
    if not norms:
        return 0.0
    dot = sum(count * b[word] for word, count in a.items())
    return min(1.0, dot / math.sqrt(norms))


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


def _similarities(
    words: Sequence[str], other_chapters: Mapping[str, str], threshold: float
) -> tuple[float, list[str]]:
    """Highest rounded cosine against the other chapters and the sorted ids at/over threshold."""
    scores = {cid: round4(cosine(words, tokens(other))) for cid, other in other_chapters.items()}
    hits = sorted(cid for cid, score in scores.items() if score >= threshold)
    return max(scores.values(), default=0.0), hits


def drift_detection(
    text: str,
    config: Mapping[str, Any],
    *,
    baseline_text: str,
    other_chapters: Mapping[str, str],
    timestamp: str,
) -> dict[str, Any]:
    """The drift-detection report for `text` against its baseline and the other chapters."""
    cfg = normalise_drift_detection(config)
    tol = cfg["tolerances"]
    words = tokens(text)
    hype = hype_hits(text, cfg["hype"]["keywords"], cfg["hype"]["patterns"])
    duplicates = round4(duplicate_sentence_ratio(text))
    ngrams = round4(ngram_duplicate_ratio(words, tol["ngram_size"]))
    raw_deltas = anchor_deltas(tokens(baseline_text), words, cfg["anchors"], tol["window_tokens"])
    deltas = {term: round4(delta) for term, delta in raw_deltas.items()}
    max_delta = max(deltas.values(), default=0.0)
    similarity_max, similar = _similarities(words, other_chapters, tol["cross_chapter_similarity"])
    score = round4(
        drift_score(
            hype=bool(hype),
            duplicates=duplicates,
            ngrams=ngrams,
            max_delta=max_delta,
            similar=bool(similar),
            tolerances=tol,
        )
    )
    return {
        "pass": score <= cfg["pass"]["max_score"] and not hype,
        "hype_hits": hype,
        "repetition_metrics": {
            "duplicate_sentence_ratio": duplicates,
            "ngram_duplicate_ratio": ngrams,
        },
        "drift_metrics": {
            "anchor_deltas": deltas,
            "max_delta": max_delta,
            "similarity_max": similarity_max,
            "similarity_hits": similar,
            "score": score,
        },
        "timestamp": timestamp,
    }
