"""drift-detection with hand-computed expectations."""

from __future__ import annotations

import math
from typing import Any

import pytest

from state_runner.domain.evals import DriftResult, drift_detection
from state_runner.domain.evals.drift import (
    anchor_context,
    cosine,
    cross_chapter_hits,
    drift_score,
    duplicate_sentence_ratio,
    jaccard_delta,
    ngram_duplicate_ratio,
)
from state_runner.domain.evals.text import tokens

TS = "2024-01-01T00:00:00Z"
TOLERANCES = {
    "duplicate_sentence_ratio": 0.08,
    "ngram_duplicate_ratio": 0.12,
    "anchor_drift": 0.35,
}


def detect_all(
    text: str,
    config: dict[str, Any] | None = None,
    *,
    baseline: str | None = None,
    others: dict[str, str] | None = None,
) -> DriftResult:
    return drift_detection(
        text,
        {"hype": {"keywords": [], "patterns": []}} if config is None else config,
        baseline_text=text if baseline is None else baseline,
        other_chapters=others or {},
        timestamp=TS,
    )


def detect(
    text: str,
    config: dict[str, Any] | None = None,
    *,
    baseline: str | None = None,
    others: dict[str, str] | None = None,
) -> dict[str, Any]:
    return detect_all(text, config, baseline=baseline, others=others).report


# -- hype ----------------------------------------------------------------------------------------


def test_hype_keywords_then_patterns_as_written_in_config_order() -> None:
    config = {
        "hype": {
            "keywords": ["silver bullet", "Game-Changer", "unused"],
            "patterns": [r"\b10x\b", r"never"],
        }
    }
    result = detect_all("This is a game-changer and 10X better, a SILVER BULLET.", config)
    assert result.report["hype_hits"] == ["silver bullet", "Game-Changer", "\\b10x\\b"]
    # no repeats, no anchors: only the hype term, 0.25 <= 0.30
    assert result.score == 0.25
    assert result.report["pass"] is False  # any hype hit fails the gate


def test_default_hype_list_applies_when_config_omits_it() -> None:
    report = detect("A revolutionary 10x cache.", {})
    assert report["hype_hits"] == ["revolutionary", "\\b10x\\b"]


def test_pattern_that_does_not_match_is_not_a_hit() -> None:
    config = {"hype": {"keywords": [], "patterns": [r"\b10x\b"]}}
    assert detect("A 100x cache.", config)["hype_hits"] == []


# -- repetition ----------------------------------------------------------------------------------


def test_duplicate_sentence_ratio_counts_long_sentences_only() -> None:
    text = (
        "Caches hold copies of data. caches HOLD copies of data. Short one. Short one. "
        "Another sentence that is long."
    )
    # sentences >= 20 chars: "Caches hold copies of data." (27), its lowercase repeat (27),
    # "Another sentence that is long." (30) -> 3; repeats: 1. "Short one." (10) is ignored.
    assert duplicate_sentence_ratio(text) == pytest.approx(1 / 3)
    assert detect(text)["repetition_metrics"]["duplicate_sentence_ratio"] == 1 / 3


def test_duplicate_sentence_ratio_zero_without_long_sentences() -> None:
    assert duplicate_sentence_ratio("Short. Short.") == 0.0
    assert duplicate_sentence_ratio("") == 0.0


def test_ngram_duplicate_ratio() -> None:
    # a b c d e a b c d e: six 5-grams, abcde appears twice -> (6 - 5) / 6
    assert ngram_duplicate_ratio(tokens("a b c d e a b c d e"), 5) == pytest.approx(1 / 6)
    # bigrams of a b a b: ab, ba, ab -> (3 - 2) / 3
    assert ngram_duplicate_ratio(["a", "b", "a", "b"], 2) == pytest.approx(1 / 3)
    assert ngram_duplicate_ratio(["a", "b"], 5) == 0.0  # shorter than one n-gram


def test_ngram_size_from_config() -> None:
    config = {"hype": {"keywords": [], "patterns": []}, "tolerances": {"ngram_size": 2}}
    report = detect("a b a b", config)
    assert report["repetition_metrics"]["near_duplicate_ngram_ratio"] == 1 / 3


# -- anchors -------------------------------------------------------------------------------------


def test_anchor_context_window() -> None:
    words = tokens("one two the cache is warm now")
    # window 2 around "cache" (index 3): before = two, the; after = is, warm
    assert anchor_context(words, ["cache"], 2) == {"two", "the", "is", "warm"}


def test_anchor_context_multi_word_anchor_excludes_its_own_tokens() -> None:
    words = tokens("no stale read here")
    assert anchor_context(words, tokens("stale read"), 1) == {"no", "here"}


