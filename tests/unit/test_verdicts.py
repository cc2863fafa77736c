"""Why an iteration failed, in words: the failed checks and their components."""

from __future__ import annotations

from state_runner.domain.verdicts import failed_checks, last_verdict

PASSING = {"pass": True}


def test_each_failed_check_names_its_reasons() -> None:
    deterministic = {
        "chapter_quality": {"pass": False, "required_missing": ["## Thesis"],
                            "forbidden_hits": ["vague_claims:clearly"], "total": 0.4},
        "style_guard": {"pass": False, "sentence_length_violations": [{"words": 44}, {"words": 31}],
                        "adjective_density": 0.2, "forbidden_hits": []},
        "drift_detection": {
            "pass": False, "hype_hits": ["game-changer"],
            "repetition_metrics": {"duplicate_sentence_ratio": 0.1,
                                   "near_duplicate_ngram_ratio": 0},
            "drift_metrics": {"anchor_deltas": {"cache": 0.5, "ttl": 0.0},
                              "cross_chapter_similarity_hits": [{"chapter_id": "02"}]},
        },
        "drift_score": 0.61,
    }  # fmt: skip
    assert failed_checks(deterministic) == [
        "chapter-quality: missing ## Thesis; forbidden vague_claims:clearly; section scores "
        "total 0.40",
        "style-guard: 2 long sentence(s), longest 44 words; adjective density 0.20",
        "drift: drift score 0.61; hype game-changer; repeated sentences 0.10; anchor 'cache' "
        "context changed 0.50; near copy of 02",
    ]


def test_a_drift_score_over_the_cap_fails_even_when_the_eval_passes() -> None:
    deterministic = {"chapter_quality": PASSING, "style_guard": PASSING,
                     "drift_detection": PASSING, "drift_score": 0.25}  # fmt: skip
    assert failed_checks(deterministic) == []
    assert failed_checks(deterministic, max_drift_score=0.2) == ["drift: drift score 0.25"]


def test_last_verdict_reads_the_chapter_entry() -> None:
    assert last_verdict({"current_iteration": 0}) is None
    chapter = {
        "current_iteration": 3,
        "last_eval": {"critic": {"decision": "approve"},
                      "deterministic": {"chapter_quality": PASSING, "style_guard": PASSING,
                                        "drift_detection": PASSING}},
        "stability": {"consecutive_passes": 1},
    }  # fmt: skip
    assert last_verdict(chapter) == (
        "Last iteration (3): critic approve, evals pass, consecutive passes 1"
    )
