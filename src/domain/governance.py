"""Ledger v2 governance: next-chapter selection, promotions and status changes (and validation,
from `domain.ledger_schema`).

Every function accepts any value as the ledger: validation reports problems as one-line
messages, the others raise `KernelError` for a malformed ledger and never anything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from state_runner.domain.errors import KernelError
from state_runner.domain.json_schema_checks import member, number_or_zero
from state_runner.domain.ledger_schema import (
    LEDGER_VERSION,
    LIFECYCLES,
    STATUSES,
    VALIDATION_STATUSES,
    validate_ledger,
)
from state_runner.domain.ports import Workspace
from state_runner.domain.rules import (
    is_eligible,
    promotion_due,
    required_consecutive_passes,
    unknown_chapter,
)

__all__ = [
    "LEDGER_VERSION",
    "LIFECYCLES",
    "STATUSES",
    "VALIDATION_STATUSES",
    "apply_promotions",
    "ledger_problems",
    "pending_promotions",
    "required_consecutive_passes",
    "select_next_chapter",
    "set_status",
    "validate_ledger",
]

_STATUS_PHRASES = {"hold": "on hold", "locked": "locked", "active_refinement": "active"}


# --- validation -------------------------------------------------------------------------


def ledger_problems(ledger: object, workspace: Workspace) -> list[str]:
    """Every problem of the ledger, one line each: the v2 schema, then each chapter's path as the
    workspace resolves it. `governance validate` reports these; the kernel refuses to run on them.
    """
    problems = validate_ledger(ledger)
    chapters = ledger.get("chapters") if isinstance(ledger, dict) else None
    for chapter_id, chapter in chapters.items() if isinstance(chapters, dict) else ():
        path = chapter.get("path") if isinstance(chapter, dict) else None
        if not isinstance(path, str) or path == "":
            continue  # the schema reports it
        try:
            workspace.resolve_chapter_path(path)
        except KernelError as exc:
            problems.append(f"{member(member('chapters', chapter_id), 'path')}: {exc.message}")
    return problems


# --- selection --------------------------------------------------------------------------


def select_next_chapter(ledger: object) -> str:
    """The chapter to refine next (contract section 9); `KernelError` when none is eligible."""
    chapters = _chapters(ledger)
    priority = _lifecycle_priority(ledger)
    eligible = [(cid, chapter) for cid, chapter in chapters.items() if is_eligible(chapter)]
    if not eligible:
        raise KernelError("No eligible chapters (all locked, frozen or on hold)")
    return min(eligible, key=lambda item: _selection_key(item[0], item[1], priority))[0]


def _lifecycle_priority(ledger: object) -> list[str]:
    strategy = ledger.get("chapter_selection_strategy") if isinstance(ledger, dict) else None
    priority = strategy.get("lifecycle_priority") if isinstance(strategy, dict) else None
    if isinstance(priority, list) and priority and all(isinstance(p, str) for p in priority):
        return priority
    return list(LIFECYCLES)


def _selection_key(
    chapter_id: str, chapter: Mapping[str, Any], priority: Sequence[str]
) -> tuple[int, int | float, int | float, int | float, str]:
    """Lifecycle rank, lowest structure score, highest drift, oldest modification, id."""
    lifecycle = chapter.get("lifecycle")
    rank = priority.index(lifecycle) if lifecycle in priority else len(priority)
    metrics = _sub_object(chapter, "quality_metrics")
    stability = _sub_object(chapter, "stability")
    return (
        rank,
        number_or_zero(metrics.get("structure_score")),
        -number_or_zero(metrics.get("drift_score")),
        number_or_zero(stability.get("last_modified_iteration")),
        chapter_id,
    )


# --- promotions -------------------------------------------------------------------------


def pending_promotions(ledger: object) -> list[str]:
    """Draft chapters whose consecutive passes reach the draft -> refined requirement."""
    chapters = _chapters(ledger)
    required = required_consecutive_passes(ledger)
    return sorted(
        chapter_id
        for chapter_id, chapter in chapters.items()
        if chapter.get("lifecycle") == "draft"
        and promotion_due(_consecutive_passes(chapter), required)
    )


def apply_promotions(ledger: object) -> list[str]:
    """Set every pending promotion's lifecycle to `refined` in place; returns their ids."""
    chapters = _chapters(ledger)
    promoted = pending_promotions(ledger)
    for chapter_id in promoted:
        chapters[chapter_id]["lifecycle"] = "refined"
    return promoted


def _consecutive_passes(chapter: Mapping[str, Any]) -> int | float:
    return number_or_zero(_sub_object(chapter, "stability").get("consecutive_passes"))


# --- status changes ---------------------------------------------------------------------


def set_status(
    ledger: object, chapter_ids: Sequence[str], status: str, *, only_from: str | None
) -> list[str]:
    """Set `status` on every chapter (all checked before any change); returns the ids."""
    if status not in STATUSES:
        raise KernelError(f"Invalid status: {status!r} (allowed: {', '.join(STATUSES)})")
    chapters = _chapters(ledger)
    ids = list(dict.fromkeys(chapter_ids))
    if not ids:
        raise KernelError("No chapter ids given")
    for chapter_id in ids:
        _check_current_status(chapters, chapter_id, only_from)
    for chapter_id in ids:
        chapters[chapter_id]["status"] = status
    return ids


def _check_current_status(
    chapters: Mapping[str, Mapping[str, Any]], chapter_id: str, only_from: str | None
) -> None:
    if chapter_id not in chapters:
        raise KernelError(unknown_chapter(chapter_id, chapters))
    current = chapters[chapter_id].get("status")
    if only_from is not None and current != only_from:
        phrase = _STATUS_PHRASES.get(only_from, only_from)
        raise KernelError(f"Chapter {chapter_id} is not {phrase} (status='{current}')")


# --- shared access ----------------------------------------------------------------------


def _chapters(ledger: object) -> dict[str, dict[str, Any]]:
    """`ledger.chapters`, checked to be an object of objects keyed by string ids."""
    if not isinstance(ledger, dict):
        raise KernelError("Invalid ledger: top level must be a JSON object")
    chapters = ledger.get("chapters")
    if not isinstance(chapters, dict):
        raise KernelError("Invalid ledger: chapters must be a JSON object")
    for chapter_id, chapter in chapters.items():
        if not isinstance(chapter_id, str) or not isinstance(chapter, dict):
            where = member("chapters", chapter_id)
            raise KernelError(f"Invalid ledger: {where} must be a JSON object")
    return chapters


def _sub_object(chapter: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = chapter.get(key)
    return value if isinstance(value, dict) else {}
