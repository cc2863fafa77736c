"""Property tests: any text yields JSON-ready reports with bounded metrics."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from state_runner.domain.evals import EvalConfigs, run_deterministic_evals, validate_eval_configs

CONFIGS: EvalConfigs = validate_eval_configs(
    {
        "drift-detection": {
            "hype": {"keywords": ["game-changer"], "patterns": [r"\b\d+x\s+faster\b"]},
            "anchors": ["cache", "stale read", "a"],
            "tolerances": {"window_tokens": 2, "ngram_size": 2},
        },
        "style-guard": {"forbidden": {"filler": {"examples": ["in order to"]}}},
    }
)

# prose-like text hits sentences, headings and repeated words far more often than st.text()
PROSE = st.lists(
    st.sampled_from(
        [
            "a",
            "cache",
            "stale",
            "read",
            "Ready",
            "10x",
            "faster",
            ".",
            "!",
            "?",
            " ",
            "\n",
            "## Thesis\n",
            "## Trade-offs\n",
            "clearly",
            "in order to",
            "é",
            "_",
            "\t",
        ]
    ),
    max_size=80,
).map("".join)
TEXT = st.one_of(st.text(max_size=300), PROSE)


def assert_plain_json(report: dict[str, Any]) -> None:
    encoded = json.dumps(report, allow_nan=False)
    assert json.loads(encoded) == report  # no tuples, sets or other non-JSON types inside


def in_unit(value: object) -> bool:
    return isinstance(value, float) and 0.0 <= value <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    text=TEXT,
    baseline=TEXT,
    others=st.dictionaries(st.text(min_size=1, max_size=8), TEXT, max_size=3),
)
def test_reports_are_json_and_bounded(text: str, baseline: str, others: dict[str, str]) -> None:
    result = run_deterministic_evals(
        text, configs=CONFIGS, baseline_text=baseline, other_chapters=others, timestamp="T"
    )
    for report in (result.chapter_quality, result.style_guard, result.drift_detection):
        assert_plain_json(report)
        assert isinstance(report["pass"], bool)
    metrics = result.drift_detection["drift_metrics"]
    assert in_unit(result.drift_score)
    # the original's cosine can exceed 1.0 by rounding (dot / (|a| * |b|)) for equal texts
    assert isinstance(result.similarity_max, float)
    assert 0.0 <= result.similarity_max <= 1.0 + 1e-12
    assert all(in_unit(delta) for delta in metrics["anchor_deltas"].values())
    assert all(in_unit(v) for v in result.drift_detection["repetition_metrics"].values())
    assert in_unit(result.style_guard["adjective_density"])
    assert 0.0 <= result.chapter_quality["total"] <= 1.0
    assert result.passed == all(
        r["pass"] for r in (result.chapter_quality, result.style_guard, result.drift_detection)
    )


@settings(max_examples=100, deadline=None)
@given(text=TEXT)
def test_unchanged_text_has_no_anchor_drift(text: str) -> None:
    result = run_deterministic_evals(
        text, configs=CONFIGS, baseline_text=text, other_chapters={}, timestamp="T"
    )
    deltas = result.drift_detection["drift_metrics"]["anchor_deltas"]
    assert all(delta == 0.0 for delta in deltas.values())


QUALITY_SCORES = {
    "thesis_clarity",
    "system_breakdown",
    "examples_count",
    "tradeoffs",
    "failure_modes",
}


@settings(max_examples=200, deadline=None)
@given(text=TEXT, baseline=TEXT, others=st.dictionaries(st.text(min_size=1, max_size=8), TEXT))
def test_report_key_sets_are_exactly_the_contracts(
    text: str, baseline: str, others: dict[str, str]
) -> None:
    result = run_deterministic_evals(
        text, configs=CONFIGS, baseline_text=baseline, other_chapters=others, timestamp="T"
    )
    quality, style, drift = result.chapter_quality, result.style_guard, result.drift_detection
    assert set(quality) == {
        "pass", "required_missing", "forbidden_hits", "scores", "total", "timestamp",
    }  # fmt: skip
    assert set(quality["scores"]) == QUALITY_SCORES
    assert all(type(score) is float for score in quality["scores"].values())
    assert type(quality["total"]) is float
    assert set(style) == {
        "pass", "sentence_length_violations", "adjective_density", "forbidden_hits", "timestamp",
    }  # fmt: skip
    assert all(set(v) == {"sentence", "words"} for v in style["sentence_length_violations"])
    assert all(len(v["sentence"]) <= 200 for v in style["sentence_length_violations"])
    assert type(style["adjective_density"]) is float
    assert set(drift) == {"pass", "hype_hits", "repetition_metrics", "drift_metrics", "timestamp"}
    assert set(drift["repetition_metrics"]) == {
        "duplicate_sentence_ratio",
        "near_duplicate_ngram_ratio",
    }
    assert all(type(v) is float for v in drift["repetition_metrics"].values())
    metrics = drift["drift_metrics"]
    assert set(metrics) == {"anchor_deltas", "cross_chapter_similarity_hits"}
    assert set(metrics["anchor_deltas"]) == {"cache", "stale read", "a"}
    assert all(
        set(hit) == {"chapter_id", "cosine"} for hit in metrics["cross_chapter_similarity_hits"]
    )
    assert type(result.drift_score) is float and type(result.similarity_max) is float
