"""Building blocks for validating eval YAML documents: each check returns the value or raises
`ConfigIssue` with a message phrased relative to the document's top level."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
Doc = Mapping[Any, Any]


class ConfigIssue(Exception):
    """One problem inside an eval document, phrased relative to its top level."""


def join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def as_number(value: object) -> int | float | None:
    """The value when it is an int or float (bool is not a number), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def get(doc: Doc, key: str, parent: str, check: Callable[[object, str], T], default: T) -> T:
    """`check(doc[key])` when the key is present, else the default."""
    if key not in doc:
        return default
    return check(doc[key], join(parent, key))


def section(doc: Doc, key: str, parent: str = "") -> Doc:
    """The nested mapping at `key`; empty when absent."""
    if key not in doc:
        return {}
    value = doc[key]
    if not isinstance(value, Mapping):
        raise ConfigIssue(f"{join(parent, key)} must be a mapping")
    return value


def positive_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigIssue(f"{path} must be a positive integer")
    return value


def non_negative_int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigIssue(f"{path} must be a non-negative integer")
    return value


def unit(value: object, path: str) -> float:
    """A number in [0, 1]."""
    number = as_number(value)
    if number is None or not 0 <= number <= 1:
        raise ConfigIssue(f"{path} must be a number between 0 and 1")
    return float(number)


def positive_unit(value: object, path: str) -> float:
    """A number in (0, 1] (used as a divisor)."""
    number = as_number(value)
    if number is None or not 0 < number <= 1:
        raise ConfigIssue(f"{path} must be a number greater than 0 and at most 1")
    return float(number)


def strings(value: object, path: str) -> list[str]:
    """A list of non-blank strings."""
    if not isinstance(value, list | tuple):
        raise ConfigIssue(f"{path} must be a list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ConfigIssue(f"{path}[{index}] must be a non-empty string")
    return list(value)


def patterns(value: object, path: str, flags: int = 0) -> list[str]:
    """A list of regular expressions that compile with `flags`."""
    found = strings(value, path)
    for index, pattern in enumerate(found):
        try:
            re.compile(pattern, flags)
        except (re.error, OverflowError, RecursionError) as err:
            raise ConfigIssue(f"{path}[{index}] is not a valid regular expression: {err}") from None
    return found


def bucket_names(value: object, path: str) -> Doc:
    if not isinstance(value, Mapping):
        raise ConfigIssue(f"{path} must be a mapping")
    for key in value:
        if not isinstance(key, str):
            raise ConfigIssue(f"{path} keys must be strings")
    return value


def no_strings() -> list[str]:
    return []


def no_buckets() -> dict[str, dict[str, list[str]]]:
    return {}
