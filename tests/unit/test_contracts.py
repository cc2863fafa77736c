"""Planner and critic contracts: every message, verbatim.

See docs/kernel-contract.md sections 5.1-5.2.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state_runner.domain.contracts import CriticReport, PlannerPlan, parse_critic, parse_planner
from state_runner.domain.errors import KernelError


def plan(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "focus_areas": ["## Thesis"],
        "structural_changes": [],
        "risk_flags": ["tone"],
        "target_word_delta": "+10",
    }
    base.update(changes)
    return base


def critique(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "structure_score": 0.8,
        "clarity_score": 0.7,
        "example_density": 0.6,
        "tradeoff_presence": True,
        "failure_modes_present": False,
        "drift_score": 0.1,
        "violations": [],
        "decision": "approve",
    }
    base.update(changes)
    return base


def test_valid_plan_parses() -> None:
    parsed = parse_planner(plan())
    assert parsed == PlannerPlan(("## Thesis",), (), ("tone",), "+10")
    assert parsed.mentions() == ("## Thesis", "tone")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"focus_areas": ["x"]},
            "planner: missing keys: ['risk_flags', 'structural_changes', 'target_word_delta']",
        ),
        (plan(extra=1, another=2), "planner: extra keys not allowed: ['another', 'extra']"),
        (plan(focus_areas="## Thesis"), "planner.focus_areas must be an array of strings"),
        (plan(structural_changes=[1]), "planner.structural_changes must be an array of strings"),
        (plan(risk_flags=None), "planner.risk_flags must be an array of strings"),
        (
            plan(target_word_delta="400 words"),
            "planner.target_word_delta must look like '+400', '-100', or '0'",
        ),
        (
            plan(target_word_delta=400),
            "planner.target_word_delta must look like '+400', '-100', or '0'",
        ),
        (
            plan(focus_areas=[]),
            "planner.focus_areas must not be empty: name at least one section, starting with its "
            "'## ' heading copied verbatim",
        ),
        ([1, 2], "planner: expected a JSON object"),
    ],
)
def test_planner_messages(data: object, message: str) -> None:
    with pytest.raises(KernelError) as info:
        parse_planner(data)
    assert str(info.value) == message


@pytest.mark.parametrize("delta", ["0", "+0", "-100", "400", "+400"])
def test_word_delta_forms(delta: str) -> None:
    assert parse_planner(plan(target_word_delta=delta)).target_word_delta == delta


def test_valid_critique_parses() -> None:
    report = parse_critic(critique())
    assert report.approves
    assert report.mean_score == pytest.approx((0.8 + 0.7 + 0.6) / 3)
    assert report.to_json() == critique()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {},
            "critic: missing keys: ['clarity_score', 'decision', 'drift_score', "
            "'example_density', 'failure_modes_present', 'structure_score', "
            "'tradeoff_presence', 'violations']",
        ),
        (critique(notes="x"), "critic: extra keys not allowed: ['notes']"),
        (critique(violations="none"), "critic.violations must be an array of strings"),
        (critique(violations=[None]), "critic.violations must be an array of strings"),
        (critique(decision="accept"), "critic.decision must be 'approve' or 'refine'"),
        (critique(structure_score="0.5"), "critic.structure_score must be a number"),
        (critique(clarity_score=True), "critic.clarity_score must be a number"),
        (critique(example_density=1.5), "critic.example_density must be in [0,1]"),
        (critique(drift_score=-0.01), "critic.drift_score must be in [0,1]"),
        (critique(drift_score=float("nan")), "critic.drift_score must be in [0,1]"),
        (critique(tradeoff_presence="no"), "critic.tradeoff_presence must be a boolean"),
        (critique(failure_modes_present=1), "critic.failure_modes_present must be a boolean"),
        ("approve", "critic: expected a JSON object"),
    ],
)
def test_critic_messages(data: object, message: str) -> None:
    with pytest.raises(KernelError) as info:
        parse_critic(data)
    assert str(info.value) == message


def test_score_bounds_are_inclusive() -> None:
    report = parse_critic(critique(structure_score=0, clarity_score=1, drift_score=1.0))
    assert (report.structure_score, report.clarity_score) == (0.0, 1.0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=20,
)
planner_like = st.fixed_dictionaries({}, optional={k: json_values for k in plan()})
critic_like = st.fixed_dictionaries(
    {}, optional={k: json_values | st.floats(0, 1) for k in critique()}
)


@given(json_values | planner_like)
def test_any_json_is_a_plan_or_a_kernel_error(data: object) -> None:
    try:
        assert isinstance(parse_planner(data), PlannerPlan)
    except KernelError as exc:
        assert exc.exit_code == 3 and "\n" not in str(exc)


@given(json_values | critic_like)
def test_any_json_is_a_critique_or_a_kernel_error(data: object) -> None:
    try:
        assert isinstance(parse_critic(data), CriticReport)
    except KernelError as exc:
        assert exc.exit_code == 3 and "\n" not in str(exc)
