"""Writer self-repair (LLM mode): which section gate a writer reply breaks, and the retry prompt.

The notes and the retry block are part of what the model receives, so their bytes are fixed.
"""

from __future__ import annotations

from collections.abc import Sequence

from state_runner.domain import guards
from state_runner.domain.contracts import PlannerPlan
from state_runner.domain.errors import KernelError
from state_runner.domain.roles import WRITER_FIRST_LINE

RETRY_HEADER = (
    "IMPORTANT: The previous attempt violated kernel constraints. "
    "Fix this and re-output the full chapter."
)
ALLOWLIST_HEADER = "SECTION_EDIT_ALLOWLIST (exact H2 headings you may modify):"
VERBATIM_RULE = (
    "HARD RULE: copy the body of every section not listed above verbatim from the input chapter."
)
EXHAUSTED = "Writer output violated section constraints after retries: "


def writer_gate(
    plan: PlannerPlan, baseline_headings: list[str], current: str, revised: str, cap: float
) -> guards.Violation | None:
    """The first section gate `revised` breaks, or None when it passes.

    The gates and their order are `guards.section_gates`, as in validation. A plan that declares
    no section is the planner's fault, not the writer's: that raises the planner's `KernelError`.
    """
    broken = guards.section_gates(plan, baseline_headings, current, revised, cap).violation
    if broken is not None and broken.role == "planner":
        raise KernelError(broken.message)
    return broken


def writer_violation(
    plan: PlannerPlan, baseline_headings: list[str], current: str, revised: str, cap: float
) -> str | None:
    """The repair note for the first section gate `revised` breaks, or None when it passes."""
    broken = writer_gate(plan, baseline_headings, current, revised, cap)
    return None if broken is None else broken.note


def exhausted(broken: guards.Violation) -> str:
    """The refusal once no retry is left: the gate's own refusal, which names the heading, the
    sections or the ratio at fault as it does for a person's `writer.md`."""
    return EXHAUSTED + broken.message


def allowed_sections(plan: PlannerPlan, baseline_headings: list[str]) -> list[str]:
    """The declared `## ` headings in chapter order."""
    declared = guards.declared_sections(plan, baseline_headings)
    return [heading for heading in baseline_headings if heading in declared]


def retry_user_text(first_attempt: str, note: str, allowed: Sequence[str]) -> str:
    """The first attempt's user text with the violation block before it and, after its first
    line, the section allowlist and the verbatim rule."""
    rest = first_attempt.removeprefix(WRITER_FIRST_LINE + "\n")
    allowlist = "".join(f"- {heading}\n" for heading in allowed)
    return (
        f"{RETRY_HEADER}\nViolation: {note}\n\n"
        f"{WRITER_FIRST_LINE}\n{ALLOWLIST_HEADER}\n{allowlist}{VERBATIM_RULE}\n{rest}"
    )
