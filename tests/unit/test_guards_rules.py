"""The diff ratio of gate 5.4 and the changed sections of gate 5.6 (domain.guards).

Diff ratio (kernel contract 5.4): `difflib.SequenceMatcher(None, old_lines, new_lines,
autojunk=False)`; every non-equal opcode adds its deleted plus inserted line counts;
`ratio = min(1.0, changed / max(1, len(old_lines)))`. A section changed (5.6) when its stripped
body differs between the two texts, or it exists on one side only.
"""

from __future__ import annotations

from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.guards import (
    changed_sections,
    declared_violation,
    diff_ratio,
    section_gates,
    undeclared_violation,
)


def test_every_changed_region_counts_not_only_the_last() -> None:
    # Two separate one-line replacements: (1 + 1) + (1 + 1) = 4 changed lines over 4.
    assert diff_ratio("a\nb\nc\nd\n", "A\nb\nC\nd\n") == 1.0
    # Two separate one-line insertions into 8 lines: 2 / 8.
    old = "".join(f"line {n}\n" for n in range(8))
    new = old.replace("line 2\n", "line 2\nnew\n").replace("line 6\n", "line 6\nnew\n")
    assert diff_ratio(old, new) == 0.25


def test_one_added_line_after_a_one_line_or_empty_text_is_the_whole_text() -> None:
    assert diff_ratio("a\n", "a\nb\n") == 1.0  # 1 / max(1, 1)
    assert diff_ratio("", "a\n") == 1.0  # 1 / max(1, 0)


def test_frequent_lines_are_not_junk() -> None:
    # With difflib's autojunk a line making up over 1% of 200+ lines could not anchor a match,
    # and the whole table would count as rewritten; the contract turns autojunk off.
    table = "| --- |\n" * 300
    assert diff_ratio(table, "| new |\n" + table) == 1 / 300


def test_a_section_on_one_side_only_is_changed() -> None:
    old = "# T\n## A\nsame\n"
    assert changed_sections(old, old + "## B\nnew\n") == {"## B"}
    assert changed_sections(old + "## B\ngone\n", old) == {"## B"}
    assert changed_sections(old, old) == set()


def declared_refusal(baseline_headings: list[str]) -> str:
    broken = declared_violation(set(), baseline_headings)
    assert broken is not None
    assert (broken.gate, broken.role, broken.note) == ("declared", "planner", "")
    return broken.message


def test_the_declared_refusal_gives_the_first_h2_heading_as_its_example() -> None:
    assert declared_refusal(["# Title", "### Detail", "## Scope", "## Thesis"]) == (
        "Planner did not explicitly reference any existing '##' headings. Name at least one "
        "verbatim in focus_areas, structural_changes or risk_flags, "
        'e.g. "## Scope: <change>".'
    )


def test_a_chapter_without_h2_headings_is_told_to_get_sections_not_given_an_example() -> None:
    assert declared_refusal(["# Title", "### Detail"]) == (
        "Planner did not explicitly reference any existing '##' headings. The chapter has no "
        "'## ' heading to name: give it its sections (## headings), then re-run."
    )


def test_several_undeclared_sections_are_listed_sorted_with_commas() -> None:
    old = "# T\n## Zeta\nz\n## Alpha\na\n## Mid\nm\n"
    new = "# T\n## Zeta\nZ!\n## Alpha\nA!\n## Mid\nm\n"
    broken = undeclared_violation({"## Mid"}, old, new)
    assert broken is not None
    assert (broken.gate, broken.role) == ("undeclared", "writer")
    assert broken.message == "Writer modified undeclared sections: ## Alpha, ## Zeta"
    assert broken.note == (
        "Writer modified undeclared sections: ## Alpha, ## Zeta. Undo those edits and copy those"
        " sections verbatim from the input chapter."
    )


def test_a_diff_cap_verdict_carries_the_ratio_its_refusal_shows() -> None:
    old = "# T\n## A\na\nb\nc\nd\n"
    new = "# T\n## A\nA\nb\nc\nd\n"  # 2 changed lines over 6
    plan = PlannerPlan(("## A",), (), (), "+0")
    verdict = section_gates(plan, ["# T", "## A"], old, new, 0.25)
    assert verdict.violation is not None
    assert verdict.violation.message == "Writer diff size too large (0.33 > 0.25)."
    assert verdict.ratio == 2 / 6
    assert verdict.declared == frozenset()
