"""Text primitives shared by the evals: sentences, words, tokens, rounding."""

from __future__ import annotations

import re

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\b\w+\b")
_TOKEN = re.compile(r"[a-z0-9]+")


def split_sentences(text: str) -> list[str]:
    """Collapse whitespace, then split after `.`, `!` or `?` followed by whitespace."""
    collapsed = " ".join(text.split())
    return [piece for piece in _SENTENCE_BREAK.split(collapsed) if piece]


def count_words(sentence: str) -> int:
    """Number of `\\b\\w+\\b` words in a sentence."""
    return len(_WORD.findall(sentence))


def tokens(text: str) -> list[str]:
    """Lowercase ASCII letter/digit runs, in order."""
    return _TOKEN.findall(text.lower())


def round4(value: float) -> float:
    """Round a metric to four decimals for reports and gate comparisons."""
    return round(float(value), 4)


def phrase_hits(text: str, buckets: dict[str, list[str]]) -> list[str]:
    """Sorted, de-duplicated `<bucket>:<phrase>` for case-insensitive substring hits."""
    haystack = text.lower()
    hits = {
        f"{bucket}:{phrase}"
        for bucket, phrases in buckets.items()
        for phrase in phrases
        if phrase.lower() in haystack
    }
    return sorted(hits)
