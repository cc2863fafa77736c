"""Writer gates: headings, diff ratio, declared and changed sections.

See docs/kernel-contract.md sections 5.3-5.6.
"""

from __future__ import annotations

import re

import pytest

from state_runner.domain import guards
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.markdown import h2_sections, heading_lines

CHAPTER = """# Title
intro
## Thesis
one
two
## Trade-offs
three
### Detail
four
"""


def plan(*focus: str, risks: tuple[str, ...] = ()) -> PlannerPlan:
    return PlannerPlan(tuple(focus), (), risks, "+0")


def test_heading_lines_are_all_hash_lines() -> None:
    assert heading_lines(CHAPTER) == ["# Title", "## Thesis", "## Trade-offs", "### Detail"]


def test_changed_heading_is_refused() -> None:
    revised = CHAPTER.replace("## Trade-offs", "## Tradeoffs")
    broken = guards.headings_violation(heading_lines(CHAPTER), revised)
    assert broken is not None
    assert broken.message == (
        "Writer changed headings; this is forbidden. "
        "Heading 3 should be '## Trade-offs', found '## Tradeoffs'."
    )


def test_a_missing_or_extra_heading_is_named() -> None:
    headings = heading_lines(CHAPTER)
    missing = guards.headings_violation(headings, CHAPTER.replace("### Detail\n", ""))
    assert missing is not None
    assert re.search(r"Missing heading '### Detail'\.$", missing.message)
    extra = guards.headings_violation(headings, CHAPTER + "\n## New\n")
    assert extra is not None
    assert re.search(r"Extra heading '## New'\.$", extra.message)


def test_diff_ratio_counts_deleted_plus_inserted_lines() -> None:
    # 9 old lines; replacing "one" with "uno" = 1 deletion + 1 insertion -> 2/9
    revised = CHAPTER.replace("one\n", "uno\n")
    assert guards.diff_ratio(CHAPTER, revised) == pytest.approx(2 / 9)
    # inserting two lines -> 2/9
    assert guards.diff_ratio(CHAPTER, CHAPTER + "x\ny\n") == pytest.approx(2 / 9)
    assert guards.diff_ratio(CHAPTER, CHAPTER) == 0.0


def test_diff_ratio_is_capped_and_handles_empty_old_text() -> None:
    assert guards.diff_ratio("a\n", "b\nc\nd\n") == 1.0  # 4/1 capped
    assert guards.diff_ratio("", "a\nb\n") == 1.0  # 2/max(1, 0) capped
    assert guards.diff_ratio("", "") == 0.0


def test_diff_cap_message() -> None:
    revised = CHAPTER.replace("one\n", "uno\n")  # 0.22
    broken = guards.diff_violation(guards.diff_ratio(CHAPTER, revised), 0.2)
    assert broken is not None
    assert broken.message == "Writer diff size too large (0.22 > 0.20)."
    kept = guards.section_gates(plan("## Thesis"), heading_lines(CHAPTER), CHAPTER, revised, 0.25)
    assert kept.violation is None
    assert kept.ratio == pytest.approx(2 / 9)


def test_sections_split_on_double_hash_lines_only() -> None:
    assert h2_sections(CHAPTER) == {
        "## Thesis": "one\ntwo",
        "## Trade-offs": "three\n### Detail\nfour",
    }


def test_declared_sections_need_the_exact_heading_text() -> None:
    headings = heading_lines(CHAPTER)
    assert guards.declared_sections(plan("## Thesis: tighten"), headings) == {"## Thesis"}
    assert guards.declared_sections(plan("Thesis"), headings) == set()
    assert guards.declared_sections(plan("x", risks=("see ## Trade-offs",)), headings) == {
        "## Trade-offs"
    }
    assert guards.declared_sections(plan("# Title"), headings) == set()


def test_no_declared_section_is_refused() -> None:
    broken = guards.section_gates(plan("tighten"), heading_lines(CHAPTER), CHAPTER, CHAPTER, 1.0)
    assert broken.violation is not None
    assert broken.violation.role == "planner"
    assert broken.violation.message == (
        "Planner did not explicitly reference any existing '##' headings. Name at least one "
        'verbatim in focus_areas, structural_changes or risk_flags, e.g. "## Thesis: <change>".'
    )


def test_undeclared_changes_are_listed_sorted() -> None:
    revised = CHAPTER.replace("one", "uno").replace("three", "tres")
    headings = heading_lines(CHAPTER)
    broken = guards.section_gates(plan("## Thesis"), headings, CHAPTER, revised, 1.0).violation
    assert broken is not None
    assert broken.message == "Writer modified undeclared sections: ## Trade-offs"
    revised_both = revised.replace("uno", "one")
    with_intro = [*headings, "## Intro"]
    broken = guards.undeclared_violation({"## Intro"}, CHAPTER, revised_both)
    assert guards.declared_sections(plan("## Intro"), with_intro) == {"## Intro"}
    assert broken is not None
    assert broken.message == "Writer modified undeclared sections: ## Trade-offs"


def test_whitespace_only_changes_do_not_count_as_section_changes() -> None:
    revised = CHAPTER.replace("two\n", "two\n\n")
    assert guards.changed_sections(CHAPTER, revised) == set()
    kept = guards.section_gates(plan("## Thesis"), heading_lines(CHAPTER), CHAPTER, revised, 1.0)
    assert kept.violation is None
    assert kept.declared == {"## Thesis"}
