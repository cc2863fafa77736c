"""Shared fixtures: a git-committed copy of the sample book, a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.workspace import KERNEL_ENV_VARS, Book, sample_book


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return sample_book(tmp_path / "book")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No KERNEL_LLM_* variables leak in from the machine running the tests."""
    for name in KERNEL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    yield
