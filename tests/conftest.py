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


@pytest.fixture(autouse=True)
def private_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the saved settings of the person running the tests: the user's config
    file (`$XDG_CONFIG_HOME/state-runner/config.toml`) is looked for in an empty folder, in this
    process and in every command it starts. A test that needs one sets its own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("user-config")))
