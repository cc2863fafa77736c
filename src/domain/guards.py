"""The section gates, each written once: headings kept, diff cap, declared and undeclared sections.

One verdict (`section_gates`) serves both the refusals (domain.judging) and the writer's
self-repair notes (domain.repair). See docs/kernel-contract.md sections 5.3-5.6 and 9.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from state_runner.domain.contracts import PlannerPlan
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


HEADINGS_NOTE = (
    "Writer changed headings; restore the original heading structure and ordering exactly."
)


@dataclass(frozen=True)
class Violation:
    """A section gate a revision breaks: which one, whose fault, the refusal and the repair note."""

    gate: str  # "headings", "diff", "declared" or "undeclared", in the contract's order
    role: str  # the output at fault: "planner" when the plan declares no section, else "writer"
    message: str  # the refusal (kernel contract section 5)
    note: str = ""  # what the writer is told on a retry ("" when the writer cannot repair it)


@dataclass(frozen=True)
class GateVerdict:
    """The section gates' verdict on one revision: the first gate broken, or the figures kept."""

    violation: Violation | None
    ratio: float = 0.0
    declared: frozenset[str] = frozenset()


def first_heading_difference(expected: list[str], found: list[str]) -> str:
    """Where two heading lists first differ, said for a person."""
    for index, (want, got) in enumerate(zip(expected, found, strict=False)):
        if want != got:
            return f"Heading {index + 1} should be {want!r}, found {got!r}."
    if len(found) < len(expected):
        return f"Missing heading {expected[len(found)]!r}."
    return f"Extra heading {found[len(expected)]!r}."


def headings_violation(baseline_headings: list[str], revised: str) -> Violation | None:
    """Gate 5.3: every heading line survives unchanged and in order."""
    revised_headings = heading_lines(revised)
    if revised_headings == baseline_headings:
        return None
    difference = first_heading_difference(baseline_headings, revised_headings)
    message = "Writer changed headings; this is forbidden. " + difference
    return Violation("headings", "writer", message, HEADINGS_NOTE)


def diff_note(ratio: float, cap: float) -> str:
    return f"Writer diff size too large; keep edits smaller. diff_ratio={ratio:.2f} limit={cap:.2f}"


def diff_violation(ratio: float, cap: float) -> Violation | None:
    """Gate 5.4: the diff ratio is at most the cap."""
    if ratio <= cap:
        return None
    message = f"Writer diff size too large ({ratio:.2f} > {cap:.2f})."
    return Violation("diff", "writer", message, diff_note(ratio, cap))


NO_SECTIONS = (
    "The chapter has no '## ' heading to name: give it its sections (## headings), then re-run."
)


def declared_violation(declared: set[str], baseline_headings: list[str]) -> Violation | None:
    """Gate 5.5: the plan names at least one existing `## ` heading (else the planner's fault)."""
    if declared:
        return None
    example = next((h for h in baseline_headings if h.startswith("## ")), None)
    message = "Planner did not explicitly reference any existing '##' headings. "
    if example is None:
        message += NO_SECTIONS
    else:
        message += (
            "Name at least one verbatim in focus_areas, structural_changes or risk_flags, "
            f'e.g. "{example}: <change>".'
        )
    return Violation("declared", "planner", message)


def undeclared_note(sections: Sequence[str]) -> str:
    return (
        f"Writer modified undeclared sections: {', '.join(sections)}. "
        "Undo those edits and copy those sections verbatim from the input chapter."
    )


def undeclared_violation(declared: set[str], current: str, revised: str) -> Violation | None:
    """Gate 5.6: every changed `## ` section was declared (listed sorted)."""
    illegal = sorted(changed_sections(current, revised) - declared)
    if not illegal:
        return None
    message = "Writer modified undeclared sections: " + ", ".join(illegal)
    return Violation("undeclared", "writer", message, undeclared_note(illegal))


def section_gates(
    plan: PlannerPlan, baseline_headings: list[str], current: str, revised: str, cap: float
) -> GateVerdict:
    """The first section gate `revised` breaks, in the contract's order, or its ratio and
    declared sections when it passes them all."""
    broken = headings_violation(baseline_headings, revised)
    if broken is not None:
        return GateVerdict(broken)
    ratio = diff_ratio(current, revised)
    broken = diff_violation(ratio, cap)
    if broken is not None:
        return GateVerdict(broken, ratio)
    declared = declared_sections(plan, baseline_headings)
    broken = declared_violation(declared, baseline_headings) or undeclared_violation(
        declared, current, revised
    )
    return GateVerdict(broken, ratio, frozenset(declared))
