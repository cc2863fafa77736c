"""chapter-quality, style-guard and the combined runner, with hand-computed expectations."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.evals import (
    DeterministicEval,
    chapter_quality,
    run_deterministic_evals,
    style_guard,
    validate_eval_configs,
)
from state_runner.domain.evals.style import adjective_density
from state_runner.domain.evals.text import count_words, split_sentences, tokens
from state_runner.domain.markdown import h2_sections as section_bodies
from support.workspace import REQUIRED_HEADINGS

TS = "2024-01-01T00:00:00Z"


def chapter(lengths: dict[str, int] | None = None, *, skip: tuple[str, ...] = ()) -> str:
    """A chapter whose section bodies are runs of `x` (120 characters unless overridden)."""
    lengths = lengths or {}
    parts = ["# Chapter 1: Test"]
    for heading in REQUIRED_HEADINGS:
        if heading not in skip:
            parts.append(f"{heading}\n\n{'x' * lengths.get(heading, 120)}\n")
    return "\n\n".join(parts) + "\n"


# -- chapter-quality ----------------------------------------------------------------------------


def test_quality_full_chapter_scores_one_everywhere() -> None:
    report = chapter_quality(chapter(), {}, timestamp=TS)
    assert report == {
        "pass": True,
        "required_missing": [],
        "forbidden_hits": [],
        "scores": {
            "thesis_clarity": 1.0,
            "system_breakdown": 1.0,
            "examples_count": 1.0,
            "tradeoffs": 1.0,
            "failure_modes": 1.0,
        },
        "total": 1.0,
        "timestamp": TS,
    }


@pytest.mark.parametrize(
    ("heading", "score"),
    [
        ("## Thesis", "thesis_clarity"),
        ("## System Breakdown", "system_breakdown"),
        ("## Trade-offs", "tradeoffs"),
        ("## Failure Modes", "failure_modes"),
    ],
)
def test_quality_body_of_119_chars_scores_zero(heading: str, score: str) -> None:
    report = chapter_quality(chapter({heading: 119}), {}, timestamp=TS)
    assert report["scores"][score] == 0.0
    assert isinstance(report["scores"][score], float)
    # four of five sections score 1: 4 / 5 = 0.8 >= 0.65
    assert report["total"] == 0.8
    assert report["pass"] is True


@pytest.mark.parametrize("short", ["## Concrete Example 1", "## Concrete Example 2"])
def test_quality_examples_need_both_bodies(short: str) -> None:
    report = chapter_quality(chapter({short: 50}), {}, timestamp=TS)
    assert report["scores"]["examples_count"] == 0.0


def test_quality_unscored_sections_do_not_affect_scores() -> None:
    report = chapter_quality(chapter({"## Why This Matters": 1}), {}, timestamp=TS)
    assert report["total"] == 1.0


def test_quality_body_is_stripped_before_measuring() -> None:
    # "   " + 118 x + "   " strips to 118 characters < 120
    text = chapter().replace("x" * 120, "   " + "x" * 118 + "   ", 1)
    assert chapter_quality(text, {}, timestamp=TS)["scores"]["thesis_clarity"] == 0.0


def test_quality_body_runs_to_next_level_two_heading() -> None:
    text = "## Thesis\nabc\n### Detail\ndef\n## Why This Matters\nghi\n"
    # "### Detail" does not start with "## ", so it belongs to the Thesis body
    assert section_bodies(text) == {
        "## Thesis": "abc\n### Detail\ndef",
        "## Why This Matters": "ghi",
    }


def test_quality_repeated_heading_collects_both_bodies() -> None:
    assert section_bodies("## Thesis\none\n## Thesis\ntwo\n") == {"## Thesis": "one\ntwo"}


def test_quality_missing_headings_listed_in_config_order_and_fail() -> None:
    text = chapter(skip=("## Trade-offs", "## Why This Matters"))
    report = chapter_quality(text, {}, timestamp=TS)
    assert report["required_missing"] == ["## Why This Matters", "## Trade-offs"]
    # trade-offs missing scores 0: 4 / 5 = 0.8, high enough, but missing headings fail the gate
    assert report["total"] == 0.8
    assert report["pass"] is False


def test_quality_required_heading_is_found_as_text_but_scored_by_exact_line() -> None:
    # like the original: a required heading counts when its text occurs anywhere, while a
    # scored section needs a heading line that is exactly the heading
    renamed = chapter().replace("## Thesis\n", "## Thesis statement\n")
    report = chapter_quality(renamed, {}, timestamp=TS)
    assert report["required_missing"] == []
    assert report["scores"]["thesis_clarity"] == 0.0
    padded = chapter().replace("## Thesis\n", "## Thesis   \n")
    padded_report = chapter_quality(padded, {}, timestamp=TS)
    assert padded_report["required_missing"] == []
    assert padded_report["scores"]["thesis_clarity"] == 0.0
    gone = chapter().replace("## Thesis\n", "## Thesys\n")
    assert chapter_quality(gone, {}, timestamp=TS)["required_missing"] == ["## Thesis"]


def test_quality_default_forbidden_buckets_case_insensitive_in_config_order() -> None:
    text = chapter() + "\nClearly THE AGENT WANTS a World-Class cache.\n"
    report = chapter_quality(text, {}, timestamp=TS)
    assert report["forbidden_hits"] == [
        "marketing_language:world-class",
        "anthropomorphism:the agent wants",
        "vague_claims:clearly",
    ]
    assert report["pass"] is False


@pytest.mark.parametrize(
    ("phrase", "hit"),
    [
        ("best-in-class", "marketing_language:best-in-class"),
        ("revolutionary", "marketing_language:revolutionary"),
        ("effortless", "marketing_language:effortless"),
        ("the model thinks", "anthropomorphism:the model thinks"),
        ("the system feels", "anthropomorphism:the system feels"),
        ("obviously", "vague_claims:obviously"),
        ("just trust", "vague_claims:just trust"),
        ("everyone knows", "vague_claims:everyone knows"),
    ],
)
def test_quality_every_default_phrase_is_caught(phrase: str, hit: str) -> None:
    report = chapter_quality(f"Here {phrase} there.", {}, timestamp=TS)
    assert report["forbidden_hits"] == [hit]


def test_quality_configured_buckets_replace_defaults() -> None:
    config = {"forbidden_phrases": {"jargon": ["synergy"]}}
    report = chapter_quality(chapter() + "clearly synergy\n", config, timestamp=TS)
    assert report["forbidden_hits"] == ["jargon:synergy"]


def test_quality_threshold_boundary() -> None:
    # three of five sections long enough: 3 / 5 = 0.6
    text = chapter({"## Thesis": 10, "## Trade-offs": 10})
    assert chapter_quality(text, {}, timestamp=TS)["total"] == 0.6
    assert chapter_quality(text, {}, timestamp=TS)["pass"] is False  # 0.6 < 0.65
    at_threshold = {"thresholds": {"refine_min_total": 0.6}}
    assert chapter_quality(text, at_threshold, timestamp=TS)["pass"] is True  # 0.6 >= 0.6


def test_quality_custom_headings_and_min_chars() -> None:
    config = {"required_headings": ["## Thesis"], "section_min_chars": 3}
    report = chapter_quality("## Thesis\nabc\n## Failure Modes\nab\n", config, timestamp=TS)
    assert report["required_missing"] == []
    # thesis "abc" (3 >= 3) = 1, failure modes "ab" (2 < 3) = 0, three absent = 0: 1 / 5 = 0.2
    assert report["scores"]["thesis_clarity"] == 1.0
    assert report["scores"]["failure_modes"] == 0.0
    assert report["total"] == 0.2
    assert report["pass"] is False


# -- sentences, words, tokens ---------------------------------------------------------------------


def test_split_sentences_collapses_whitespace_and_splits_after_terminators() -> None:
    text = "  One two.  Three\n\nfour!   Five?six. Seven...  eight \t"
    # "Five?six." has no whitespace after "?", so it stays one sentence
    assert split_sentences(text) == ["One two.", "Three four!", "Five?six.", "Seven...", "eight"]
    assert split_sentences(" \n\t ") == []


def test_headings_without_terminators_join_the_next_sentence() -> None:
    assert split_sentences("## Thesis\n\nCaches copy data.") == ["## Thesis Caches copy data."]


def test_count_words_uses_word_boundaries() -> None:
    # Don / t / stop / now / ok / snake_case (underscore is a word character) = 6
    assert count_words("Don't stop-now, ok? snake_case") == 6


def test_tokens_are_lowercase_ascii_runs() -> None:
    assert tokens("Write-Back, TTL=300s; café") == ["write", "back", "ttl", "300s", "caf"]


# -- style-guard ---------------------------------------------------------------------------------


def words(n: int, word: str = "cat") -> str:
    return " ".join([word] * n)


def test_style_clean_text_passes() -> None:
    report = style_guard("Cats sit. Dogs run.", {}, timestamp=TS)
    assert report == {
        "pass": True,
        "sentence_length_violations": [],
        "adjective_density": 0.0,
        "forbidden_hits": [],
        "timestamp": TS,
    }


def test_style_records_sentences_over_max_words() -> None:
    long_sentence = words(29) + "."
    report = style_guard(f"Short one. {long_sentence} {words(28)}.", {}, timestamp=TS)
    # sentence 0 has 2 words, sentence 1 has 29 (> 28), sentence 2 has exactly 28 (not over)
    assert report["sentence_length_violations"] == [{"sentence": long_sentence, "words": 29}]
    assert report["pass"] is True  # 29 is not over the hard limit of 40


def test_style_sentence_preview_is_first_200_chars() -> None:
    sentence = words(30, "abcdefgh") + "."  # 30 * 8 + 29 spaces + 1 = 270 characters
    violation = style_guard(sentence, {}, timestamp=TS)["sentence_length_violations"][0]
    assert violation == {"sentence": sentence[:200], "words": 30}
    assert len(violation["sentence"]) == 200


def test_style_hard_fail_boundary() -> None:
    assert style_guard(words(40) + ".", {}, timestamp=TS)["pass"] is True  # 40 is not over 40
    assert style_guard(words(41) + ".", {}, timestamp=TS)["pass"] is False  # 41 > 40


def test_style_limits_from_config() -> None:
    config = {"limits": {"sentence_length": {"max_words": 2, "hard_fail_over": 3}}}
    report = style_guard("a b c. a b c d.", config, timestamp=TS)
    assert [v["words"] for v in report["sentence_length_violations"]] == [3, 4]
    assert report["pass"] is False  # 4 > 3


def test_adjective_density_each_suffix_counts() -> None:
    # massive massive..: 9 adjective-like tokens (ive ous ful less ic ical al ary y) and "data"
    text = "massive famous careful useless atomic typical local primary ready data"
    assert adjective_density(text) == pytest.approx(9 / 10)


def test_adjective_density_needs_four_letters_and_lowercases() -> None:
    # tokens: they say any key is ok -> 6; only "they" (len 4, ends in y) counts; "any"/"key"
    # end in y but have 3 letters.  1 / 6, recorded at full precision
    report = style_guard("THEY say any key is ok.", {}, timestamp=TS)
    assert report["adjective_density"] == 1 / 6


def test_adjective_density_empty_text_is_zero() -> None:
    assert adjective_density("") == 0.0
    assert adjective_density("!!! ...") == 0.0


def test_style_density_boundary() -> None:
    # 3 adjective-like tokens (ready steady heavy) + 22 x "cat" = 25 tokens: 3 / 25 = 0.12
    at_limit = "ready steady heavy " + words(22)
    report = style_guard(at_limit, {}, timestamp=TS)
    assert report["adjective_density"] == 0.12
    assert report["pass"] is True  # 0.12 <= 0.12
    # 4 / 25 = 0.16 > 0.12
    over = "ready steady heavy lazy " + words(21)
    assert style_guard(over, {}, timestamp=TS)["adjective_density"] == 0.16
    assert style_guard(over, {}, timestamp=TS)["pass"] is False


def test_style_forbidden_buckets() -> None:
    config = {
        "forbidden": {
            "filler": {"examples": ["in order to", "it is important to note"]},
            "hedging": {"examples": ["some would say"]},
        }
    }
    text = "In Order To win, SOME would say cats sit."
    report = style_guard(text, config, timestamp=TS)
    assert report["forbidden_hits"] == ["filler:in order to", "hedging:some would say"]
    assert report["pass"] is False
    assert style_guard(text, {}, timestamp=TS)["forbidden_hits"] == []  # default: no buckets


# -- combined runner -----------------------------------------------------------------------------


def run(text: str, **overrides: Any) -> DeterministicEval:
    configs = validate_eval_configs(overrides.pop("raw", {}))
    return run_deterministic_evals(
        text,
        configs=configs,
        baseline_text=overrides.pop("baseline", text),
        other_chapters=overrides.pop("others", {}),
        timestamp=TS,
    )


def test_run_all_pass() -> None:
    result = run(chapter(), others={"other": "completely different words here"})
    assert result.passed is True
    assert result.drift_score == 0.0
    assert result.drift_detection["drift_metrics"]["cross_chapter_similarity_hits"] == []
    assert 0.0 <= result.similarity_max < 0.85
    assert result.chapter_quality["pass"] and result.style_guard["pass"]


def test_run_fails_when_any_eval_fails() -> None:
    too_long = chapter() + "\n" + words(41) + ".\n"
    result = run(too_long)
    assert result.chapter_quality["pass"] is True
    assert result.style_guard["pass"] is False
    assert result.passed is False


def test_run_reports_drift_score_and_similarity() -> None:
    # the only other chapter is identical: cosine 1.0 >= 0.85, a similarity hit adds 0.10
    result = run(chapter(), others={"twin": chapter()})
    assert result.similarity_max == pytest.approx(1.0)
    assert result.drift_score == pytest.approx(0.1)
    hits = result.drift_detection["drift_metrics"]["cross_chapter_similarity_hits"]
    assert hits == [{"chapter_id": "twin", "cosine": result.similarity_max}]
