"""`governance validate` rules on values the other tests leave out (docs/kernel-contract.md,
section 9: numbers are finite ints or floats, never booleans; `last_eval` an object or null)."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain.ledger_schema import validate_ledger
from state_runner.domain.model import new_chapter_entry, new_ledger

CID = "01-intro"


def ledger_with(**chapter_overrides: Any) -> dict[str, Any]:
    ledger = new_ledger()
    chapter = new_chapter_entry(f"book/chapters/{CID}.md")
    chapter.update(chapter_overrides)
    ledger["chapters"][CID] = chapter
    return ledger


def log_entry(**overrides: Any) -> dict[str, Any]:
    entry = {"iteration": 1, "planner_focus": None, "critic_score": 0.5, "drift_score": 0.1,
             "diff_size": 0.2}  # fmt: skip
    entry.update(overrides)
    return entry


def test_a_recorded_evaluation_object_and_integer_scores_are_valid() -> None:
    metrics = {**new_chapter_entry("x")["quality_metrics"], "structure_score": 1}
    ledger = ledger_with(last_eval={"critic": {}}, quality_metrics=metrics)
    assert validate_ledger(ledger) == []


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), True, "0.1", None])
@pytest.mark.parametrize("key", ["drift_score", "diff_size"])
def test_iteration_log_measures_must_be_finite_numbers(key: str, value: object) -> None:
    ledger = ledger_with(iteration_log=[log_entry(), log_entry(**{key: value})])
    assert validate_ledger(ledger) == [f"chapters.{CID}.iteration_log[1].{key}: must be a number"]


def test_the_drift_history_of_the_original_format_may_hold_anything() -> None:
    assert validate_ledger(ledger_with(drift_history=[1, "a", None, {}])) == []


def test_a_zero_required_pass_count_and_a_negative_iteration_are_both_reported() -> None:
    ledger = ledger_with(current_iteration=-1)
    rules = ledger["chapter_lifecycle_rules"]["transitions"]["draft_to_refined"]
    rules["required_consecutive_passes"] = True
    assert validate_ledger(ledger) == [
        "chapter_lifecycle_rules.transitions.draft_to_refined.required_consecutive_passes:"
        " must be a positive integer",
        f"chapters.{CID}.current_iteration: must be a non-negative integer",
    ]


@pytest.mark.parametrize(
    "rules",
    [{}, {"transitions": {}}, {"states": [], "transitions": {"draft_to_refined": {}}}],
)
def test_every_part_of_the_lifecycle_rules_is_optional(rules: dict[str, Any]) -> None:
    ledger = ledger_with()
    ledger["chapter_lifecycle_rules"] = rules
    assert validate_ledger(ledger) == []


def test_the_selection_strategy_may_leave_out_the_lifecycle_priority() -> None:
    ledger = ledger_with()
    ledger["chapter_selection_strategy"] = {}
    assert validate_ledger(ledger) == []
