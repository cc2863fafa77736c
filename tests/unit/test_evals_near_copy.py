"""Near copies, not neighbours: the project layout's cross-chapter signal on real prose.

tests/fixtures/bread holds two chapters of one bread book (keeping a starter; shaping and
baking) and a copy of the first with two of its six paragraphs rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from state_runner.domain.evals import drift_detection
from state_runner.domain.evals.drift import cosine, cross_chapter_hits
from state_runner.domain.evals.near_copy import near_copy_hits, near_copy_share
from state_runner.domain.evals.text import tokens

TESTS = Path(__file__).resolve().parents[1]
BREAD = TESTS / "fixtures" / "bread"
SAMPLE_BOOK = TESTS.parent / "examples" / "sample-book"
STARTER, SHAPING, REWORKED = "01-starter", "02-shaping", "03-starter-reworked"


def bread() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(BREAD.glob("*.md"))}


def others(book: dict[str, str], chapter_id: str) -> dict[str, str]:
    return {other: text for other, text in book.items() if other != chapter_id}


def drift_of(book: dict[str, str], chapter_id: str, config: Any = None) -> Any:
    text = book[chapter_id]
    return drift_detection(
        text, config or {}, baseline_text=text, other_chapters=others(book, chapter_id),
        timestamp="2024-01-01T00:00:00Z",
    )  # fmt: skip


def hits_of(result: Any) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = result.report["drift_metrics"]["cross_chapter_similarity_hits"]
    return hits


def test_the_neighbours_look_alike_to_the_bag_of_words_cosine() -> None:
    # the bread book's problem: one subject, one author, 0.87 over all words
    book = bread()
    assert cosine(tokens(book[STARTER]), tokens(book[SHAPING])) >= 0.85
    original = {"layout": "original", "tolerances": {"cross_chapter_similarity": 0.85}}
    _, hits = cross_chapter_hits(tokens(book[STARTER]), {SHAPING: book[SHAPING]}, original)
    assert [hit["chapter_id"] for hit in hits] == [SHAPING]


def test_two_chapters_on_one_subject_are_not_near_copies() -> None:
    book = {k: v for k, v in bread().items() if k != REWORKED}
    for chapter_id in book:
        result = drift_of(book, chapter_id)
        assert hits_of(result) == []
        assert result.similarity_max < 0.01  # one shared 5-word run in about 400
        assert result.score == 0.0


def test_a_copy_with_a_third_rewritten_is_a_near_copy_both_ways() -> None:
    book = bread()
    for chapter_id, twin in ((STARTER, REWORKED), (REWORKED, STARTER)):
        result = drift_of(book, chapter_id)
        hits = hits_of(result)
        assert hits == [{"chapter_id": twin, "cosine": result.similarity_max}]
        assert 0.6 < result.similarity_max < 0.75  # four paragraphs of six kept
        assert result.score == pytest.approx(0.10)
    assert hits_of(drift_of(book, SHAPING)) == []


def test_the_sample_book_chapters_do_not_flag_each_other() -> None:
    config = yaml.safe_load((SAMPLE_BOOK / "evals" / "drift-detection.yaml").read_text())
    chapters = SAMPLE_BOOK / "book" / "chapters"
    book = {path.stem: path.read_text(encoding="utf-8") for path in sorted(chapters.glob("*.md"))}
    assert len(book) == 3
    for chapter_id in book:
        result = drift_of(book, chapter_id, config)
        assert hits_of(result) == []
        assert result.similarity_max < 0.01


def test_the_share_is_of_the_shorter_chapter_and_symmetric() -> None:
    words = tokens(bread()[STARTER])
    half = " ".join(words[: len(words) // 2])
    longer = bread()[STARTER] + "\n" + bread()[SHAPING]
    assert near_copy_share(words, bread()[STARTER]) == 1.0
    assert near_copy_share(tokens(half), longer) == 1.0  # contained whole in a longer chapter
    assert near_copy_share(tokens(longer), half) == 1.0
    assert near_copy_share(words, "") == 0.0
    assert near_copy_share([], "some words") == 0.0


def test_texts_shorter_than_five_words_compare_whole() -> None:
    assert near_copy_share(["x", "cache", "z"], "x cache z") == 1.0
    assert near_copy_share(["a", "a", "b"], "a b b") == 0.0
    assert near_copy_share(tokens("one two three four five six"), "two three") == 1.0


def test_the_threshold_is_inclusive_and_hits_keep_ledger_order() -> None:
    text = "one two three four five six seven eight"  # four 5-word runs
    chapters = {"z-half": "one two three four five six zzz", "a-same": text}
    _, hits = near_copy_hits(tokens(text), chapters, 0.5)  # z-half shares 2 of its 3
    assert [hit["chapter_id"] for hit in hits] == ["z-half", "a-same"]
    assert hits[0]["cosine"] == 2 / 3
    _, hits = near_copy_hits(tokens(text), chapters, 2 / 3)
    assert len(hits) == 2
    _, hits = near_copy_hits(tokens(text), chapters, 0.7)
    assert [hit["chapter_id"] for hit in hits] == ["a-same"]


def test_the_threshold_is_the_near_copy_share_tolerance() -> None:
    book = bread()
    strict = {"tolerances": {"near_copy_share": 0.7}}
    assert hits_of(drift_of(book, STARTER, strict)) == []
    loose = {"tolerances": {"near_copy_share": 0.0}}
    hits = hits_of(drift_of(book, STARTER, loose))
    assert [hit["chapter_id"] for hit in hits] == [SHAPING, REWORKED]


WORDS = st.lists(st.sampled_from(["flour", "water", "starter", "dough", "the", "a"]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(left=WORDS, right=WORDS)
def test_the_share_is_symmetric_bounded_and_one_for_equal_texts(
    left: list[str], right: list[str]
) -> None:
    share = near_copy_share(left, " ".join(right))
    assert share == near_copy_share(right, " ".join(left))
    assert 0.0 <= share <= 1.0
    assert near_copy_share(left, " ".join(left)) == (1.0 if left else 0.0)
