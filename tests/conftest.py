"""Shared fixtures: a git-committed copy of the sample book, a clean environment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.workspace import KERNEL_ENV_VARS, SAMPLE_BOOK, Book, git


@pytest.fixture
def book(tmp_path: Path) -> Book:
    root = tmp_path / "book"
    shutil.copytree(SAMPLE_BOOK, root)
    git(root, "init", "-q")
    copy = Book(root)
    copy.commit_all("sample book")
    return copy


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No KERNEL_LLM_* variables leak in from the machine running the tests."""
    for name in KERNEL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    yield