def test_anchor_context_never_holds_the_anchor_itself() -> None:
    # occurrences at 0 and 1: each window holds the other occurrence, which is left out
    assert anchor_context(["cache", "cache", "warm"], ["cache"], 1) == {"warm"}


def test_jaccard_delta() -> None:
    # {the, is, warm} vs {a, is, cold}: intersection 1, union 5 -> 1 - 1/5 = 0.8
    assert jaccard_delta({"the", "is", "warm"}, {"a", "is", "cold"}) == pytest.approx(0.8)
    assert jaccard_delta(set(), set()) == 0.0
    assert jaccard_delta({"x"}, set()) == 1.0
    assert jaccard_delta({"x", "y"}, {"y", "x"}) == 0.0


def test_anchor_deltas_and_max_delta_in_report() -> None:
    config = {
        "hype": {"keywords": [], "patterns": []},
        "anchors": ["cache", "stale read", "lease"],
        "tolerances": {"window_tokens": 1},
    }
    baseline = "the cache is warm. no stale read here."
    text = "the cache was warm. so stale read there."
    result = detect_all(text, config, baseline=baseline)
    metrics = result.report["drift_metrics"]
    # cache: {the, is} vs {the, was} -> 1 - 1/3
    # stale read: {no, here} vs {so, there} -> 1 - 0/4 = 1.0
    # lease: absent in both -> 0.0
    assert metrics["anchor_deltas"] == {"cache": 1 - 1 / 3, "stale read": 1.0, "lease": 0.0}
    # the largest delta saturates the anchor term: 0.30
    assert result.score == pytest.approx(0.30)


def test_anchor_window_crosses_sentences() -> None:
    config = {"hype": {"keywords": [], "patterns": []}, "anchors": ["stale read"]}
    # window 6 (default) reaches into the previous sentence: {a, b, here} vs {a, c, here}
    # -> intersection 2, union 4 -> 1 - 2/4 = 0.5
    report = detect("a c. stale read here.", config, baseline="a b. stale read here.")
    assert report["drift_metrics"]["anchor_deltas"] == {"stale read": 0.5}


def test_anchor_removed_from_new_text_is_full_drift() -> None:
    config = {"hype": {"keywords": [], "patterns": []}, "anchors": ["lease"]}
    report = detect("nothing here", config, baseline="take a lease now")
    assert report["drift_metrics"]["anchor_deltas"] == {"lease": 1.0}


def test_no_anchors_means_no_anchor_drift() -> None:
    result = detect_all("words here", baseline="other words")
    assert result.report["drift_metrics"]["anchor_deltas"] == {}
    assert result.score == 0.0


# -- cross-chapter similarity --------------------------------------------------------------------


