"""Ledger v2 validation: a small schema of checks that reports every problem as one line.

`validate_ledger` accepts any value and never raises; `governance validate` prints what it finds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import TypeGuard

from state_runner.domain.errors import KernelError
from state_runner.domain.ledger_checks import check_file_name
from state_runner.domain.rules import GOVERNANCE_FILES

LEDGER_VERSION = 2
STATUSES = ("active_refinement", "locked", "hold")
LIFECYCLES = ("draft", "refined", "approved", "frozen")
VALIDATION_STATUSES = ("untested", "validated", "falsified")

Check = Callable[[list[str], str, object], None]
"""Appends `"<where>: <problem>"` lines to the list for each problem found in the value."""


# --- value predicates -------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_non_negative_int(value: object) -> TypeGuard[int]:
    return _is_int(value) and value >= 0


def _is_positive_int(value: object) -> TypeGuard[int]:
    return _is_int(value) and value >= 1


def _is_number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, float):
        return math.isfinite(value)
    return _is_int(value)


def number_or_zero(value: object) -> int | float:
    """A numeric value for ordering; anything else (bools, NaN, text...) counts as 0."""
    return value if _is_number(value) else 0


# --- check combinators ------------------------------------------------------------------


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def member(where: str, key: object) -> str:
    """`where.key`, or `where["key"]` (JSON-escaped) when the key would be unreadable."""
    text = str(key)
    if text and text.isprintable() and text == text.strip():
        return _join(where, text)
    return f"{where}[{json.dumps(text)}]"


def _rule(accepts: Callable[[object], bool], problem: str) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not accepts(value):
            problems.append(f"{where}: {problem}")

    return check


def _one_of(*choices: str) -> Check:
    problem = f"must be one of {'|'.join(choices)}"
    return _rule(lambda v: isinstance(v, str) and v in choices, problem)


def _anything(problems: list[str], where: str, value: object) -> None:
    """Presence is all that is required."""


def _object_of(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, dict):
            problems.append(f"{where}: must be an object")
            return
        for key, check_field in required.items():
            if key in value:
                check_field(problems, _join(where, key), value[key])
            else:
                problems.append(f"{_join(where, key)}: missing")
        for key, check_field in (optional or {}).items():
            if key in value:
                check_field(problems, _join(where, key), value[key])

    return check


def _list_of(item: Check) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, list):
            problems.append(f"{where}: must be a list")
            return
        for index, element in enumerate(value):
            item(problems, f"{where}[{index}]", element)

    return check


def _non_empty_object_of(item: Check) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, dict) or not value:
            problems.append(f"{where}: must be a non-empty object")
            return
        for key, element in value.items():
            item(problems, member(where, key), element)

    return check


# --- ledger v2 schema -------------------------------------------------------------------
# Built by functions when `validate_ledger` runs (not once at import), so each rule runs the
# builders' code on every validation: that costs microseconds and lets a test of a rule reach
# every line that states it.


def _string() -> Check:
    return _rule(lambda v: isinstance(v, str), "must be a string")


def _non_empty_string() -> Check:
    return _rule(lambda v: isinstance(v, str) and v != "", "must be a non-empty string")


def _string_or_null() -> Check:
    return _rule(lambda v: v is None or isinstance(v, str), "must be a string or null")


def _object() -> Check:
    return _rule(lambda v: isinstance(v, dict), "must be an object")


def _object_or_null() -> Check:
    return _rule(lambda v: v is None or isinstance(v, dict), "must be an object or null")


def _boolean() -> Check:
    return _rule(lambda v: isinstance(v, bool), "must be a boolean")


def _number() -> Check:
    return _rule(_is_number, "must be a number")


def _non_negative_int() -> Check:
    return _rule(_is_non_negative_int, "must be a non-negative integer")


def _positive_int() -> Check:
    return _rule(_is_positive_int, "must be a positive integer")


def _version() -> Check:
    return _rule(lambda v: _is_int(v) and v == LEDGER_VERSION, f"must be {LEDGER_VERSION}")


def _lifecycle_rules() -> Check:
    promotion = _object_of({}, {"required_consecutive_passes": _positive_int()})
    return _object_of(
        {},
        {
            "states": _list_of(_string()),
            "transitions": _object_of({}, {"draft_to_refined": promotion}),
        },
    )


def _selection_strategy() -> Check:
    return _object_of({}, {"lifecycle_priority": _list_of(_string())})


def _chapter_log_entry() -> Check:
    return _object_of(
        {
            "iteration": _non_negative_int(),
            "planner_focus": _anything,
            "critic_score": _number(),
            "drift_score": _number(),
            "diff_size": _number(),
        }
    )


def _quality_metrics() -> Check:
    return _object_of(
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
        "stability": _object_of(
            {
                "consecutive_passes": _non_negative_int(),
                "last_modified_iteration": _non_negative_int(),
                "frozen_candidate": _boolean(),
            }
        ),
        "research": _object_of(
            {
                "hypothesis": _string(),
                "falsifiable": _boolean(),
                "validation_status": _one_of(*VALIDATION_STATUSES),
            }
        ),
        "human_validation": _object_of(
            {
                "approved": _boolean(),
                "approved_by": _string_or_null(),
                "approved_at": _string_or_null(),
            }
        ),
        "iteration_log": _list_of(_chapter_log_entry()),
    }


def _chapter() -> Check:
    return _object_of(
        {
            "path": _non_empty_string(),
            "status": _one_of(*STATUSES),
            "lifecycle": _one_of(*LIFECYCLES),
            "current_iteration": _non_negative_int(),
            "revision_count": _non_negative_int(),
            "last_eval": _object_or_null(),
            "quality_metrics": _quality_metrics(),
            **_chapter_records(),
        },
        # the original format's; never written by the kernel
        {"drift_history": _list_of(_anything)},
    )


def _repo_log_entry() -> Check:
    return _object_of(
        {
            "iteration": _non_negative_int(),
            "timestamp": _string(),
            "agent_task": _string(),
            "inputs": _object_of({"changed_files": _list_of(_string())}),
            "scope": _object_of(
                {
                    "chapters_modified": _anything,
                    "patterns_modified": _anything,
                    "governance_modified": _boolean(),
                }
            ),
            "resource_usage": _object_of(
                {
                    "prompt_tokens": _non_negative_int(),
                    "completion_tokens": _non_negative_int(),
                    "eval_runtime_ms": _non_negative_int(),
                }
            ),
            "evals": _anything,
            "outcome": _object(),
            "artifacts": _object(),
        }
    )


def _ledger_schema() -> Check:
    return _object_of(
        {
            "version": _version(),
            "chapter_lifecycle_rules": _lifecycle_rules(),
            "chapter_selection_strategy": _selection_strategy(),
            "chapters": _non_empty_object_of(_chapter()),
            "repo_iteration_log": _list_of(_repo_log_entry()),
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
    if not (_is_int(iteration) and iteration == 1):
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
