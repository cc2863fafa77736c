"""A run reads each eval file once: its text is parsed and shown to the critic as read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from state_runner.adapters.files.workspace import FsWorkspace
from state_runner.domain.errors import KernelError
from state_runner.domain.preflight import read_eval_configs, read_evals
from state_runner.domain.roles import EVAL_NAMES


class CountingWorkspace(FsWorkspace):
    """A workspace on disk that counts how often each file is read."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: Counter[str] = Counter()

    def read_text(self, rel_path: str) -> str:
        self.reads[rel_path] += 1
        return super().read_text(rel_path)


def book(root: Path, style_guard: str = "version: 1\n") -> CountingWorkspace:
    (root / "evals").mkdir(parents=True)
    for name in EVAL_NAMES:
        text = style_guard if name == "style-guard" else "version: 1\n"
        (root / f"evals/{name}.yaml").write_text(text, encoding="utf-8")
    return CountingWorkspace(root)


def test_each_eval_file_is_read_once_and_its_text_kept(tmp_path: Path) -> None:
    workspace = book(tmp_path, "version: 1\n# the critic sees this comment\n")
    configs, texts = read_evals(workspace)
    assert workspace.reads == Counter({f"evals/{name}.yaml": 1 for name in EVAL_NAMES})
    assert texts["style-guard"] == "version: 1\n# the critic sees this comment\n"
    assert configs == read_eval_configs(book(tmp_path / "again"))


def test_an_unparsable_eval_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(KernelError) as info:
        read_evals(book(tmp_path, "a: [unclosed\n"))
    assert info.value.message.startswith(f"Invalid YAML: {tmp_path / 'evals/style-guard.yaml'}: ")
