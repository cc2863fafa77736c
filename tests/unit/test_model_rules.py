"""The ledger `init` and `chapters add` start from: exactly the minimal valid ledger that
docs/book-format.md (section 2) shows, which `governance validate` accepts."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_schema import validate_ledger
from state_runner.domain.model import Chapter, Ledger, new_chapter_entry, new_ledger

LIFECYCLES = ["draft", "refined", "approved", "frozen"]

DOCUMENTED_CHAPTER: dict[str, Any] = {
    "path": "book/chapters/03-caching.md",
    "status": "active_refinement",
    "lifecycle": "draft",
    "current_iteration": 0,
    "revision_count": 0,
    "last_eval": None,
    "quality_metrics": {"structure_score": 0.0, "clarity_score": 0.0, "example_density": 0.0,
                        "tradeoff_presence": False, "failure_mode_presence": False,
                        "drift_score": 0.0},
    "stability": {"consecutive_passes": 0, "last_modified_iteration": 0,
                  "frozen_candidate": False},
    "research": {"hypothesis": "", "falsifiable": True, "validation_status": "untested"},
    "human_validation": {"approved": False, "approved_by": None, "approved_at": None},
    "iteration_log": [],
}  # fmt: skip

DOCUMENTED_LEDGER: dict[str, Any] = {
    "version": 2,
    "chapter_lifecycle_rules": {
        "states": LIFECYCLES,
        "transitions": {"draft_to_refined": {"required_consecutive_passes": 2}},
    },
    "chapter_selection_strategy": {"lifecycle_priority": LIFECYCLES},
    "chapters": {"03-caching": DOCUMENTED_CHAPTER},
    "repo_iteration_log": [],
}


def test_a_new_ledger_with_one_new_chapter_is_the_documented_minimal_ledger() -> None:
    ledger = new_ledger()
    ledger["chapters"]["03-caching"] = new_chapter_entry("book/chapters/03-caching.md")
    assert ledger == DOCUMENTED_LEDGER
    assert validate_ledger(ledger) == []


def test_a_new_chapter_keeps_its_hypothesis_and_values_are_fresh_per_call() -> None:
    first = new_chapter_entry("book/chapters/01.md", "Retries need jitter")
    assert first["research"]["hypothesis"] == "Retries need jitter"
    first["stability"]["consecutive_passes"] = 5
    assert new_chapter_entry("book/chapters/01.md")["stability"]["consecutive_passes"] == 0


def test_the_next_repo_iteration_ignores_entries_without_an_integer_iteration() -> None:
    log: list[object] = [{"iteration": 2}, {"iteration": "9"}, {"iteration": True}, ["x"]]
    ledger = Ledger.from_json({"chapters": {}, "repo_iteration_log": log})
    assert ledger.next_repo_iteration() == 3


@pytest.mark.parametrize("log", [None, {"iteration": 5}, "5"])
def test_a_repo_log_that_is_not_a_list_starts_at_iteration_one(log: object) -> None:
    ledger = Ledger.from_json({"chapters": {}, "repo_iteration_log": log})
    assert ledger.next_repo_iteration() == 1


@pytest.mark.parametrize(
    ("repo_log", "iteration_log", "message"),
    [
        ([{}, 1], [], "Invalid ledger: repo_iteration_log must be an array of objects"),
        ("", [], "Invalid ledger: repo_iteration_log must be an array of objects"),
        ([], [{}, "x"], "Invalid ledger: chapters.01.iteration_log must be an array of objects"),
    ],
)
def test_a_run_refuses_logs_that_are_not_arrays_of_objects(
    repo_log: object, iteration_log: object, message: str
) -> None:
    chapter = {"status": "active_refinement", "lifecycle": "draft", "iteration_log": iteration_log}
    ledger = Ledger.from_json({"chapters": {"01": chapter}, "repo_iteration_log": repo_log})
    with pytest.raises(KernelError) as caught:
        ledger.chapter_for_run("01")
    assert caught.value.message == message


def test_the_appendable_check_accepts_a_ledger_that_has_no_logs_yet() -> None:
    chapter = {"status": "active_refinement", "lifecycle": "draft"}
    ledger = Ledger.from_json({"chapters": {"01": chapter}})
    assert ledger.chapter_for_run("01") == Chapter("01", chapter)


def test_a_frozen_chapter_is_refused_without_a_release_command() -> None:
    chapter = Chapter("01", {"status": "active_refinement", "lifecycle": "frozen"})
    assert chapter.refusal() == "Chapter is frozen."


def test_typed_reads_of_missing_or_mistyped_values() -> None:
    chapter = Chapter("01", {"status": 3, "lifecycle": ["draft"]})
    assert (chapter.status, chapter.lifecycle) == (None, None)
    assert (chapter.current_iteration, chapter.consecutive_passes) == (0, 0)


def test_a_run_refuses_an_unknown_id_or_an_entry_that_is_not_an_object() -> None:
    ledger = Ledger.from_json({"chapters": {"01": {}, "02": ["x"]}})
    with pytest.raises(KernelError) as unknown:
        ledger.chapter_for_run("09")
    assert unknown.value.message == "Unknown chapter_id: 09 (the ledger has: 01, 02)"
    with pytest.raises(KernelError) as broken:
        ledger.chapter_for_run("02")
    assert broken.value.message == "Invalid ledger: chapters.02 must be an object"


@pytest.mark.parametrize(("key", "value"), [("status", 3), ("lifecycle", ["draft"])])
def test_a_run_refuses_a_status_or_lifecycle_that_is_not_a_string(key: str, value: object) -> None:
    ledger = Ledger.from_json({"chapters": {"01": {key: value}}})
    with pytest.raises(KernelError) as caught:
        ledger.chapter_for_run("01")
    assert caught.value.message == f"Invalid ledger: chapters.01.{key} must be a string"
