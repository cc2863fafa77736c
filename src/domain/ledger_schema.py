"""Ledger v2 validation: a small schema of checks that reports every problem as one line.

`validate_ledger` accepts any value and never raises; `governance validate` prints what it finds.
"""

from __future__ import annotations

from state_runner.domain.errors import KernelError
from state_runner.domain.json_schema_checks import (
    Check,
    anything,
    is_int,
    is_non_negative_int,
    is_number,
    is_positive_int,
    list_of,
    member,
    non_empty_object_of,
    object_of,
    one_of,
    rule,
)
from state_runner.domain.ledger_checks import check_file_name
from state_runner.domain.rules import GOVERNANCE_FILES

LEDGER_VERSION = 2
STATUSES = ("active_refinement", "locked", "hold")
LIFECYCLES = ("draft", "refined", "approved", "frozen")
VALIDATION_STATUSES = ("untested", "validated", "falsified")

# --- ledger v2 schema -------------------------------------------------------------------
# Built by functions when `validate_ledger` runs (not once at import), so each rule runs the
# builders' code on every validation: that costs microseconds and lets a test of a rule reach
# every line that states it.


def _string() -> Check:
    return rule(lambda v: isinstance(v, str), "must be a string")


def _non_empty_string() -> Check:
    return rule(lambda v: isinstance(v, str) and v != "", "must be a non-empty string")


def _string_or_null() -> Check:
    return rule(lambda v: v is None or isinstance(v, str), "must be a string or null")


def _object() -> Check:
    return rule(lambda v: isinstance(v, dict), "must be an object")


def _object_or_null() -> Check:
    return rule(lambda v: v is None or isinstance(v, dict), "must be an object or null")


def _boolean() -> Check:
    return rule(lambda v: isinstance(v, bool), "must be a boolean")


def _number() -> Check:
    return rule(is_number, "must be a number")


def _non_negative_int() -> Check:
    return rule(is_non_negative_int, "must be a non-negative integer")


def _positive_int() -> Check:
    return rule(is_positive_int, "must be a positive integer")


def _version() -> Check:
    return rule(lambda v: is_int(v) and v == LEDGER_VERSION, f"must be {LEDGER_VERSION}")


def _lifecycle_rules() -> Check:
    promotion = object_of({}, {"required_consecutive_passes": _positive_int()})
    return object_of(
        {},
        {
            "states": list_of(_string()),
            "transitions": object_of({}, {"draft_to_refined": promotion}),
        },
    )


def _selection_strategy() -> Check:
    return object_of({}, {"lifecycle_priority": list_of(_string())})


def _chapter_log_entry() -> Check:
    return object_of(
        {
            "iteration": _non_negative_int(),
            "planner_focus": anything,
            "critic_score": _number(),
            "drift_score": _number(),
            "diff_size": _number(),
        }
    )


def _quality_metrics() -> Check:
    return object_of(
        {
            "structure_score": _number(),
            "clarity_score": _number(),
            "example_density": _number(),
            "tradeoff_presence": _boolean(),
            "failure_mode_presence": _boolean(),
            "drift_score": _number(),
        }
    )


def _chapter_records() -> dict[str, Check]:
    """The chapter's nested records: stability, research, human validation, its log."""
    return {
        "stability": object_of(
            {
                "consecutive_passes": _non_negative_int(),
                "last_modified_iteration": _non_negative_int(),
                "frozen_candidate": _boolean(),
            }
        ),
        "research": object_of(
            {
                "hypothesis": _string(),
                "falsifiable": _boolean(),
                "validation_status": one_of(*VALIDATION_STATUSES),
            }
        ),
        "human_validation": object_of(
            {
                "approved": _boolean(),
                "approved_by": _string_or_null(),
                "approved_at": _string_or_null(),
            }
        ),
        "iteration_log": list_of(_chapter_log_entry()),
    }


def _chapter() -> Check:
    return object_of(
        {
            "path": _non_empty_string(),
            "status": one_of(*STATUSES),
            "lifecycle": one_of(*LIFECYCLES),
            "current_iteration": _non_negative_int(),
            "revision_count": _non_negative_int(),
            "last_eval": _object_or_null(),
            "quality_metrics": _quality_metrics(),
            **_chapter_records(),
        },
        # the original format's; never written by the kernel
        {"drift_history": list_of(anything)},
    )


def _repo_log_entry() -> Check:
    return object_of(
        {
            "iteration": _non_negative_int(),
            "timestamp": _string(),
            "agent_task": _string(),
            "inputs": object_of({"changed_files": list_of(_string())}),
            "scope": object_of(
                {
                    "chapters_modified": anything,
                    "patterns_modified": anything,
                    "governance_modified": _boolean(),
                }
            ),
            "resource_usage": object_of(
                {
                    "prompt_tokens": _non_negative_int(),
                    "completion_tokens": _non_negative_int(),
                    "eval_runtime_ms": _non_negative_int(),
                }
            ),
            "evals": anything,
            "outcome": _object(),
            "artifacts": _object(),
        }
    )


def _ledger_schema() -> Check:
    return object_of(
        {
            "version": _version(),
            "chapter_lifecycle_rules": _lifecycle_rules(),
            "chapter_selection_strategy": _selection_strategy(),
            "chapters": non_empty_object_of(_chapter()),
            "repo_iteration_log": list_of(_repo_log_entry()),
        }
    )


# --- validation -------------------------------------------------------------------------


def validate_ledger(ledger: object) -> list[str]:
    """Every problem of a v2 ledger as a one-line message; empty when the ledger is valid."""
    if not isinstance(ledger, dict):
        return ["ledger: must be a JSON object"]
    problems: list[str] = []
    _ledger_schema()(problems, "", ledger)
    chapters = ledger.get("chapters")
    for chapter_id in chapters if isinstance(chapters, dict) else ():
        if not _is_file_name(chapter_id):
            problems.append(f"{member('chapters', chapter_id)}: unsafe chapter id for a file name")
    log = ledger.get("repo_iteration_log")
    if isinstance(log, list):
        for index, entry in enumerate(log):
            _check_governance_change(problems, f"repo_iteration_log[{index}]", entry)
    return problems


def _is_file_name(chapter_id: str) -> bool:
    try:
        check_file_name(chapter_id)
    except KernelError:
        return False
    return True


def _check_governance_change(problems: list[str], where: str, entry: object) -> None:
    """Governance files may change only at iteration 1, and that entry must flag it."""
    touched = _governance_files_in(entry)
    if not touched or not isinstance(entry, dict):
        return
    names = ", ".join(touched)
    iteration = entry.get("iteration")
    if not (is_int(iteration) and iteration == 1):
        problems.append(
            f"{where}.inputs.changed_files: governance files may only change at iteration 1"
            f" ({names})"
        )
    scope = entry.get("scope")
    if not (isinstance(scope, dict) and scope.get("governance_modified") is True):
        problems.append(
            f"{where}.scope.governance_modified: must be true when governance files change"
            f" ({names})"
        )


def _governance_files_in(entry: object) -> list[str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("inputs"), dict):
        return []
    changed = entry["inputs"].get("changed_files")
    if not isinstance(changed, list):
        return []
    names = {_strip_dot_slash(item) for item in changed if isinstance(item, str)}
    return [name for name in GOVERNANCE_FILES if name in names]


def _strip_dot_slash(path: str) -> str:
    return path[2:] if path.startswith("./") else path
