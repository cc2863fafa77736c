"""The section gates at their edges: whose fault each refusal is, and the caps at equality."""

from __future__ import annotations

import json
from typing import Any

import pytest

from state_runner.domain import guards, repair
from state_runner.domain.budget import TokenBudget
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMUsage
from support.kernel_loop import APPROVE, CHAPTER, PLAN, make_loop, revise

HEADINGS = ["# One", "## Thesis", "## Trade-offs"]
EDITED = revise(CHAPTER)
DECLARES_NOTHING = PlannerPlan(("tone",), (), (), "0")
DECLARES_THESIS = PlannerPlan(("## Thesis",), (), (), "0")


def gate_broken(plan: PlannerPlan, revised: str, cap: float = 1.0) -> guards.Violation:
    violation = guards.section_gates(plan, HEADINGS, CHAPTER, revised, cap).violation
    assert violation is not None
    return violation


def test_a_plan_that_declares_no_section_is_the_planners_fault() -> None:
    broken = gate_broken(DECLARES_NOTHING, EDITED)
    assert (broken.gate, broken.role) == ("declared", "planner")


@pytest.mark.parametrize(
    ("revised", "cap", "gate"),
    [
        (CHAPTER.replace("## Thesis", "## Claim"), 1.0, "headings"),
        (EDITED, 0.0, "diff"),
        (CHAPTER.replace("Some trade-offs.", "Other trade-offs."), 1.0, "undeclared"),
    ],
)
def test_every_other_section_gate_is_the_writers_fault(revised: str, cap: float, gate: str) -> None:
    broken = gate_broken(DECLARES_THESIS, revised, cap)
    assert (broken.gate, broken.role) == (gate, "writer")


def files_mode_refusal(planner: dict[str, Any], writer: str) -> tuple[str, list[Any]]:
    """The kernel's refusal of person-written outputs, and the iteration's events."""
    loop = make_loop()
    outputs = loop.files.iteration("01", 1).outputs
    outputs |= {"planner.json": json.dumps(planner), "writer.md": writer}
    outputs["critic.json"] = json.dumps(APPROVE)
    with pytest.raises(KernelError) as raised:
        loop.run()
    return raised.value.message, loop.files.iteration("01", 1).events


def test_a_refused_plan_tells_the_person_to_fix_the_planner_file() -> None:
    message, events = files_mode_refusal({**PLAN, "focus_areas": ["tone"]}, EDITED)
    assert message.endswith(" Fix io/01/iter_01/out/planner.json and re-run.")
    assert ("outputs_rejected", {"role": "planner", "moved": []}) in events


def test_a_refused_revision_tells_the_person_to_fix_the_writer_file() -> None:
    message, events = files_mode_refusal(PLAN, CHAPTER.replace("Some trade-offs.", "Other."))
    assert message == (
        "Writer modified undeclared sections: ## Trade-offs."
        " Fix io/01/iter_01/out/writer.md and re-run."
    )
    assert ("outputs_rejected", {"role": "writer", "moved": []}) in events


def test_the_diff_cap_passes_a_ratio_equal_to_it() -> None:
    ratio = guards.diff_ratio(CHAPTER, EDITED)
    assert guards.diff_violation(ratio, ratio) is None
    assert guards.diff_violation(ratio, ratio - 1e-9) is not None


def test_the_writer_repair_accepts_a_diff_equal_to_the_cap() -> None:
    ratio = guards.diff_ratio(CHAPTER, EDITED)
    assert repair.writer_violation(DECLARES_THESIS, HEADINGS, CHAPTER, EDITED, ratio) is None
    note = repair.writer_violation(DECLARES_THESIS, HEADINGS, CHAPTER, EDITED, ratio / 2)
    assert note == (
        "Writer diff size too large; keep edits smaller. "
        f"diff_ratio={ratio:.2f} limit={ratio / 2:.2f}"
    )


def repeat_a_sentence(text: str) -> str:
    """An edit whose repeated sentence gives a drift score above 0 yet passes the drift eval."""
    return text.replace("A thesis body.", "A thesis body is here. A thesis body is here.")


def drift_pass(max_drift_score: float | None) -> tuple[float, bool]:
    loop = make_loop(critic={**APPROVE, "decision": "refine"}, writer_edit=repeat_a_sentence)
    caps = {} if max_drift_score is None else {"max_drift_score": max_drift_score}
    summary = loop.run(use_llm=True, max_iterations=1, **caps).iterations[0]
    return summary.drift_score, summary.deterministic_pass


def test_the_drift_cap_passes_a_score_equal_to_it() -> None:
    score, _ = drift_pass(None)
    assert 0 < score < 0.3
    assert drift_pass(score) == (score, True)
    assert drift_pass(score - 1e-6) == (score, False)


def test_the_token_budget_stops_when_the_tokens_used_equal_it() -> None:
    TokenBudget(limit=10, spent_before=4).check(LLMUsage(3, 2))  # 9 of 10: goes on
    with pytest.raises(KernelError, match=r"^token budget reached: this run has used 10 tokens "):
        TokenBudget(limit=10, spent_before=4).check(LLMUsage(3, 3))
