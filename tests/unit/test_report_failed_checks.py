"""The report's failed checks (domain/chapter_history.py): worded by the summary's own function from
the recorded evals, with the drift cap the iteration ran with; odd values in a book's logs read as
absent instead of failing."""

from __future__ import annotations

from typing import Any

from state_runner.domain.chapter_history import chapter_history, drift_cap
from state_runner.domain.verdicts import failed_checks

CID = "01-intro"
REPO = {
    "inputs": {"notes": f"Kernel refinement iteration 1 for {CID}"},
    "evals": {"drift_detection": {"pass": True}},
}


def test_a_drift_score_over_the_iterations_own_cap_is_a_failed_check() -> None:
    log = [{"iteration": 1, "drift_score": 0.2}]
    [strict] = chapter_history(CID, [], log, [REPO], {1: 0.1})
    [default] = chapter_history(CID, [], log, [REPO])  # 0.30, the kernel's default
    [other] = chapter_history(CID, [], log, [REPO], {2: 0.1})
    assert strict.failed_checks == ["drift: drift score 0.20"]
    assert default.failed_checks == other.failed_checks == []


def test_the_failed_checks_are_the_summarys_words_for_the_same_reports() -> None:
    evals = {
        "chapter_quality": {"pass": False, "required_missing": ["## Method"],
                            "forbidden_hits": ["vague_claims:obviously"], "total": 0.5},
        "style_guard": {"pass": False, "sentence_length_violations": [{"words": 44}],
                        "adjective_density": 0.1, "forbidden_hits": []},
        "drift_detection": {"pass": False, "hype_hits": ["game-changer"]},
    }  # fmt: skip
    repo = {**REPO, "evals": evals}
    [point] = chapter_history(CID, [], [{"iteration": 1, "drift_score": 0.4}], [repo], {1: 0.3})
    assert (
        point.failed_checks
        == failed_checks({**evals, "drift_score": 0.4}, 0.3)
        == [
            "chapter-quality: missing ## Method; forbidden vague_claims:obviously; "
            "section scores total 0.50",
            "style-guard: 1 long sentence(s), longest 44 words; adjective density 0.10",
            "drift: drift score 0.40; hype game-changer",
        ]
    )


def test_odd_values_in_a_books_logs_read_as_absent() -> None:
    evals: dict[str, Any] = {
        "chapter_quality": {"pass": False, "required_missing": "## Method", "forbidden_hits": [3]},
        "style_guard": {"pass": False, "sentence_length_violations": [7, {"words": "many"}]},
        "drift_detection": {"pass": False, "hype_hits": {"a": 1}, "repetition_metrics": [1],
                            "drift_metrics": {"anchor_deltas": [0.5],
                                              "cross_chapter_similarity_hits": [5, {}]}},
    }  # fmt: skip
    [point] = chapter_history(CID, [], [], [{**REPO, "evals": evals}])
    assert point.failed_checks == [
        "chapter-quality: forbidden 3",
        "style-guard: ",
        "drift: near copy of None, None",
    ]
    assert failed_checks({"chapter_quality": ["pass"], "style_guard": "x"}) == []


def test_the_drift_cap_is_the_last_start_of_that_iteration_in_its_trace() -> None:
    def started(iteration: object, cap: object) -> dict[str, Any]:
        return {"event": "iteration_started",
                "payload": {"iteration": iteration, "max_drift_score": cap}}  # fmt: skip

    events = [
        started(1, 0.3),
        {"event": "iteration_evaluated", "payload": {"iteration": 1, "max_drift_score": 0.9}},
        started(2, 0.8),
        started(1, 0.25),  # a re-run of iteration 1
        {"event": "iteration_started", "payload": "not an object"},
    ]
    assert drift_cap(events, 1) == 0.25
    assert drift_cap(events, 2) == 0.8
    assert drift_cap(events, 3) is None
    assert drift_cap([started(1, "0.3")], 1) is None
    assert drift_cap([started(1, True)], 1) is None
