"""A run the token budget stops, through the CLI and the real Copilot CLI against the loopback
model: its calls count as spent in the run's summary and in `status`, also after the next run
finished the iteration (whose ledger entry holds only the calls of that next run)."""

from __future__ import annotations

import json

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_run import copilot_args
from support.kernel_model import USAGE, KernelModel
from support.workspace import Book, run_cli

PLANNER, WRITER, CRITIC = (sum(USAGE[role]) for role in ("planner", "writer", "critic"))


def status_tokens(book: Book, cid: str, env: dict[str, str]) -> tuple[int, int]:
    """(the chapter's tokens, the book's total) from `status --json`."""
    result = run_cli("status", "--json", cwd=book.root, env=env)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    (row,) = [r for r in document["chapters"] if r["chapter_id"] == cid]
    return row["tokens"], document["totals"]["tokens"]


def test_a_budget_stopped_run_shows_its_tokens_in_its_summary_and_in_status(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id  # the chapter goes on hold below, and is then no longer "active"
    server.responder = KernelModel(approve=False)
    args = copilot_args(book, server, "--max-run-tokens", str(PLANNER + 1), "-v")
    stopped = run_cli(*args, cwd=book.root, env=env)
    assert stopped.code == 3
    run_line, tokens_line, time_line, error = stopped.stderr.splitlines()[-4:]
    assert run_line == "run: stopped by --max-run-tokens (exit 3)"
    assert (
        tokens_line == f"tokens: planner {PLANNER:,}, writer {WRITER:,}; total {PLANNER + WRITER:,}"
    )
    assert time_line.startswith("time: ") and error.startswith("KernelError: token budget reached")
    assert book.ledger()["repo_iteration_log"] == []  # the ledger holds nothing of it
    assert status_tokens(book, cid, env) == (PLANNER + WRITER, PLANNER + WRITER)

    resumed = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert resumed.code == 1, resumed.stderr
    usage = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    assert usage["prompt_tokens"] + usage["completion_tokens"] == CRITIC
    spent = PLANNER + WRITER + CRITIC
    assert status_tokens(book, cid, env) == (spent, spent)
    piped = run_cli("status", cwd=book.root, env=env)
    assert piped.stdout.splitlines()[-1].split()[-1] == f"{spent:,}"


def test_with_json_a_budget_stop_prints_only_its_error_line_even_when_watched(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    args = copilot_args(book, server, "--max-run-tokens", str(PLANNER + 1), "-v", "--json")
    stopped = run_cli(*args, cwd=book.root, env=env)
    assert stopped.code == 3 and stopped.stdout == ""
    assert "run: stopped" not in stopped.stderr
    assert stopped.stderr.splitlines()[-1].startswith("KernelError: token budget reached")
