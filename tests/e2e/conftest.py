"""End-to-end fixtures: the kernel in-process, and the loopback model server with a CLI env."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from state_runner.app.cli import main
from state_runner_contract.servers.model_server import ModelServer
from support.copilot_cli import process_marker, require_cli
from support.copilot_run import BYOK_KEY
from support.workspace import Book, Run


@pytest.fixture
def kernel(book: Book, capsys: pytest.CaptureFixture[str], clean_env: None) -> Run:
    """Run `state-runner kernel --root <book> ARGS` in-process; returns (code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["kernel", "--root", str(book.root), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment for a BYOK run: the CLI, a unique key, a private HOME and TMPDIR, a marker."""
    home, temp = tmp_path / "user-home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    return {
        "COPILOT_CLI_PATH": str(require_cli()),
        "COPILOT_API_KEY": BYOK_KEY,
        "HOME": str(home),
        "TMPDIR": str(temp),  # the run's private Copilot homes land here, apart from other runs
        **process_marker(),
    }
