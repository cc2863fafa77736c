"""The report's numbers: one chapter's iterations joined across the three logs."""

from __future__ import annotations

from typing import Any

from state_runner.domain.chapter_history import chapter_history


def repo_entry(
    book_iteration: int, cid: str, chapter_iteration: int, prompt: int
) -> dict[str, Any]:
    return {
        "iteration": book_iteration,  # counts the whole book's iterations
        "inputs": {"notes": f"Kernel refinement iteration {chapter_iteration} for {cid}"},
        "scope": {"chapters_modified": [cid]},
        "resource_usage": {"prompt_tokens": prompt, "completion_tokens": 1},
        "evals": {"chapter_quality": {"pass": True, "total": prompt / 1000}},
        "outcome": {"status": "refine", "decision": "refine"},
        "timestamp": f"2026-01-0{book_iteration}T00:00:00Z",
    }


def test_repo_entries_join_by_the_chapters_own_iteration_when_chapters_alternate() -> None:
    repo = [
        repo_entry(1, "a", 1, 100),
        repo_entry(2, "b", 1, 200),
        repo_entry(3, "a", 2, 300),
        repo_entry(4, "b", 2, 400),
    ]
    metrics: list[dict[str, Any]] = [
        {"iteration": 1, "critic": {"clarity_score": 0.5, "decision": "refine"}},
        {"iteration": 2},
    ]
    chapter_log: list[dict[str, Any]] = [
        {"iteration": 1, "drift_score": 0.1, "diff_size": 0.2},
        {"iteration": 2},
    ]
    points = chapter_history("b", metrics, chapter_log, repo)
    assert [(p.iteration, p.prompt_tokens, p.quality_total) for p in points] == [
        (1, 200, 0.2),
        (2, 400, 0.4),
    ]
    assert points[0].critic == {"clarity_score": 0.5} and points[0].diff_ratio == 0.2
    assert points[0].reasons == ["critic decided refine"]
    assert points[1].timestamp == "2026-01-04T00:00:00Z"
    assert points[1].reasons == []  # no critic words recorded: the repo outcome is not the critic
