"""What the ledger model reads, each under its own key, and the refusals that name the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from state_runner.domain import rules
from state_runner.domain.errors import KernelError
from state_runner.domain.model import Chapter, Ledger

CRITIC = {"decision": "refine", "violations": ["thin example"]}
METRICS = {"structure_score": 0.5}


def chapter(**entry: Any) -> Chapter:
    return Chapter("01", {"path": "book/01.md", **entry})


def test_a_chapter_reads_its_lifecycle_and_status() -> None:
    entry = chapter(lifecycle="draft", status="active_refinement")
    assert (entry.lifecycle, entry.status) == ("draft", "active_refinement")
    assert chapter().lifecycle is None


def test_the_last_eval_is_read_under_its_own_key_only() -> None:
    assert chapter(last_eval=CRITIC).last_eval == CRITIC
    assert chapter(quality_metrics=CRITIC).last_eval is None
    assert chapter(last_eval=["not", "an object"]).last_eval is None


def test_the_quality_metrics_are_an_object_or_nothing() -> None:
    assert chapter(quality_metrics=METRICS).quality_metrics == METRICS
    assert chapter(last_eval=METRICS).quality_metrics is None
    assert chapter(quality_metrics="high").quality_metrics is None


def test_the_ledger_lists_its_chapter_ids_sorted() -> None:
    ledger = Ledger.from_json({"chapters": {"b": {}, "a": {}, "c": {}}})
    assert ledger.chapter_ids() == ["a", "b", "c"]


def test_an_unknown_chapter_is_refused_with_the_ids_the_ledger_has() -> None:
    assert rules.unknown_chapter("zz", {"b": {}, "a": {}}) == (
        "Unknown chapter_id: zz (the ledger has: a, b)"
    )
    assert rules.unknown_chapter("zz", {}) == "Unknown chapter_id: zz (the ledger has: none)"


@pytest.mark.parametrize(
    ("ledger", "message"),
    [
        ([], "Invalid ledger: top level must be a JSON object"),
        (
            {"chapter_lifecycle_rules": []},
            "Invalid ledger: chapter_lifecycle_rules must be a JSON object",
        ),
        (
            {"chapter_lifecycle_rules": {"transitions": 3}},
            "Invalid ledger: chapter_lifecycle_rules.transitions must be a JSON object",
        ),
    ],
)
def test_the_promotion_rule_names_the_level_that_is_not_an_object(
    ledger: object, message: str
) -> None:
    with pytest.raises(KernelError) as raised:
        rules.required_consecutive_passes(ledger)
    assert raised.value.message == message
