"""`status` rows from odd ledgers and logs: what a missing or mistyped value reads as
(docs/kernel-contract.md, section 2.3: `state-runner status`)."""

from __future__ import annotations

from typing import Any

from state_runner.domain.status import book_status


def entry(scope: object, usage: object, stamp: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {"scope": scope, "resource_usage": usage, "timestamp": stamp,
            "outcome": {"status": "passed"}}  # fmt: skip


def test_a_row_shows_the_chapters_status_and_lifecycle() -> None:
    ledger = {"chapters": {"01": {"status": "hold", "lifecycle": "refined"}}}
    [row] = book_status(ledger, []).chapters
    assert (row.status, row.lifecycle) == ("hold", "refined")


def test_a_chapter_without_status_or_lifecycle_shows_empty_cells() -> None:
    [row] = book_status({"chapters": {"01": {}}}, []).chapters
    assert (row.status, row.lifecycle, row.iteration, row.consecutive_passes) == ("", "", 0, 0)


def test_counts_that_are_not_integers_read_as_zero() -> None:
    chapter = {"current_iteration": "3", "stability": {"consecutive_passes": True}}
    [row] = book_status({"chapters": {"01": chapter}}, []).chapters
    assert (row.iteration, row.consecutive_passes) == (0, 0)


def test_log_entries_without_a_chapter_list_or_usage_object_count_nothing() -> None:
    log = [
        entry(["01"], {"prompt_tokens": 5, "completion_tokens": 5}),
        entry({"chapters_modified": None}, {"prompt_tokens": 7, "completion_tokens": 7}),
        entry({"chapters_modified": "01"}, {"prompt_tokens": 9, "completion_tokens": 9}),
        entry({"chapters_modified": ["01"]}, ["not", "an", "object"], "2026-01-02T00:00:00Z"),
    ]
    [row] = book_status({"chapters": {"01": {}}}, log).chapters
    assert (row.prompt_tokens, row.completion_tokens) == (0, 0)
    assert (row.verdict, row.last_activity) == ("pass", "2026-01-02T00:00:00Z")


def test_token_counts_that_are_not_integers_add_nothing() -> None:
    log = [
        entry({"chapters_modified": ["01"]}, {"prompt_tokens": 40, "completion_tokens": 2}),
        entry({"chapters_modified": ["01"]}, {"prompt_tokens": "40", "completion_tokens": False}),
    ]
    [row] = book_status({"chapters": {"01": {}}}, log).chapters
    assert (row.prompt_tokens, row.completion_tokens, row.tokens) == (40, 2, 42)
