"""JSON parsing that refuses duplicate keys: a repeated key would be silently dropped the next
time the file is rewritten, so every JSON reader of the state and of role outputs uses this."""

from __future__ import annotations

import json
from typing import Any


class DuplicateKeyError(ValueError):
    """An object of the document holds the same key twice."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"duplicate key {json.dumps(key)}")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def loads(text: str) -> Any:
    """`json.loads` that raises `DuplicateKeyError` (a `ValueError`) for a repeated key;
    other errors are those of `json.loads`."""
    return json.loads(text, object_pairs_hook=_unique_pairs)
