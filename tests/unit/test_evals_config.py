"""Eval configuration validation: defaults, merging and verbatim error messages."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import EXIT_KERNEL_ERROR, KernelError
from state_runner.domain.evals import (
    chapter_quality,
    drift_detection,
    style_guard,
    validate_eval_configs,
)
from state_runner.domain.evals.config import (
    normalise_chapter_quality,
    normalise_drift_detection,
    normalise_style_guard,
)

TS = "2024-01-01T00:00:00Z"


def error_for(name: str, document: object) -> str:
    with pytest.raises(KernelError) as caught:
        validate_eval_configs({name: document})
    assert caught.value.exit_code == EXIT_KERNEL_ERROR
    assert "\n" not in str(caught.value)
    return str(caught.value)


# -- defaults ------------------------------------------------------------------------------------


def test_missing_documents_and_empty_files_use_defaults() -> None:
    for raw in ({}, {"chapter-quality": None, "style-guard": None, "drift-detection": None}):
        configs = validate_eval_configs(raw)
        assert configs.chapter_quality["section_min_chars"] == 120
        assert configs.chapter_quality["required_headings"][0] == "## Thesis"
        assert len(configs.chapter_quality["required_headings"]) == 8
        assert configs.chapter_quality["thresholds"] == {"refine_min_total": 0.65}
        assert configs.style_guard["limits"] == {
            "sentence_length": {"max_words": 28, "hard_fail_over": 40},
            "adjective_density": {"max_ratio": 0.12},
        }
        assert configs.style_guard["forbidden"] == {}
        assert configs.drift_detection["tolerances"] == {
            "duplicate_sentence_ratio": 0.08,
            "ngram_duplicate_ratio": 0.12,
            "anchor_drift": 0.35,
            "cross_chapter_similarity": 0.85,
            "near_copy_share": 0.5,
            "ngram_size": 5,
            "window_tokens": 6,
        }
        assert configs.drift_detection["pass"] == {"max_score": 0.30}
        assert configs.drift_detection["anchors"] == []


def test_default_forbidden_phrases_match_the_spec() -> None:
    phrases = validate_eval_configs({}).chapter_quality["forbidden_phrases"]
    assert phrases == {
        "marketing_language": ["best-in-class", "world-class", "revolutionary", "effortless"],
        "anthropomorphism": ["the model thinks", "the agent wants", "the system feels"],
        "vague_claims": ["obviously", "clearly", "just trust", "everyone knows"],
    }


def test_partial_sections_merge_with_defaults() -> None:
    configs = validate_eval_configs(
        {
            "style-guard": {"limits": {"sentence_length": {"max_words": 20}}},
            "drift-detection": {"tolerances": {"ngram_size": 3}, "pass": {"max_score": 1}},
        }
    )
    assert configs.style_guard["limits"]["sentence_length"] == {
        "max_words": 20,
        "hard_fail_over": 40,
    }
    assert configs.style_guard["limits"]["adjective_density"] == {"max_ratio": 0.12}
    assert configs.drift_detection["tolerances"]["ngram_size"] == 3
    assert configs.drift_detection["tolerances"]["window_tokens"] == 6
    assert configs.drift_detection["pass"]["max_score"] == 1.0  # an int is a number


def test_unknown_keys_are_ignored() -> None:
    configs = validate_eval_configs({"style-guard": {"version": 1, "notes": "free text"}})
    assert "notes" not in configs.style_guard


def test_normalising_is_idempotent() -> None:
    raw: dict[str, Any] = {
        "forbidden": {"filler": {"examples": ["in order to"]}},
        "limits": {"adjective_density": {"max_ratio": 0.2}},
    }
    once = normalise_style_guard(raw)
    assert normalise_style_guard(once) == once
    quality = normalise_chapter_quality({})
    assert normalise_chapter_quality(quality) == quality
    drift = normalise_drift_detection({"anchors": ["cache"]})
    assert normalise_drift_detection(drift) == drift


def test_defaults_are_fresh_copies() -> None:
    first = validate_eval_configs({})
    first.chapter_quality["required_headings"].append("## Extra")
    first.chapter_quality["forbidden_phrases"]["vague_claims"].append("basically")
    second = validate_eval_configs({})
    assert "## Extra" not in second.chapter_quality["required_headings"]
    assert "basically" not in second.chapter_quality["forbidden_phrases"]["vague_claims"]


# -- document shape ------------------------------------------------------------------------------


@pytest.mark.parametrize("document", [[1, 2], "limits: 3", 7, True])
def test_non_mapping_document(document: object) -> None:
    assert error_for("style-guard", document) == (
        "Invalid eval config evals/style-guard.yaml: document must be a mapping"
    )


@pytest.mark.parametrize("version", [2, "1", True, None])
def test_version_must_be_one(version: object) -> None:
    assert error_for("drift-detection", {"version": version}) == (
        "Invalid eval config evals/drift-detection.yaml: version must be 1"
    )


# -- style-guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["28", 28.0, 0, -3, True, False, None])
def test_max_words_must_be_positive_integer(value: object) -> None:
    document = {"limits": {"sentence_length": {"max_words": value}}}
    assert error_for("style-guard", document) == (
        "Invalid eval config evals/style-guard.yaml: "
        "limits.sentence_length.max_words must be a positive integer"
    )


def test_hard_fail_over_bool_is_not_a_number() -> None:
    document = {"limits": {"sentence_length": {"hard_fail_over": True}}}
    assert error_for("style-guard", document) == (
        "Invalid eval config evals/style-guard.yaml: "
        "limits.sentence_length.hard_fail_over must be a positive integer"
    )


@pytest.mark.parametrize("value", [True, "0.1", 1.5, -0.1, float("nan")])
def test_max_ratio_must_be_a_number_in_unit_range(value: object) -> None:
    document = {"limits": {"adjective_density": {"max_ratio": value}}}
    assert error_for("style-guard", document) == (
        "Invalid eval config evals/style-guard.yaml: "
        "limits.adjective_density.max_ratio must be a number between 0 and 1"
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"limits": None}, "limits must be a mapping"),
        ({"limits": {"sentence_length": [28]}}, "limits.sentence_length must be a mapping"),
        ({"forbidden": ["in order to"]}, "forbidden must be a mapping"),
        ({"forbidden": {"filler": None}}, "forbidden.filler must be a mapping"),
        (
            {"forbidden": {"filler": {"examples": "x"}}},
            "forbidden.filler.examples must be a list of strings",
        ),
        (
            {"forbidden": {"filler": {"examples": [1]}}},
            "forbidden.filler.examples[0] must be a non-empty string",
        ),
        (
            {"forbidden": {"filler": {"examples": ["ok", " "]}}},
            "forbidden.filler.examples[1] must be a non-empty string",
        ),
        ({"forbidden": {3: {"examples": []}}}, "forbidden keys must be strings"),
    ],
)
def test_style_guard_shape_errors(document: object, problem: str) -> None:
    assert error_for("style-guard", document) == (
        f"Invalid eval config evals/style-guard.yaml: {problem}"
    )


# -- chapter-quality -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"required_headings": "## Thesis"}, "required_headings must be a list of strings"),
        (
            {"required_headings": ["## Thesis", None]},
            "required_headings[1] must be a non-empty string",
        ),
        ({"section_min_chars": "120"}, "section_min_chars must be a non-negative integer"),
        ({"section_min_chars": True}, "section_min_chars must be a non-negative integer"),
        ({"section_min_chars": -1}, "section_min_chars must be a non-negative integer"),
        ({"forbidden_phrases": ["world-class"]}, "forbidden_phrases must be a mapping"),
        (
            {"forbidden_phrases": {"marketing": "world-class"}},
            "forbidden_phrases.marketing must be a list of strings",
        ),
        ({"forbidden_phrases": {1: ["x"]}}, "forbidden_phrases keys must be strings"),
        ({"thresholds": []}, "thresholds must be a mapping"),
        (
            {"thresholds": {"refine_min_total": 1.5}},
            "thresholds.refine_min_total must be a number between 0 and 1",
        ),
        (
            {"thresholds": {"refine_min_total": False}},
            "thresholds.refine_min_total must be a number between 0 and 1",
        ),
    ],
)
def test_chapter_quality_errors(document: object, problem: str) -> None:
    assert error_for("chapter-quality", document) == (
        f"Invalid eval config evals/chapter-quality.yaml: {problem}"
    )


def test_section_min_chars_zero_is_allowed() -> None:
    assert validate_eval_configs({"chapter-quality": {"section_min_chars": 0}})


# -- drift-detection -----------------------------------------------------------------------------


def test_bad_regex_reports_index_and_reason() -> None:
    document = {"hype": {"patterns": [r"\b10x\b", "fine", "(unclosed"]}}
    assert error_for("drift-detection", document) == (
        "Invalid eval config evals/drift-detection.yaml: hype.patterns[2] is not a valid "
        "regular expression: missing ), unterminated subpattern at position 0"
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"hype": "game-changer"}, "hype must be a mapping"),
        ({"hype": {"keywords": "game-changer"}}, "hype.keywords must be a list of strings"),
        ({"hype": {"keywords": [""]}}, "hype.keywords[0] must be a non-empty string"),
        ({"hype": {"patterns": [10]}}, "hype.patterns[0] must be a non-empty string"),
        ({"anchors": "cache"}, "anchors must be a list of strings"),
        (
            {"anchors": ["cache", "!!"]},
            "anchors[1] must contain at least one ASCII letter or digit",
        ),
        (
            {"tolerances": {"duplicate_sentence_ratio": 0}},
            "tolerances.duplicate_sentence_ratio must be a number greater than 0 and at most 1",
        ),
        (
            {"tolerances": {"ngram_duplicate_ratio": "0.1"}},
            "tolerances.ngram_duplicate_ratio must be a number greater than 0 and at most 1",
        ),
        (
            {"tolerances": {"anchor_drift": True}},
            "tolerances.anchor_drift must be a number greater than 0 and at most 1",
        ),
        (
            {"tolerances": {"cross_chapter_similarity": 2}},
            "tolerances.cross_chapter_similarity must be a number between 0 and 1",
        ),
        (
            {"tolerances": {"near_copy_share": -0.1}},
            "tolerances.near_copy_share must be a number between 0 and 1",
        ),
        ({"tolerances": {"ngram_size": False}}, "tolerances.ngram_size must be a positive integer"),
        (
            {"tolerances": {"window_tokens": 0}},
            "tolerances.window_tokens must be a positive integer",
        ),
        ({"pass": {"max_score": True}}, "pass.max_score must be a number between 0 and 1"),
        ({"pass": 0.3}, "pass must be a mapping"),
    ],
)
def test_drift_detection_errors(document: object, problem: str) -> None:
    assert error_for("drift-detection", document) == (
        f"Invalid eval config evals/drift-detection.yaml: {problem}"
    )


# -- the eval functions validate too -------------------------------------------------------------


def test_eval_functions_reject_bad_config() -> None:
    with pytest.raises(KernelError, match=r"^Invalid eval config evals/chapter-quality\.yaml: "):
        chapter_quality("text", {"section_min_chars": "many"}, timestamp=TS)
    with pytest.raises(KernelError, match=r"^Invalid eval config evals/style-guard\.yaml: "):
        style_guard("text", {"limits": []}, timestamp=TS)
    with pytest.raises(KernelError, match=r"hype\.patterns\[0\] is not a valid regular"):
        drift_detection(
            "text",
            {"hype": {"patterns": ["["]}},
            baseline_text="text",
            other_chapters={},
            timestamp=TS,
        )