def test_cosine() -> None:
    # a:2 b:1 vs a:1 b:2 -> (2*1 + 1*2) / (sqrt(5) * sqrt(5)) = 4 / 5
    assert cosine(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx(0.8)
    assert cosine(["a"], ["b"]) == 0.0
    assert cosine([], ["a"]) == 0.0
    assert cosine(["x", "y", "x"], ["x", "y", "x"]) == pytest.approx(1.0)


def test_cosine_divides_by_the_product_of_two_square_roots() -> None:
    # the original computes dot / (sqrt(|a|^2) * sqrt(|b|^2)); one sqrt of the product can
    # differ in the last bit, and records keep full precision
    left, right = ["a"] * 3 + ["b"] * 7, ["a"] * 2 + ["b"] * 5 + ["c"]
    expected = (3 * 2 + 7 * 5) / (math.sqrt(9 + 49) * math.sqrt(4 + 25 + 1))
    assert cosine(left, right) == expected


def test_similarity_max_and_hits() -> None:
    others = {"z-same": "a a b", "b-near": "a b b", "c-far": "c d"}
    result = detect_all("a a b", others=others)
    assert result.similarity_max == pytest.approx(1.0)
    hits = result.report["drift_metrics"]["cross_chapter_similarity_hits"]
    assert hits == [{"chapter_id": "z-same", "cosine": result.similarity_max}]  # no run shared


def original_hits(text: str, others: dict[str, str], threshold: float) -> list[dict[str, Any]]:
    """Cross-chapter hits of the original layout's measure (bag-of-words cosine)."""
    cfg = {"layout": "original", "tolerances": {"cross_chapter_similarity": threshold}}
    return cross_chapter_hits(tokens(text), others, cfg)[1]


def test_similarity_threshold_is_inclusive_and_hits_keep_ledger_order() -> None:
    hits = original_hits("a a b", {"z-same": "a a b", "b-near": "a b b"}, 0.75)
    assert [hit["chapter_id"] for hit in hits] == ["z-same", "b-near"]  # 0.8 >= 0.75
    assert hits[1]["cosine"] == pytest.approx(0.8)
    again = original_hits("a a b", {"b-near": "a b b"}, hits[1]["cosine"])
    assert len(again) == 1  # equal counts


def test_no_other_chapters_means_zero_similarity() -> None:
    result = detect_all("a b c")
    assert result.similarity_max == 0.0
    assert result.report["drift_metrics"]["cross_chapter_similarity_hits"] == []


# -- score ---------------------------------------------------------------------------------------


def score(**kwargs: Any) -> float:
    values: dict[str, Any] = {
        "hype": False,
        "duplicates": 0.0,
        "ngrams": 0.0,
        "max_delta": 0.0,
        "similar": False,
    }
    values.update(kwargs)
    return drift_score(tolerances=TOLERANCES, **values)


def test_score_zero_when_nothing_drifts() -> None:
    assert score() == 0.0


def test_score_hype_term() -> None:
    assert score(hype=True) == pytest.approx(0.25)


def test_score_duplicate_sentence_term() -> None:
    # 0.35 * 0.5 * (0.04 / 0.08) = 0.0875; saturates at 0.35 * 0.5 = 0.175
    assert score(duplicates=0.04) == pytest.approx(0.0875)
    assert score(duplicates=0.5) == pytest.approx(0.175)


def test_score_ngram_term() -> None:
    # 0.35 * 0.5 * (0.06 / 0.12) = 0.0875; saturates at 0.175
    assert score(ngrams=0.06) == pytest.approx(0.0875)
    assert score(ngrams=0.9) == pytest.approx(0.175)


def test_score_anchor_term() -> None:
    # 0.30 * (0.175 / 0.35) = 0.15; saturates at 0.30
    assert score(max_delta=0.175) == pytest.approx(0.15)
    assert score(max_delta=1.0) == pytest.approx(0.30)


def test_score_similarity_term() -> None:
    assert score(similar=True) == pytest.approx(0.10)


def test_score_sum_is_capped_at_one() -> None:
    # 0.25 + 0.35 + 0.30 + 0.10 = 1.0
    everything = score(hype=True, duplicates=1, ngrams=1, max_delta=1, similar=True)
    assert everything == pytest.approx(1.0)
    assert everything <= 1.0


def test_score_uses_configured_tolerances() -> None:
    loose = {**TOLERANCES, "anchor_drift": 0.7}
    # 0.30 * (0.35 / 0.7) = 0.15
    assert drift_score(
        hype=False, duplicates=0, ngrams=0, max_delta=0.35, similar=False, tolerances=loose
    ) == pytest.approx(0.15)


def test_pass_boundary_at_max_score() -> None:
    config = {"hype": {"keywords": [], "patterns": []}, "anchors": ["cache"]}
    # window 6: {x, y} vs {x, z} -> 1 - 1/3 = 0.6667 >= 0.35, anchor term saturates at 0.30
    result = detect_all("x cache z", config, baseline="x cache y")
    assert result.score == 0.3
    assert result.report["pass"] is True  # 0.30 <= 0.30
    # an identical other chapter adds 0.10: 0.40 > 0.30
    result = detect_all("x cache z", config, baseline="x cache y", others={"twin": "x cache z"})
    assert result.score == pytest.approx(0.4)
    assert result.report["pass"] is False


def test_repetition_in_full_report() -> None:
    text = "Caches hold copies of data. Caches hold copies of data."
    # sentences: 2 long ones, 1 repeat -> 0.5, saturates: 0.35 * 0.5 * 1 = 0.175
    # tokens: caches hold copies of data x2 (10 tokens), six 5-grams, "caches hold copies of
    # data" twice -> 1/6 >= 0.12, saturates: 0.175.  Total 0.35 > 0.30.
    result = detect_all(text)
    assert result.report["repetition_metrics"] == {
        "duplicate_sentence_ratio": 0.5,
        "near_duplicate_ngram_ratio": 1 / 6,
    }
    assert result.score == pytest.approx(0.35)
    assert result.report["pass"] is False


def test_report_keys() -> None:
    report = detect("text")
    assert set(report) == {"pass", "hype_hits", "repetition_metrics", "drift_metrics", "timestamp"}
    assert set(report["drift_metrics"]) == {"anchor_deltas", "cross_chapter_similarity_hits"}
    assert set(report["repetition_metrics"]) == {
        "duplicate_sentence_ratio",
        "near_duplicate_ngram_ratio",
    }
    assert report["timestamp"] == TS
