"""`mypy --strict` checks an adapter against the public `LLMPort` structurally: a correct one is
accepted, one with the wrong `chat` signature is rejected (both use only `state_runner`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TYPING = Path(__file__).resolve().parents[1] / "typing"
SRC = Path(__file__).resolve().parents[2] / "src"


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(SRC), "PATH": ""},
        timeout=300,
    )


def test_an_adapter_that_fits_the_port_type_checks() -> None:
    result = mypy(TYPING / "accepted" / "echo_adapter.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_adapter_with_the_wrong_chat_signature_is_rejected() -> None:
    result = mypy(TYPING / "rejected" / "wrong_adapter.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Incompatible return value type (got "WrongAdapter", expected "LLMPort")' in (
        result.stdout
    )
    assert "wrong_adapter.py:21: error" in result.stdout
