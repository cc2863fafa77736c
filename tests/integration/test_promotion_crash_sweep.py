"""kill -9 at every durable step of a `--commit` promotion: the repair never loses an iteration.

Each case copies a book whose chapter passed once and SIGKILLs a promoting `--commit` run just
before its n-th fsync or git call (tests/support/kill_at.py forks each run from one process). It
checks the state as the kill left it, repairs, and checks that the book validates and that the
repo log matches git: the promotion is either recorded with a commit that exists, or undone with
HEAD and index as before; then the next run promotes. `STATE_RUNNER_PROMOTION_KILL_STRIDE`
(default 1) sweeps every n-th step only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from state_runner.adapters.files.state_paths import JOURNAL
from state_runner.app.cli import main as cli_main
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import LLMSettings
from support.promotion import install_hook, one_iteration_done, repository_view
from support.state_checks import assert_state_valid, jsonl
from support.workspace import REPO_ROOT, Book, cli_env, git, spawn_cli

STRIDE = int(os.environ.get("STATE_RUNNER_PROMOTION_KILL_STRIDE", "1"))
KILL_AT = REPO_ROOT / "tests/support/kill_at.py"
UNDONE = "repaired an interrupted run: iteration 2 of {cid} was undone and will run again"
COMPLETED = (
    "repaired an interrupted run: {cid} was promoted at iteration 2 and its commit was made; "
    "its repo log entry is now written (commit {head})"
)


class Killer:
    """The kill_at.py server: forks a promoting `--commit` run per request, kills it at a step."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.proc = subprocess.Popen(
            [sys.executable, str(KILL_AT)],
            env=cli_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, root: Path, cid: str, step: int) -> int:
        """The run's exit code, or -9 when it was killed before `step` (0: never)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        stderr = self.tmp_path / "stderr"
        request = {
            "cwd": str(root),
            "args": ["kernel", "--chapter-id", cid, "--commit"],
            "step": step,
            "stderr": str(stderr),
            "steps_file": str(self.tmp_path / "steps"),
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert "Traceback" not in stderr.read_text(), stderr.read_text()
        return -int(answer["signal"]) if answer["signal"] else int(answer["code"])

    def steps(self) -> int:
        return int((self.tmp_path / "steps").read_text())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def killer(tmp_path: Path) -> Iterator[Killer]:
    server = Killer(tmp_path)
    yield server
    server.close()


def assert_repo_log_matches_git(book: Book, cid: str, promoted: bool) -> None:
    repo_log = jsonl(book.root / "state/ledger/repo_iteration_log.jsonl")
    assert [entry["iteration"] for entry in repo_log] == ([1, 2] if promoted else [1])
    hashes = [entry["artifacts"]["commit_hash"] for entry in repo_log]
    assert hashes[0] is None
    if promoted:
        assert hashes[1] == git(book.root, "rev-parse", "HEAD").strip()
        assert git(book.root, "log", "-1", "--format=%s").strip() == f"refine: {cid} (iter 2)"
    assert book.ledger()["repo_iteration_log"] == repo_log
    chapter = book.ledger()["chapters"][cid]
    assert chapter["current_iteration"] == (2 if promoted else 1)
    assert chapter["lifecycle"] == ("refined" if promoted else "draft")


def repair_and_check(book: Book, cid: str, before: tuple[str, str, str]) -> None:
    """The repair after a kill: what it says is true, and the next run promotes."""
    message = build_container(book.root).state().recover()
    head = git(book.root, "rev-parse", "HEAD").strip()
    if head == before[0].strip():
        assert message == UNDONE.format(cid=cid)
        assert repository_view(book) == before
        assert_repo_log_matches_git(book, cid, promoted=False)
        (book.root / ".git/hooks/pre-commit").unlink(missing_ok=True)
        container = build_container(book.root, None, LLMSettings(provider="mock"))
        container.kernel().run(KernelOptions(chapter_id=cid, commit=True))
    else:
        assert message == COMPLETED.format(cid=cid, head=head)
    assert not (book.root / JOURNAL).exists()
    assert (
        cli_main(["governance", "--ledger", str(book.root / "state/ledger.json"), "validate"]) == 0
    )
    assert_repo_log_matches_git(book, cid, promoted=True)


@pytest.mark.parametrize("refusing_hook", [False, True], ids=["commit-made", "hook-refuses"])
def test_kill_9_at_every_step_of_a_commit_promotion(
    book: Book, tmp_path: Path, killer: Killer, refusing_hook: bool
) -> None:
    cid = one_iteration_done(book)
    if refusing_hook:
        install_hook(book, 'echo "refused by policy" >&2\nexit 1')
    template = book.root
    probe = Book(tmp_path / "probe")
    shutil.copytree(template, probe.root)
    assert killer.run(probe.root, cid, 0) == (3 if refusing_hook else 0)
    total = killer.steps()
    assert total > 10, total  # the persist window was seen
    started, cases = time.monotonic(), 0
    for step in range(1, total + 1, STRIDE):
        case = Book(tmp_path / f"kill-{step}")
        shutil.copytree(template, case.root)
        before = repository_view(case)
        assert killer.run(case.root, cid, step) == -9
        assert_state_valid(case)
        repair_and_check(case, cid, before)
        cases += 1
    assert cases * STRIDE >= total
    print(
        f"\npromotion sweep: {cases} kills over {total} steps in {time.monotonic() - started:.1f} s"
    )


@pytest.mark.parametrize("hook_exit", [0, 1], ids=["git-commits-after", "hook-refuses-after"])
def test_kill_9_while_the_commit_hook_runs(book: Book, hook_exit: int) -> None:
    """The kernel dies while its `git commit` runs on: the repair waits for git, then settles."""
    cid = one_iteration_done(book)
    release = book.root / ".git/release-hook"
    install_hook(
        book,
        'kill -9 "$(cut -d" " -f4 /proc/$PPID/stat)"\n'  # git's parent: the kernel
        f'i=0; while [ ! -e "{release}" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n'
        f"exit {hook_exit}",
    )
    before = repository_view(book)
    proc = spawn_cli("kernel", "--chapter-id", cid, "--commit", cwd=book.root)
    proc.communicate(timeout=60)
    assert proc.returncode == -9
    assert_state_valid(book)
    with pytest.raises(KernelError) as raised:
        build_container(book.root).state().recover()
    assert raised.value.message == (
        ".git/index.lock exists: the interrupted promotion's git commit may still be running; "
        "wait for it to end; if no git process is running, remove it (a crashed git left it), "
        "then run again"
    )
    assert (book.root / JOURNAL).exists()
    release.write_text("")
    deadline = time.monotonic() + 20
    while (book.root / ".git/index.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    repair_and_check(book, cid, before)
