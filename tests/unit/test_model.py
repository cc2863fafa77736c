"""The typed ledger model: round trips, unknown keys kept, rules as methods."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state_runner.domain import governance
from state_runner.domain.errors import KernelError
from state_runner.domain.model import Chapter, Ledger

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
STATUS = st.sampled_from(["active_refinement", "locked", "hold"])
LIFECYCLE = st.sampled_from(["draft", "refined", "approved", "frozen"])


@st.composite
def chapters(draw: st.DrawFn) -> dict[str, Any]:
    chapter: dict[str, Any] = draw(
        st.dictionaries(st.text(min_size=1, max_size=6), JSON, max_size=3)
    )
    chapter.update(
        path=f"book/{draw(st.text(min_size=1, max_size=5).filter(str.isalnum))}.md",
        status=draw(STATUS),
        lifecycle=draw(LIFECYCLE),
        current_iteration=draw(st.integers(0, 99)),
        stability={"consecutive_passes": draw(st.integers(0, 5)), "extra": draw(JSON)},
    )
    return chapter


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, Any]:
    ledger: dict[str, Any] = draw(
        st.dictionaries(st.text(min_size=1, max_size=6), JSON, max_size=3)
    )
    ids = draw(st.lists(st.text(min_size=1, max_size=6).filter(str.isalnum), min_size=1,
                        max_size=3, unique=True))  # fmt: skip
    ledger["chapters"] = {cid: draw(chapters()) for cid in ids}
    return ledger


@settings(max_examples=200)
@given(ledgers())
def test_any_ledger_round_trips_through_the_model_unchanged(data: dict[str, Any]) -> None:
    before = json.dumps(data, sort_keys=True)
    model = Ledger.from_json(copy.deepcopy(data))
    for chapter in model.chapters():
        _ = (chapter.status, chapter.lifecycle, chapter.current_iteration, chapter.refusal())
        _ = chapter.consecutive_passes
    assert json.dumps(model.to_json(), sort_keys=True) == before


@settings(max_examples=100)
@given(ledgers())
def test_typed_reads_match_the_json(data: dict[str, Any]) -> None:
    model = Ledger.from_json(data)
    for chapter in model.chapters():
        raw = data["chapters"][chapter.chapter_id]
        assert chapter.current_iteration == raw["current_iteration"]
        assert chapter.consecutive_passes == raw["stability"]["consecutive_passes"]
        eligible = raw["status"] not in ("locked", "hold") and raw["lifecycle"] != "frozen"
        assert (chapter.refusal() is None) == eligible


def test_changes_through_the_model_keep_unknown_keys() -> None:
    data = {"x-top": [1], "chapters": {"a": {"status": "hold", "x-chapter": {"k": "v"}}}}
    model = Ledger.from_json(data)
    chapter = next(model.chapters())
    chapter.promote()
    assert model.to_json() == {
        "x-top": [1],
        "chapters": {"a": {"status": "hold", "lifecycle": "refined", "x-chapter": {"k": "v"}}},
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "Invalid ledger: L: top level must be a JSON object"),
        ({"chapters": []}, "Invalid ledger: L: chapters must be an object"),
    ],
)
def test_from_json_refuses_the_wrong_top_level(data: object, message: str) -> None:
    with pytest.raises(KernelError) as info:
        Ledger.from_json(data, "L")
    assert info.value.message == message


def test_counts_must_be_non_negative_integers() -> None:
    chapter = Chapter("a", {"current_iteration": -1, "stability": {"consecutive_passes": "2"}})
    with pytest.raises(KernelError, match=r"^Ledger chapter a: current_iteration must be"):
        _ = chapter.current_iteration
    with pytest.raises(KernelError, match=r"^Ledger chapter a: consecutive_passes must be"):
        _ = chapter.consecutive_passes
    assert Chapter("b", {"current_iteration": None}).current_iteration == 0


def test_required_passes_and_next_repo_iteration() -> None:
    rule = {"transitions": {"draft_to_refined": {"required_consecutive_passes": 4}}}
    model = Ledger.from_json(
        {"chapters": {}, "chapter_lifecycle_rules": rule, "repo_iteration_log": [{"iteration": 7}]}
    )
    assert model.required_passes(two_pass_mode=True) == 4
    assert model.required_passes(two_pass_mode=False) == 1
    assert model.next_repo_iteration() == 8
    assert Ledger.from_json({"chapters": {}}).required_passes(two_pass_mode=True) == 2


def test_selection_and_eligibility_are_the_governance_rules() -> None:
    data = {
        "chapters": {
            "a": {"status": "hold", "lifecycle": "draft"},
            "b": {"status": "active_refinement", "lifecycle": "refined"},
            "c": {"status": "active_refinement", "lifecycle": "draft"},
        }
    }
    model = Ledger.from_json(data)
    assert model.select_next() == governance.select_next_chapter(data) == "c"
    refusals = {chapter.chapter_id: chapter.refusal() for chapter in model.chapters()}
    hold = "Chapter is not eligible (status='hold'). Try: state-runner governance unhold"
    assert refusals == {"a": f"{hold} --chapter-id a", "b": None, "c": None}
