"""Hypothesis material for hostile-ledger tests: JSON values, and the sample ledger mutated."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from support.workspace import SAMPLE_BOOK

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy_ = copy.deepcopy(document)
    target = copy_
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy_


PRISTINE: dict[str, Any] = json.loads((SAMPLE_BOOK / "state/ledger.json").read_text())
