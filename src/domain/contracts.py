"""The planner and critic output contracts and their validation.

See docs/kernel-contract.md section 5.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from state_runner.domain.errors import KernelError

PLANNER_KEYS = frozenset({"focus_areas", "structural_changes", "risk_flags", "target_word_delta"})
PLANNER_LISTS = ("focus_areas", "structural_changes", "risk_flags")
CRITIC_KEYS = frozenset(
    {
        "structure_score",
        "clarity_score",
        "example_density",
        "tradeoff_presence",
        "failure_modes_present",
        "drift_score",
        "violations",
        "decision",
    }
)
CRITIC_SCORES = ("structure_score", "clarity_score", "example_density", "drift_score")
CRITIC_FLAGS = ("tradeoff_presence", "failure_modes_present")
DECISIONS = ("approve", "refine")
_WORD_DELTA = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class PlannerPlan:
    """What the planner asks the writer to do."""

    focus_areas: tuple[str, ...]
    structural_changes: tuple[str, ...]
    risk_flags: tuple[str, ...]
    target_word_delta: str

    def mentions(self) -> tuple[str, ...]:
        """Every free-text item that can declare a section."""
        return self.focus_areas + self.structural_changes + self.risk_flags


@dataclass(frozen=True)
class CriticReport:
    """The critic's scores and decision."""

    structure_score: float
    clarity_score: float
    example_density: float
    tradeoff_presence: bool
    failure_modes_present: bool
    drift_score: float
    violations: tuple[str, ...]
    decision: str

    @property
    def approves(self) -> bool:
        return self.decision == "approve"

    @property
    def mean_score(self) -> float:
        """The chapter log's `critic_score`: mean of structure, clarity and example density."""
        return (self.structure_score + self.clarity_score + self.example_density) / 3.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["violations"] = list(self.violations)
        return data


def _check_keys(role: str, data: Mapping[str, Any], expected: frozenset[str]) -> None:
    missing = sorted(expected - data.keys())
    if missing:
        raise KernelError(f"{role}: missing keys: {missing}")
    extra = sorted(str(k) for k in data.keys() - expected)
    if extra:
        raise KernelError(f"{role}: extra keys not allowed: {extra}")


def _string_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _require_object(role: str, data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise KernelError(f"{role}: expected a JSON object")
    return data


def parse_planner(data: object) -> PlannerPlan:
    """Validate planner JSON; raises `KernelError` with the contract's message."""
    obj = _require_object("planner", data)
    _check_keys("planner", obj, PLANNER_KEYS)
    lists: dict[str, tuple[str, ...]] = {}
    for name in PLANNER_LISTS:
        items = _string_list(obj[name])
        if items is None:
            raise KernelError(f"planner.{name} must be an array of strings")
        lists[name] = items
    delta = obj["target_word_delta"]
    if not isinstance(delta, str) or not _WORD_DELTA.match(delta):
        raise KernelError("planner.target_word_delta must look like '+400', '-100', or '0'")
    if not lists["focus_areas"]:
        raise KernelError(
            "planner.focus_areas must not be empty: name at least one section, starting with its "
            "'## ' heading copied verbatim"
        )
    return PlannerPlan(
        focus_areas=lists["focus_areas"],
        structural_changes=lists["structural_changes"],
        risk_flags=lists["risk_flags"],
        target_word_delta=delta,
    )


def _score(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KernelError(f"critic.{name} must be a number")
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise KernelError(f"critic.{name} must be in [0,1]")
    return number


def parse_critic(data: object) -> CriticReport:
    """Validate critic JSON; raises `KernelError` with the contract's message."""
    obj = _require_object("critic", data)
    _check_keys("critic", obj, CRITIC_KEYS)
    violations = _string_list(obj["violations"])
    if violations is None:
        raise KernelError("critic.violations must be an array of strings")
    decision = obj["decision"]
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise KernelError("critic.decision must be 'approve' or 'refine'")
    scores = {name: _score(name, obj[name]) for name in CRITIC_SCORES}
    flags: dict[str, bool] = {}
    for name in CRITIC_FLAGS:
        value = obj[name]
        if not isinstance(value, bool):
            raise KernelError(f"critic.{name} must be a boolean")
        flags[name] = value
    return CriticReport(
        structure_score=scores["structure_score"],
        clarity_score=scores["clarity_score"],
        example_density=scores["example_density"],
        tradeoff_presence=flags["tradeoff_presence"],
        failure_modes_present=flags["failure_modes_present"],
        drift_score=scores["drift_score"],
        violations=violations,
        decision=decision,
    )
