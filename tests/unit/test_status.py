"""`status`: rows derived from the ledger and the whole repo log; the JSON and plain shapes."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from state_runner.app.status_command import plain, table
from state_runner.domain.status import SCHEMA, book_status

PASSED = {"pass": True}
FAILED = {"pass": False}


def chapter(iteration: int, **extra: Any) -> dict[str, Any]:
    return {
        "status": "active_refinement", "lifecycle": "draft", "current_iteration": iteration,
        "stability": {"consecutive_passes": 0}, **extra,
    }  # fmt: skip


def logged(
    cid: str, tokens: tuple[int, int], stamp: str, outcome: tuple[str, str], failing: str = ""
) -> dict[str, Any]:
    usage = {"prompt_tokens": tokens[0], "completion_tokens": tokens[1], "eval_runtime_ms": 3}
    evals = {name: {"pass": name != failing} for name in ("chapter_quality", "style_guard")}
    return {
        "scope": {"chapters_modified": [cid]}, "resource_usage": usage, "timestamp": stamp,
        "evals": evals, "outcome": {"status": outcome[0], "decision": outcome[1]},
    }  # fmt: skip


LEDGER = {
    "chapters": {
        "b-second": chapter(0),
        "a-first": chapter(
            2,
            last_eval={
                "critic": {"decision": "refine"},
                "deterministic": {
                    "passed": False, "drift_score": 0.25, "chapter_quality": PASSED,
                    "style_guard": FAILED, "drift_detection": PASSED,
                },
            },
        ),
        "c-third": chapter(
            1,
            stability={"consecutive_passes": 1},
            last_eval={
                "critic": {"decision": "approve"},
                "deterministic": {"passed": True, "drift_score": 0.1, "chapter_quality": PASSED},
            },
        ),
    }
}  # fmt: skip
LOG = [
    logged("a-first", (100, 10), "2026-01-01T00:00:00Z", ("passed", "approve")),
    logged("c-third", (7, 3), "2026-01-02T00:00:00Z", ("passed", "approve")),
    logged("a-first", (200, 20), "2026-01-03T00:00:00Z", ("refine", "refine"), "style_guard"),
]


def test_rows_name_the_failing_checks_and_sum_the_whole_log() -> None:
    status = book_status(LEDGER, LOG)
    first, second, third = status.chapters
    assert [r.chapter_id for r in status.chapters] == ["a-first", "b-second", "c-third"]
    assert (first.verdict, first.failing_checks) == ("refine", ["style_guard", "critic"])
    assert (first.prompt_tokens, first.completion_tokens, first.tokens) == (300, 30, 330)
    assert first.last_activity == "2026-01-03T00:00:00Z" and first.drift_score == 0.25
    assert (second.verdict, second.tokens, second.last_activity) == ("-", 0, None)
    assert (third.verdict, third.failing_checks, third.consecutive_passes) == ("pass", [], 1)
    assert (status.iterations, status.prompt_tokens, status.completion_tokens) == (3, 307, 33)


def test_a_refusal_by_the_drift_cap_alone_is_named() -> None:
    capped = [logged("c-third", (1, 1), "2026-01-04T00:00:00Z", ("refine", "approve"))]
    row = book_status(LEDGER, capped).chapters[2]
    assert (row.verdict, row.failing_checks) == ("refine", ["drift cap"])


def test_a_critic_that_approved_is_not_blamed_for_failing_evals() -> None:
    failed = [
        logged("c-third", (1, 1), "2026-01-04T00:00:00Z", ("refine", "refine"), "style_guard")
    ]
    row = book_status(LEDGER, failed).chapters[2]  # its last_eval critic approved
    assert (row.verdict, row.failing_checks) == ("refine", ["style_guard"])


def test_entries_that_are_not_objects_are_skipped() -> None:
    ledger = {"chapters": {**LEDGER["chapters"], "broken": "not an object"}}
    assert [r.chapter_id for r in book_status(ledger, LOG).chapters] == [
        "a-first", "b-second", "c-third"
    ]  # fmt: skip


def test_the_json_document_is_versioned_and_totalled() -> None:
    document = book_status(LEDGER, LOG).to_json()
    assert (document["schema"], document["version"]) == (SCHEMA, 1)
    assert document["totals"] == {
        "chapters": 3, "iterations": 3, "prompt_tokens": 307, "completion_tokens": 33,
        "tokens": 340,
    }  # fmt: skip
    assert set(document["chapters"][0]) == {
        "chapter_id", "status", "lifecycle", "iteration", "consecutive_passes", "verdict",
        "failing_checks", "drift_score", "prompt_tokens", "completion_tokens", "tokens",
        "last_activity",
    }  # fmt: skip


def test_plain_columns_align_and_end_with_the_totals_row() -> None:
    lines = plain(book_status(LEDGER, LOG)).splitlines()
    assert lines[0].split() == [
        "chapter", "status", "lifecycle", "iter", "passes", "last", "verdict", "drift",
        "tokens", "last", "activity",
    ]  # fmt: skip
    assert "refine: style_guard, critic" in lines[1] and lines[1].split()[-1] == (
        "2026-01-03T00:00:00Z"
    )
    assert lines[-1].split() == ["total", "(3", "chapters)", "3", "340"]
    assert len({line.index("lifecycle") for line in lines[:1]}) == 1


def test_the_terminal_table_shows_the_same_cells() -> None:
    out = io.StringIO()
    table(book_status(LEDGER, LOG), Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "refine: style_guard, critic" in text and "total (3 chapters)" in text
    assert "330" in text and "0.25" in text
