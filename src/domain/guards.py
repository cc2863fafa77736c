"""Deterministic writer gates: headings kept, diff size, declared sections.

See docs/kernel-contract.md sections 5.3-5.6.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError
from state_runner.domain.markdown import h2_sections, heading_lines


def diff_ratio(old: str, new: str) -> float:
    """Changed lines (deleted + inserted) over max(1, old line count), capped at 1.0."""
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    changed = 0
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changed += (i2 - i1) + (j2 - j1)
    return min(1.0, changed / max(1, len(old_lines)))


def declared_sections(plan: PlannerPlan, baseline_headings: Iterable[str]) -> set[str]:
    """The baseline `## ` headings whose exact text appears in the plan's items."""
    mentions = plan.mentions()
    return {
        heading
        for heading in baseline_headings
        if heading.startswith("## ") and any(heading in item for item in mentions)
    }


def changed_sections(old: str, new: str) -> set[str]:
    """`## ` sections whose stripped body differs (or that exist on one side only)."""
    before = h2_sections(old)
    after = h2_sections(new)
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def check_headings(baseline_headings: list[str], revised: str) -> None:
    revised_headings = heading_lines(revised)
    if revised_headings != baseline_headings:
        raise KernelError(
            "Writer changed headings; this is forbidden. "
            + first_heading_difference(baseline_headings, revised_headings)
        )


def first_heading_difference(expected: list[str], found: list[str]) -> str:
    """Where two heading lists first differ, said for a person."""
    for index, (want, got) in enumerate(zip(expected, found, strict=False)):
        if want != got:
            return f"Heading {index + 1} should be {want!r}, found {got!r}."
    if len(found) < len(expected):
        return f"Missing heading {expected[len(found)]!r}."
    return f"Extra heading {found[len(expected)]!r}."


def check_diff(current: str, revised: str, cap: float) -> float:
    ratio = diff_ratio(current, revised)
    if ratio > cap:
        raise KernelError(f"Writer diff size too large ({ratio:.2f} > {cap:.2f}).")
    return ratio


def check_sections(
    plan: PlannerPlan, baseline_headings: list[str], current: str, revised: str
) -> set[str]:
    """Raise unless every changed section was declared; returns the declared set."""
    declared = declared_sections(plan, baseline_headings)
    if not declared:
        example = next((h for h in baseline_headings if h.startswith("## ")), "## Thesis")
        raise KernelError(
            "Planner did not explicitly reference any existing '##' headings. Name at least "
            "one verbatim in focus_areas, structural_changes or risk_flags, "
            f'e.g. "{example}: <change>".'
        )
    illegal = sorted(changed_sections(current, revised) - declared)
    if illegal:
        raise KernelError("Writer modified undeclared sections: " + ", ".join(illegal))
    return declared
