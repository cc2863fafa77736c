"""Text primitives shared by the evals: sentences, words, tokens, phrase hits."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

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


def phrase_hits(text: str, buckets: Mapping[str, Sequence[str]]) -> list[str]:
    """`<bucket>:<phrase>` for each case-insensitive substring hit, in configuration order.

    Like the original kernel, a phrase listed twice is reported twice: the list mirrors the
    configuration, it is not a set.
    """
    haystack = text.lower()
    return [
        f"{bucket}:{phrase}"
        for bucket, phrases in buckets.items()
        for phrase in phrases
        if phrase.lower() in haystack
    ]
