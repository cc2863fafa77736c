"""Reading values out of JSON the user's files hold, where any field may be missing or of another
type: a wrong type reads as absent (the `governance validate` command reports it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def mapping(value: object) -> Mapping[str, Any]:
    """`value` when it is an object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def count(value: object) -> int:
    """`value` when it is an int (not a bool), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def number(value: object) -> float | None:
    """`value` as a float when it is an int or float (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
