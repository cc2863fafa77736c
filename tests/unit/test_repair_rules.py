"""Writer self-repair (docs/kernel-contract.md 4.10): the note for the first section gate a reply
breaks, the planner's fault for a plan without sections, and the retry prompt's exact bytes."""

from __future__ import annotations

import pytest

from state_runner.domain import repair, roles
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError

CHAPTER = "# One\n\n## Thesis\n\nA thesis body.\n\n## Trade-offs\n\nSome trade-offs.\n"
HEADINGS = ["# One", "## Thesis", "## Trade-offs"]  # 9 lines in CHAPTER
THESIS_EDIT = CHAPTER.replace("A thesis body.", "A sharper thesis body.")  # 2 of 9 lines
TRADEOFF_EDIT = CHAPTER.replace("Some trade-offs.", "Other trade-offs.")


def plan(*focus: str) -> PlannerPlan:
    return PlannerPlan(focus, (), (), "+10")


def test_a_reply_that_passes_every_gate_has_no_note() -> None:
    assert repair.writer_violation(plan("## Thesis"), HEADINGS, CHAPTER, THESIS_EDIT, 0.5) is None


def test_changed_headings_get_the_heading_note() -> None:
    revised = CHAPTER.replace("## Trade-offs", "## Costs")
    note = repair.writer_violation(plan("## Thesis"), HEADINGS, CHAPTER, revised, 1.0)
    assert note == (
        "Writer changed headings; restore the original heading structure and ordering exactly."
    )


def test_a_diff_over_the_cap_gets_the_diff_note_with_both_numbers() -> None:
    note = repair.writer_violation(plan("## Thesis"), HEADINGS, CHAPTER, THESIS_EDIT, 0.2)
    assert note == "Writer diff size too large; keep edits smaller. diff_ratio=0.22 limit=0.20"


def test_a_diff_equal_to_the_cap_passes() -> None:
    assert repair.writer_violation(plan("## Thesis"), HEADINGS, CHAPTER, THESIS_EDIT, 2 / 9) is None


def test_an_edit_outside_the_declared_sections_gets_the_undeclared_note() -> None:
    note = repair.writer_violation(plan("## Thesis"), HEADINGS, CHAPTER, TRADEOFF_EDIT, 1.0)
    assert note == (
        "Writer modified undeclared sections: ## Trade-offs. Undo those edits and copy those "
        "sections verbatim from the input chapter."
    )


def test_a_plan_that_declares_no_section_is_the_planners_error_not_a_note() -> None:
    with pytest.raises(KernelError) as caught:
        repair.writer_violation(plan("tighten prose"), HEADINGS, CHAPTER, THESIS_EDIT, 1.0)
    assert caught.value.message == (
        "Planner did not explicitly reference any existing '##' headings. Name at least one "
        "verbatim in focus_areas, structural_changes or risk_flags, "
        'e.g. "## Thesis: <change>".'
    )


def test_the_allowed_sections_are_the_declared_ones_in_chapter_order() -> None:
    declared = plan("## Trade-offs: add a cost", "## Thesis: sharpen", "## Missing")
    assert repair.allowed_sections(declared, HEADINGS) == ["## Thesis", "## Trade-offs"]


def test_the_retry_prompt_is_the_violation_block_the_allowlist_the_rule_then_the_first_text() -> (
    None
):
    first = roles.writer_user_text(CHAPTER, '{"focus_areas": []}')
    text = repair.retry_user_text(first, "NOTE", ["## Thesis", "## Trade-offs"])
    assert text == (
        "IMPORTANT: The previous attempt violated kernel constraints. Fix this and re-output the "
        "full chapter.\n"
        "Violation: NOTE\n"
        "\n"
        "Output the full revised chapter markdown only. No code fences.\n"
        "SECTION_EDIT_ALLOWLIST (exact H2 headings you may modify):\n"
        "- ## Thesis\n"
        "- ## Trade-offs\n"
        "HARD RULE: copy the body of every section not listed above verbatim from the input "
        "chapter.\n"
        "\n===CHAPTER_START===\n" + CHAPTER.rstrip() + "\n===CHAPTER_END===\n\n"
        '===PLANNER_JSON_START===\n{"focus_areas": []}\n===PLANNER_JSON_END===\n'
    )


def test_with_no_allowed_section_the_rule_follows_the_allowlist_header() -> None:
    text = repair.retry_user_text(roles.WRITER_FIRST_LINE + "\nREST", "N", [])
    assert text.endswith(
        "SECTION_EDIT_ALLOWLIST (exact H2 headings you may modify):\n"
        "HARD RULE: copy the body of every section not listed above verbatim from the input "
        "chapter.\nREST"
    )


def test_the_exhausted_prefix() -> None:
    assert repair.EXHAUSTED == "Writer output violated section constraints after retries: "
