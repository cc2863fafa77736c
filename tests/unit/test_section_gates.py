"""One gate function (guards.section_gates) drives both the refusals and the repair notes."""

from __future__ import annotations

import pytest

from state_runner.domain import guards, repair
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError
from state_runner.domain.markdown import heading_lines

CHAPTER = "# T\n## A\na\n## B\nb\n## C\nc\n"
HEADINGS = heading_lines(CHAPTER)


def plan(*focus: str) -> PlannerPlan:
    return PlannerPlan(tuple(focus), (), (), "0")


CASES = [  # (plan, revised, cap, the first gate broken)
    (plan("## A"), CHAPTER.replace("## C", "## D").replace("b\n", "x\ny\nz\n"), 0.1, "headings"),
    (plan("## A"), CHAPTER.replace("b\n", "x\ny\nz\n"), 0.1, "diff"),
    (plan("nothing"), CHAPTER.replace("b\n", "B\n"), 1.0, "declared"),
    (plan("## A"), CHAPTER.replace("b\n", "B\n").replace("c\n", "C\n"), 1.0, "undeclared"),
    (plan("## A"), CHAPTER.replace("a\n", "A\n"), 1.0, None),
]


@pytest.mark.parametrize(("the_plan", "revised", "cap", "gate"), CASES)
def test_the_first_broken_gate_follows_the_contracts_order(
    the_plan: PlannerPlan, revised: str, cap: float, gate: str | None
) -> None:
    verdict = guards.section_gates(the_plan, HEADINGS, CHAPTER, revised, cap)
    assert (verdict.violation and verdict.violation.gate) == gate


@pytest.mark.parametrize(("the_plan", "revised", "cap", "gate"), CASES)
def test_the_repair_note_is_the_gates_note_and_a_missing_declaration_blames_the_planner(
    the_plan: PlannerPlan, revised: str, cap: float, gate: str | None
) -> None:
    broken = guards.section_gates(the_plan, HEADINGS, CHAPTER, revised, cap).violation
    if broken is not None and broken.role == "planner":
        with pytest.raises(KernelError) as info:
            repair.writer_violation(the_plan, HEADINGS, CHAPTER, revised, cap)
        assert (gate, info.value.message) == ("declared", broken.message)
        return
    note = repair.writer_violation(the_plan, HEADINGS, CHAPTER, revised, cap)
    assert note == (None if broken is None else broken.note)
    assert broken is None or (broken.role, bool(note)) == ("writer", True)


def test_the_notes_and_refusals_keep_their_bytes() -> None:
    diff = guards.diff_violation(0.5, 0.35)
    assert diff is not None
    assert diff.message == "Writer diff size too large (0.50 > 0.35)."
    assert diff.note == "Writer diff size too large; keep edits smaller. diff_ratio=0.50 limit=0.35"
    undeclared = guards.undeclared_violation({"## A"}, CHAPTER, CASES[3][1])
    assert undeclared is not None
    assert undeclared.note == (
        "Writer modified undeclared sections: ## B, ## C. "
        "Undo those edits and copy those sections verbatim from the input chapter."
    )
    assert guards.HEADINGS_NOTE == (
        "Writer changed headings; restore the original heading structure and ordering exactly."
    )
