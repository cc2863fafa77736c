"""Test support: a git-committed copy of the sample book and CLI runners."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_BOOK = REPO_ROOT / "examples" / "sample-book"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@localhost",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@localhost",
}
KERNEL_ENV_VARS = (
    "KERNEL_LLM_PROVIDER",
    "KERNEL_LLM_MODEL",
    "KERNEL_LLM_BASE_URL",
    "KERNEL_LLM_API_KEY_ENV",
    "KERNEL_LLM_TIMEOUT_S",
    "KERNEL_LLM_WIRE_API",
    "KERNEL_LLM_OPTIONS",
    "KERNEL_MAX_RUN_TOKENS",
    "KERNEL_PLANNER_MODEL",
    "KERNEL_WRITER_MODEL",
    "KERNEL_CRITIC_MODEL",
    "KERNEL_WRITER_RETRIES",
    "KERNEL_ADHOC_INSTRUCTIONS",
    "KERNEL_ADHOC_INSTRUCTIONS_FILE",
)


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    return proc.stdout


# The eight sections every chapter has (docs/kernel-contract.md section 6), in order.
REQUIRED_HEADINGS = [
    "## Thesis",
    "## Why This Matters",
    "## System Breakdown",
    "## Concrete Example 1",
    "## Concrete Example 2",
    "## Trade-offs",
    "## Failure Modes",
    "## Research Directions",
]
PLAN: dict[str, Any] = {
    "focus_areas": ["## Thesis"],
    "structural_changes": [],
    "risk_flags": [],
    "target_word_delta": "0",
}
APPROVAL: dict[str, Any] = {
    "structure_score": 0.9,
    "clarity_score": 0.85,
    "example_density": 0.8,
    "tradeoff_presence": True,
    "failure_modes_present": True,
    "drift_score": 0.05,
    "violations": [],
    "decision": "approve",
}


@dataclass
class Book:
    """A committed copy of the sample book."""

    root: Path

    def ledger(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "state" / "ledger.json").read_text())
        return data

    def write_ledger(self, ledger: dict[str, Any]) -> None:
        text = json.dumps(ledger, indent=2, sort_keys=True) + "\n"
        (self.root / "state" / "ledger.json").write_text(text)

    def chapter_ids(self, status: str) -> list[str]:
        chapters = self.ledger()["chapters"]
        return sorted(cid for cid, entry in chapters.items() if entry["status"] == status)

    @property
    def active_id(self) -> str:
        """The chapter the demo refines (passes every gate as written)."""
        return self.chapter_ids("active_refinement")[0]

    @property
    def locked_id(self) -> str:
        return self.chapter_ids("locked")[0]

    def chapter_path(self, chapter_id: str) -> Path:
        return self.root / str(self.ledger()["chapters"][chapter_id]["path"])

    def iter_dir(self, chapter_id: str, iteration: int) -> Path:
        return self.root / "state" / "role_io" / chapter_id / f"iter_{iteration:02d}"

    def write_outputs(
        self,
        chapter_id: str,
        iteration: int,
        *,
        writer: str,
        planner: object = PLAN,
        critic: object = APPROVAL,
    ) -> Path:
        """Write the three role outputs a person would (strings as they are, else as JSON)."""
        out = self.iter_dir(chapter_id, iteration) / "out"
        out.mkdir(parents=True, exist_ok=True)
        for name, value in (
            ("planner.json", planner),
            ("writer.md", writer),
            ("critic.json", critic),
        ):
            (out / name).write_text(value if isinstance(value, str) else json.dumps(value))
        return out

    def snapshot(self, *, role_io: bool = True) -> dict[str, bytes]:
        """Every file under state/ and book/ (but the run lock), to prove nothing was written."""
        files = [*self.root.joinpath("state").rglob("*"), *self.root.joinpath("book").rglob("*")]
        return {
            str(p): p.read_bytes()
            for p in files
            if p.is_file() and p.name != "kernel.lock" and (role_io or "role_io" not in p.parts)
        }

    def commit_all(self, message: str = "update") -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)


def sample_book(root: Path) -> Book:
    """A copy of the sample book at `root` (which must not exist), committed to a new repo."""
    shutil.copytree(SAMPLE_BOOK, root)
    git(root, "init", "-q")
    book = Book(root)
    book.commit_all("sample book")
    return book


Run = Callable[..., tuple[int, str, str]]
"""An in-process CLI runner: ARGS -> (exit code, stdout, stderr)."""


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without KERNEL_LLM_* values, plus a git identity and `extra`."""
    base = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV_VARS}
    return {**base, **GIT_IDENTITY, **(extra or {})}


def spawn_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `python -m state_runner ARGS` without waiting (for signal and crash tests)."""
    return subprocess.Popen(
        [sys.executable, "-m", "state_runner", *args],
        cwd=cwd,
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Result:
    """Run `python -m state_runner ARGS` in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "state_runner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_script(script: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """Run one of the `state/*.py` compatibility scripts from the repository."""
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "state" / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
