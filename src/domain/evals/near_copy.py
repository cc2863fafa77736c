"""Near copies between chapters (project layout): the share of word 5-grams two chapters share.

A chapter that repeats another keeps most of its runs of five consecutive words; two chapters on
one subject share words but almost never five in a row. The share is measured against the
shorter chapter, so it is symmetric and also catches a chapter that contains another whole.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from state_runner.domain.evals.text import tokens

DEFAULT_NEAR_COPY_SHARE = 0.5
"""The share of a chapter's 5-word runs found in another at which it is a near copy."""

SHINGLE_WORDS = 5

Shingles = frozenset[tuple[str, ...]]


def shingles(words: Sequence[str], size: int) -> Shingles:
    """The distinct runs of `size` consecutive words."""
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


@functools.lru_cache(maxsize=1024)
def text_words(text: str) -> tuple[str, ...]:
    """A chapter's tokens, computed once per text (other chapters do not change during a run)."""
    return tuple(tokens(text))


@functools.lru_cache(maxsize=1024)
def text_shingles(text: str, size: int) -> Shingles:
    """A chapter's shingles of `size` words, computed once per text and size."""
    return shingles(text_words(text), size)


def share_of_shorter(mine: Shingles, theirs: Shingles) -> float:
    """Shared shingles over the shingles of the side with fewer; 0.0 when a side has none."""
    if not mine or not theirs:
        return 0.0
    return len(mine & theirs) / min(len(mine), len(theirs))


def near_copy_share(words: Sequence[str], other_text: str) -> float:
    """The near-copy share of `words` and another chapter's text.

    Shingles are 5 words long, or as long as the shorter text when it has fewer words (two
    identical three-word texts share all of theirs).
    """
    size = min(SHINGLE_WORDS, len(words), len(text_words(other_text)))
    if size == 0:
        return 0.0
    return share_of_shorter(shingles(words, size), text_shingles(other_text, size))


def near_copy_hits(
    words: Sequence[str], other_chapters: Mapping[str, str], threshold: float
) -> tuple[float, list[dict[str, Any]]]:
    """Highest share against the other chapters, and `{chapter_id, cosine: share}` at/over
    threshold, in the order of `other_chapters` (the record keeps the key `cosine`)."""
    own = shingles(words, SHINGLE_WORDS)
    highest = 0.0
    hits: list[dict[str, Any]] = []
    for chapter_id, other in other_chapters.items():
        if len(words) >= SHINGLE_WORDS and len(text_words(other)) >= SHINGLE_WORDS:
            value = share_of_shorter(own, text_shingles(other, SHINGLE_WORDS))
        else:
            value = near_copy_share(words, other)
        highest = max(highest, value)
        if value >= threshold:
            hits.append({"chapter_id": chapter_id, "cosine": value})
    return highest, hits


def clear_caches() -> None:
    """Forget the cached tokens and shingles (benchmarks start each run from nothing)."""
    text_words.cache_clear()
    text_shingles.cache_clear()
