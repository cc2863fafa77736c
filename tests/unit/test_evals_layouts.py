"""drift-detection's original layout (everything under `rules:`) beside the project's own."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.evals import drift_detection
from state_runner.domain.evals.config import normalise_drift_detection

TS = "2024-01-01T00:00:00Z"
ORIGINAL_DOC: dict[str, Any] = {
    "version": 1,
    "scope": {"applies_to": ["book/chapters/*.md"]},
    "rules": {
        "stylistic_hype": {
            "description": "Detect hype.",
            "mode": "keyword_and_pattern",
            "keywords": ["magic", "crush"],
            "patterns": ["Guaranteed", "(?i)\\bjust ask\\b"],
            "severity": "high",
        },
        "repetition": {
            "similarity_metric": "minhash",
            "max_duplicate_sentence_ratio": 0.1,
            "max_near_duplicate_ngram_ratio": 0.2,
        },
        "conceptual_drift": {
            "anchors": [
                {"term": "harness", "expected_neighbors": ["evaluation"]},
                {"term": "Harness"},
                "not an entry",
                {"term": ""},
                {"term": 7},
                {"expected_neighbors": ["loop"]},
                {"term": "multi-agent"},
            ],
            "max_neighbor_jaccard_delta": 0.5,
        },
    },
    "outputs": {"fields": ["pass"]},
}


def refusal(raw: object) -> str:
    with pytest.raises(KernelError) as caught:
        normalise_drift_detection(raw)
    return str(caught.value)


def detect(text: str, config: dict[str, Any], *, baseline: str) -> dict[str, Any]:
    result = drift_detection(text, config, baseline_text=baseline, other_chapters={}, timestamp=TS)
    return result.report


def test_the_original_layout_is_read_from_rules() -> None:
    cfg = normalise_drift_detection(ORIGINAL_DOC)
    assert cfg == {
        "version": 1,
        "layout": "original",
        "hype": {"keywords": ["magic", "crush"], "patterns": ["Guaranteed", "(?i)\\bjust ask\\b"]},
        "anchors": ["harness", "Harness", "multi-agent"],
        "tolerances": {
            "duplicate_sentence_ratio": 0.1,
            "ngram_duplicate_ratio": 0.2,
            "anchor_drift": 0.5,
            "cross_chapter_similarity": 0.85,
            "near_copy_share": 0.5,
            "ngram_size": 5,
            "window_tokens": 6,
        },
        "pass": {"max_score": 0.30},
    }
    assert normalise_drift_detection(cfg) == cfg  # normalising twice changes nothing


def test_rules_without_lists_has_no_hype_words_or_anchors_of_ours() -> None:
    cfg = normalise_drift_detection({"rules": {}})
    assert cfg["hype"] == {"keywords": [], "patterns": []}
    assert cfg["anchors"] == []
    assert cfg["tolerances"]["duplicate_sentence_ratio"] == 0.08
    assert cfg["tolerances"]["ngram_duplicate_ratio"] == 0.12
    assert cfg["tolerances"]["anchor_drift"] == 0.35


def test_the_project_layout_is_marked_and_keeps_its_defaults() -> None:
    cfg = normalise_drift_detection({})
    assert cfg["layout"] == "project"
    assert cfg["hype"]["keywords"] == ["game-changer", "revolutionary"]
    assert normalise_drift_detection(cfg) == cfg


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"hype": {"keywords": ["x"]}}, "'hype'"),
        ({"anchors": ["cache"], "tolerances": {}}, "'anchors', 'tolerances'"),
        ({"pass": {"max_score": 0.3}}, "'pass'"),
        ({"layout": "original"}, "'layout'"),
    ],
)
def test_a_file_mixing_both_layouts_is_refused_naming_the_keys(
    extra: dict[str, Any], named: str
) -> None:
    assert refusal({"rules": {}, **extra}) == (
        "Invalid eval config evals/drift-detection.yaml: mixes two layouts: 'rules' (the "
        f"original layout) with {named} (the project layout); keep one layout per file "
        "(state-runner help book-format shows both)"
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], "rules must be a mapping"),
        ({"stylistic_hype": ["magic"]}, "rules.stylistic_hype must be a mapping"),
        (
            {"stylistic_hype": {"keywords": "magic"}},
            "rules.stylistic_hype.keywords must be a list of strings",
        ),
        (
            {"stylistic_hype": {"keywords": ["magic", 10]}},
            "rules.stylistic_hype.keywords[1] must be a non-empty string",
        ),
        (
            {"stylistic_hype": {"patterns": ["(unclosed"]}},
            "rules.stylistic_hype.patterns[0] is not a valid regular expression: "
            "missing ), unterminated subpattern at position 0",
        ),
        (
            {"repetition": {"max_duplicate_sentence_ratio": "0.08"}},
            "rules.repetition.max_duplicate_sentence_ratio must be a number greater than 0 "
            "and at most 1",
        ),
        (
            {"conceptual_drift": {"anchors": {"term": "harness"}}},
            "rules.conceptual_drift.anchors must be a list of {term: ...} entries",
        ),
        (
            {"conceptual_drift": {"max_neighbor_jaccard_delta": 0}},
            "rules.conceptual_drift.max_neighbor_jaccard_delta must be a number greater than 0 "
            "and at most 1",
        ),
    ],
)
def test_wrong_types_in_the_original_layout_are_refused_naming_the_key(
    rules: object, message: str
) -> None:
    assert refusal({"rules": rules}) == (
        f"Invalid eval config evals/drift-detection.yaml: {message}"
    )


def test_a_bad_layout_value_is_refused() -> None:
    assert refusal({"layout": "first"}) == (
        "Invalid eval config evals/drift-detection.yaml: layout must be 'project' or 'original'"
    )


def test_original_patterns_are_case_sensitive_project_patterns_are_not() -> None:
    text = "Results are guaranteed. Just ask the team."
    original = {"rules": {"stylistic_hype": {"patterns": ["Guaranteed", "(?i)just ask"]}}}
    assert detect(text, original, baseline=text)["hype_hits"] == ["(?i)just ask"]
    project = {"hype": {"keywords": [], "patterns": ["Guaranteed", "(?i)just ask"]}}
    assert detect(text, project, baseline=text)["hype_hits"] == ["Guaranteed", "(?i)just ask"]


def test_original_anchors_match_only_a_whole_lowercase_token() -> None:
    baseline = "the harness runs the evaluation suite; a multi-agent loop keeps state"
    text = "the harness ships the product quickly; a multi-agent swarm forgets state"
    original = {
        "rules": {
            "conceptual_drift": {
                "anchors": [{"term": "harness"}, {"term": "Harness"}, {"term": "multi-agent"}]
            }
        }
    }
    deltas = detect(text, original, baseline=baseline)["drift_metrics"]["anchor_deltas"]
    assert deltas["Harness"] == 0.0 and deltas["multi-agent"] == 0.0
    assert deltas["harness"] > 0.0
    project = {"hype": {"keywords": [], "patterns": []}, "anchors": ["Harness", "multi-agent"]}
    deltas = detect(text, project, baseline=baseline)["drift_metrics"]["anchor_deltas"]
    assert deltas["Harness"] > 0.0 and deltas["multi-agent"] > 0.0
