"""The failed-check reasons, rule by rule: lists, omitted values, the drift cap and the last line.

The format is `<check>: <reasons>` joined by `; `, and the `Last iteration (<n>): critic
<decision>, evals pass|fail (<check>: <reasons> | ...), consecutive passes <k>` line
(docs/kernel-contract.md, section 2.2).
"""

from __future__ import annotations

from typing import Any

from state_runner.domain.verdicts import failed_checks, last_verdict

PASSING = {"pass": True}


def only(check: str, report: dict[str, Any]) -> dict[str, Any]:
    """A deterministic record where every eval passes except `check`, which reports `report`."""
    deterministic: dict[str, Any] = {
        "chapter_quality": PASSING,
        "style_guard": PASSING,
        "drift_detection": PASSING,
    }
    deterministic[check] = report
    return deterministic


def test_several_missing_headings_and_forbidden_hits_are_listed_with_commas() -> None:
    report = {"pass": False, "required_missing": ["## Thesis", "## Tradeoffs"],
              "forbidden_hits": ["vague_claims:clearly", "hype:revolutionary"]}  # fmt: skip
    assert failed_checks(only("chapter_quality", report)) == [
        "chapter-quality: missing ## Thesis, ## Tradeoffs; "
        "forbidden vague_claims:clearly, hype:revolutionary"
    ]


def test_a_quality_total_that_is_not_a_number_is_left_out_and_an_int_total_has_two_decimals() -> (
    None
):
    text_total = {"pass": False, "required_missing": ["## Thesis"], "total": "0.4"}
    assert failed_checks(only("chapter_quality", text_total)) == [
        "chapter-quality: missing ## Thesis"
    ]
    int_total = {"pass": False, "total": 1}
    assert failed_checks(only("chapter_quality", int_total)) == [
        "chapter-quality: section scores total 1.00"
    ]


def test_style_forbidden_hits_are_listed_and_sentences_without_a_word_count_are_not_long() -> None:
    report = {"pass": False, "sentence_length_violations": [{"index": 3}],
              "forbidden_hits": ["very", "really"]}  # fmt: skip
    assert failed_checks(only("style_guard", report)) == ["style-guard: forbidden very, really"]


def test_style_lists_that_are_null_are_empty_and_a_text_density_is_left_out() -> None:
    nulls = {"pass": False, "sentence_length_violations": None, "adjective_density": 0.25,
             "forbidden_hits": None}  # fmt: skip
    assert failed_checks(only("style_guard", nulls)) == ["style-guard: adjective density 0.25"]
    text = {"pass": False, "adjective_density": "high", "forbidden_hits": ["very"]}
    assert failed_checks(only("style_guard", text)) == ["style-guard: forbidden very"]


def test_the_anchor_that_moved_most_is_named() -> None:
    deltas = {"cache": 0.2, "lease": 0.5, "ttl": 0.3}  # neither first nor last by name
    report = {"pass": False, "drift_metrics": {"anchor_deltas": deltas}}
    assert failed_checks(only("drift_detection", report)) == [
        "drift: anchor 'lease' context changed 0.50"
    ]


def test_anchors_that_did_not_move_or_are_not_numbers_are_not_named() -> None:
    deltas = {"cache": 0, "ttl": -0.4, "lease": "0.9"}
    report = {
        "pass": False,
        "hype_hits": ["game-changer"],
        "drift_metrics": {"anchor_deltas": deltas},
    }
    assert failed_checks(only("drift_detection", report)) == ["drift: hype game-changer"]


def test_repeated_five_grams_and_every_near_copy_are_named() -> None:
    report = {"pass": False,
              "repetition_metrics": {"duplicate_sentence_ratio": 0,
                                     "near_duplicate_ngram_ratio": 0.3},
              "drift_metrics": {"cross_chapter_similarity_hits": [
                  {"chapter_id": "02-next"}, {"chapter_id": "05-last"}]}}  # fmt: skip
    assert failed_checks(only("drift_detection", report)) == [
        "drift: repeated 5-grams 0.30; near copy of 02-next, 05-last"
    ]


def test_a_ratio_at_most_one_is_still_named_and_a_text_ratio_is_not() -> None:
    report = {"pass": False,
              "repetition_metrics": {"duplicate_sentence_ratio": 0.5,
                                     "near_duplicate_ngram_ratio": "0.3"}}  # fmt: skip
    assert failed_checks(only("drift_detection", report)) == ["drift: repeated sentences 0.50"]


def test_a_drift_score_equal_to_the_cap_passes() -> None:
    deterministic = {**only("drift_detection", PASSING), "drift_score": 0.2}
    assert failed_checks(deterministic, max_drift_score=0.2) == []
    assert failed_checks(deterministic, max_drift_score=0.19) == ["drift: drift score 0.20"]


def test_a_drift_score_that_is_not_a_number_is_never_over_the_cap() -> None:
    deterministic = {**only("drift_detection", PASSING), "drift_score": "0.9"}
    assert failed_checks(deterministic, max_drift_score=0.2) == []


def test_a_failed_drift_eval_without_a_score_gives_only_its_components() -> None:
    assert failed_checks(only("drift_detection", {"pass": False, "hype_hits": ["a", "b"]})) == [
        "drift: hype a, b"
    ]


def test_missing_or_null_eval_reports_count_as_not_failed() -> None:
    nulls = {"chapter_quality": None, "style_guard": None, "drift_detection": None}
    assert failed_checks(nulls) == []
    assert failed_checks({"chapter_quality": {"total": 0.1}}) == []


def test_the_last_line_joins_failed_checks_and_fills_in_what_is_missing() -> None:
    chapter = {
        "current_iteration": 2,
        "last_eval": {"critic": {},
                      "deterministic": {"chapter_quality": {"pass": False,
                                                            "required_missing": ["## Thesis"]},
                                        "style_guard": {"pass": False,
                                                        "adjective_density": 0.3}}},
    }  # fmt: skip
    assert last_verdict(chapter) == (
        "Last iteration (2): critic ?, evals fail (chapter-quality: missing ## Thesis | "
        "style-guard: adjective density 0.30), consecutive passes 0"
    )


def test_the_last_line_reads_null_parts_as_empty() -> None:
    chapter = {"current_iteration": 1, "stability": None,
               "last_eval": {"critic": None, "deterministic": None}}  # fmt: skip
    assert last_verdict(chapter) == (
        "Last iteration (1): critic ?, evals pass, consecutive passes 0"
    )


def test_no_last_line_without_a_recorded_evaluation_or_iteration() -> None:
    assert last_verdict({"current_iteration": 3, "last_eval": None}) is None
    assert last_verdict({"last_eval": {"critic": {"decision": "approve"}}}) is None


def test_the_longest_sentence_is_named_even_when_some_violations_lack_a_word_count() -> None:
    report = {"pass": False, "sentence_length_violations": [{"index": 1}, {"words": 30}]}
    assert failed_checks(only("style_guard", report)) == [
        "style-guard: 2 long sentence(s), longest 30 words"
    ]
