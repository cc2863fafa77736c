"""Governance rules the kernel and `governance` share: one home for each.

- The immutable governance files.
- Which chapters may be refined (status not locked/hold, lifecycle not frozen).
- How many consecutive passes promote a draft to `refined` (the ledger's lifecycle rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from state_runner.domain.errors import KernelError

GOVERNANCE_FILES = ("AGENTS.md", "CONSTITUTION.md")
INELIGIBLE_STATUSES = ("locked", "hold")
FROZEN = "frozen"
DEFAULT_REQUIRED_PASSES = 2
PROMOTION_RULE_PATH = (
    "chapter_lifecycle_rules",
    "transitions",
    "draft_to_refined",
    "required_consecutive_passes",
)


def ineligibility(chapter: Mapping[str, Any]) -> str | None:
    """Why the chapter may not be refined (the kernel's refusal message), or None."""
    status = chapter.get("status")
    if status in INELIGIBLE_STATUSES:
        return f"Chapter is not eligible (status={status!r})."
    if chapter.get("lifecycle") == FROZEN:
        return "Chapter is frozen."
    return None


def unknown_chapter(chapter_id: str, chapters: Mapping[str, object]) -> str:
    """The refusal for an id the ledger lacks, listing the ids it has."""
    known = ", ".join(sorted(chapters)) or "none"
    return f"Unknown chapter_id: {chapter_id} (the ledger has: {known})"


def is_eligible(chapter: Mapping[str, Any]) -> bool:
    return ineligibility(chapter) is None


def _is_positive_int(value: object) -> TypeGuard[int]:
    return type(value) is int and value >= 1


def required_consecutive_passes(ledger: object) -> int:
    """`chapter_lifecycle_rules.transitions.draft_to_refined.required_consecutive_passes`.

    2 when the rule is absent; `KernelError` when a level is not an object or the value is not
    a positive integer.
    """
    node: object = ledger
    path: list[str] = []
    for key in PROMOTION_RULE_PATH:
        if not isinstance(node, dict):
            where = ".".join(path) or "top level"
            raise KernelError(f"Invalid ledger: {where} must be a JSON object")
        if key not in node:
            return DEFAULT_REQUIRED_PASSES
        node = node[key]
        path.append(key)
    if not _is_positive_int(node):
        raise KernelError(f"Invalid ledger: {'.'.join(path)} must be a positive integer")
    return node


def promotion_due(consecutive_passes: float, required: int) -> bool:
    """A chapter that passed this iteration is promoted once its streak reaches `required`."""
    return consecutive_passes >= required
