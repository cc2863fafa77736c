"""Hypothesis material for hostile-ledger tests: JSON values, and the sample ledger mutated."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
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


def write_mutated_ledger(root: Path, data: st.DataObject) -> str:
    """Write the sample ledger with one to three values replaced (the logs and role I/O of the
    book removed, so only the ledger speaks); returns the chapter id drawn for the run."""
    cid: str = data.draw(st.sampled_from(sorted(PRISTINE["chapters"])), label="chapter")
    document: Any = PRISTINE
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(paths_of(document)), label="path")
        document = replaced(document, path, data.draw(json_values, label="value"))
    for folder in ("state/role_io", "state/ledger", "state/metrics"):
        shutil.rmtree(root / folder, ignore_errors=True)
    (root / "state/ledger.json").write_text(json.dumps(document))
    return cid
