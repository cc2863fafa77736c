"""Building blocks of the JSON schemas the domain checks (the ledger's): value predicates and
check combinators, each problem reported as one `<where>: <problem>` line."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import TypeGuard

Check = Callable[[list[str], str, object], None]
"""Appends `"<where>: <problem>"` lines to the list for each problem found in the value."""


# --- value predicates -------------------------------------------------------------------


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_non_negative_int(value: object) -> TypeGuard[int]:
    return is_int(value) and value >= 0


def is_positive_int(value: object) -> TypeGuard[int]:
    return is_int(value) and value >= 1


def is_number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, float):
        return math.isfinite(value)
    return is_int(value)


def number_or_zero(value: object) -> int | float:
    """A numeric value for ordering; anything else (bools, NaN, text...) counts as 0."""
    return value if is_number(value) else 0


# --- check combinators ------------------------------------------------------------------


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def member(where: str, key: object) -> str:
    """`where.key`, or `where["key"]` (JSON-escaped) when the key would be unreadable."""
    text = str(key)
    if text and text.isprintable() and text == text.strip():
        return join(where, text)
    return f"{where}[{json.dumps(text)}]"


def rule(accepts: Callable[[object], bool], problem: str) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not accepts(value):
            problems.append(f"{where}: {problem}")

    return check


def one_of(*choices: str) -> Check:
    problem = f"must be one of {'|'.join(choices)}"
    return rule(lambda v: isinstance(v, str) and v in choices, problem)


def anything(problems: list[str], where: str, value: object) -> None:
    """Presence is all that is required."""


def object_of(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, dict):
            problems.append(f"{where}: must be an object")
            return
        for key, check_field in required.items():
            if key in value:
                check_field(problems, join(where, key), value[key])
            else:
                problems.append(f"{join(where, key)}: missing")
        for key, check_field in (optional or {}).items():
            if key in value:
                check_field(problems, join(where, key), value[key])

    return check


def list_of(item: Check) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, list):
            problems.append(f"{where}: must be a list")
            return
        for index, element in enumerate(value):
            item(problems, f"{where}[{index}]", element)

    return check


def non_empty_object_of(item: Check) -> Check:
    def check(problems: list[str], where: str, value: object) -> None:
        if not isinstance(value, dict) or not value:
            problems.append(f"{where}: must be a non-empty object")
            return
        for key, element in value.items():
            item(problems, member(where, key), element)

    return check
