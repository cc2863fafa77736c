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


_STRING = _rule(lambda v: isinstance(v, str), "must be a string")
_NON_EMPTY_STRING = _rule(lambda v: isinstance(v, str) and v != "", "must be a non-empty string")
_STRING_OR_NULL = _rule(lambda v: v is None or isinstance(v, str), "must be a string or null")
_OBJECT = _rule(lambda v: isinstance(v, dict), "must be an object")
_OBJECT_OR_NULL = _rule(lambda v: v is None or isinstance(v, dict), "must be an object or null")
_BOOLEAN = _rule(lambda v: isinstance(v, bool), "must be a boolean")
_NUMBER = _rule(_is_number, "must be a number")
_NON_NEGATIVE_INT = _rule(_is_non_negative_int, "must be a non-negative integer")
_POSITIVE_INT = _rule(_is_positive_int, "must be a positive integer")
_VERSION = _rule(lambda v: _is_int(v) and v == LEDGER_VERSION, f"must be {LEDGER_VERSION}")


# --- ledger v2 schema -------------------------------------------------------------------

_LIFECYCLE_RULES = _object_of(
    {},
    {
        "states": _list_of(_STRING),
        "transitions": _object_of(
            {}, {"draft_to_refined": _object_of({}, {"required_consecutive_passes": _POSITIVE_INT})}
        ),
    },
)

_SELECTION_STRATEGY = _object_of({}, {"lifecycle_priority": _list_of(_STRING)})

_CHAPTER_LOG_ENTRY = _object_of(
    {
        "iteration": _NON_NEGATIVE_INT,
        "planner_focus": _anything,
        "critic_score": _NUMBER,
        "drift_score": _NUMBER,
        "diff_size": _NUMBER,
    }
)

_CHAPTER = _object_of(
    {
        "path": _NON_EMPTY_STRING,
        "status": _one_of(*STATUSES),
        "lifecycle": _one_of(*LIFECYCLES),
        "current_iteration": _NON_NEGATIVE_INT,
        "revision_count": _NON_NEGATIVE_INT,
        "last_eval": _OBJECT_OR_NULL,
        "quality_metrics": _object_of(
            {
                "structure_score": _NUMBER,
                "clarity_score": _NUMBER,
                "example_density": _NUMBER,
                "tradeoff_presence": _BOOLEAN,
                "failure_mode_presence": _BOOLEAN,
                "drift_score": _NUMBER,
            }
        ),
        "stability": _object_of(
            {
                "consecutive_passes": _NON_NEGATIVE_INT,
                "last_modified_iteration": _NON_NEGATIVE_INT,
                "frozen_candidate": _BOOLEAN,
            }
        ),
        "research": _object_of(
            {
                "hypothesis": _STRING,
                "falsifiable": _BOOLEAN,
                "validation_status": _one_of(*VALIDATION_STATUSES),
            }
        ),
        "human_validation": _object_of(
            {"approved": _BOOLEAN, "approved_by": _STRING_OR_NULL, "approved_at": _STRING_OR_NULL}
        ),
        "iteration_log": _list_of(_CHAPTER_LOG_ENTRY),
    },
    {"drift_history": _list_of(_anything)},  # the original format's; never written by the kernel
)

_REPO_LOG_ENTRY = _object_of(
    {
        "iteration": _NON_NEGATIVE_INT,
        "timestamp": _STRING,
        "agent_task": _STRING,
        "inputs": _object_of({"changed_files": _list_of(_STRING)}),
        "scope": _object_of(
            {
                "chapters_modified": _anything,
                "patterns_modified": _anything,
                "governance_modified": _BOOLEAN,
            }
        ),
        "resource_usage": _object_of(
            {
                "prompt_tokens": _NON_NEGATIVE_INT,
                "completion_tokens": _NON_NEGATIVE_INT,
                "eval_runtime_ms": _NON_NEGATIVE_INT,
            }
        ),
        "evals": _anything,
        "outcome": _OBJECT,
        "artifacts": _OBJECT,
    }
)

_LEDGER = _object_of(
    {
        "version": _VERSION,
        "chapter_lifecycle_rules": _LIFECYCLE_RULES,
        "chapter_selection_strategy": _SELECTION_STRATEGY,
        "chapters": _non_empty_object_of(_CHAPTER),
        "repo_iteration_log": _list_of(_REPO_LOG_ENTRY),
    }
)


# --- validation -------------------------------------------------------------------------


def validate_ledger(ledger: object) -> list[str]:
    """Every problem of a v2 ledger as a one-line message; empty when the ledger is valid."""
    if not isinstance(ledger, dict):
        return ["ledger: must be a JSON object"]
    problems: list[str] = []
    _LEDGER(problems, "", ledger)
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
