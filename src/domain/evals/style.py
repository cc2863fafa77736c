"""style-guard: sentence length, adjective density and forbidden filler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state_runner.domain.evals.config import normalise_style_guard
from state_runner.domain.evals.text import count_words, phrase_hits, split_sentences, tokens

ADJECTIVE_SUFFIXES: tuple[str, ...] = ("ive", "ous", "ful", "less", "ic", "ical", "al", "ary", "y")
SENTENCE_PREVIEW_CHARS = 200


def adjective_density(text: str) -> float:
    """Share of tokens (len >= 4) with an adjective-like suffix; 0.0 for no tokens."""
    words = tokens(text)
    if not words:
        return 0.0
    hits = sum(1 for word in words if len(word) >= 4 and word.endswith(ADJECTIVE_SUFFIXES))
    return hits / len(words)


def long_sentences(sentences: list[str], max_words: int) -> list[dict[str, Any]]:
    """`{sentence, words}` for each sentence with more than `max_words` words.

    `sentence` holds the first 200 characters of the sentence.
    """
    found: list[dict[str, Any]] = []
    for sentence in sentences:
        words = count_words(sentence)
        if words > max_words:
            found.append({"sentence": sentence[:SENTENCE_PREVIEW_CHARS], "words": words})
    return found


def style_guard(text: str, config: Mapping[str, Any], *, timestamp: str) -> dict[str, Any]:
    """The style-guard report for `text`."""
    cfg = normalise_style_guard(config)
    limits = cfg["limits"]
    sentences = split_sentences(text)
    violations = long_sentences(sentences, limits["sentence_length"]["max_words"])
    hard_limit = limits["sentence_length"]["hard_fail_over"]
    hard_fail = any(found["words"] > hard_limit for found in violations)
    density = adjective_density(text)
    buckets = {name: bucket["examples"] for name, bucket in cfg["forbidden"].items()}
    forbidden = phrase_hits(text, buckets)
    passed = not hard_fail and density <= limits["adjective_density"]["max_ratio"] and not forbidden
    return {
        "pass": passed,
        "sentence_length_violations": violations,
        "adjective_density": density,
        "forbidden_hits": forbidden,
        "timestamp": timestamp,
    }
