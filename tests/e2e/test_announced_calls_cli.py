"""Through the real CLI and the loopback model server, with `-v`: the progress lines announce
only the calls that are made."""

from __future__ import annotations

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_run import copilot_args
from support.kernel_model import USAGE, KernelModel
from support.workspace import Book, run_cli


def announced(stderr: str) -> list[str]:
    return [line.rsplit(" ", 1)[-1] for line in stderr.splitlines() if ": asking the " in line]


def test_a_budget_stop_and_a_resumed_run_announce_only_the_calls_made(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    budget = str(sum(USAGE["planner"]) + 1)  # the writer may still be asked, the critic no longer
    args = copilot_args(book, server, "--max-iterations", "1", "-v")
    stopped = run_cli(*args, "--max-run-tokens", budget, cwd=book.root, env=env)
    assert stopped.code == 3
    assert stopped.stderr.splitlines()[-1].startswith("KernelError: token budget reached: ")
    assert announced(stopped.stderr) == ["planner", "writer"]
    assert len(server.chat_requests()) == 2

    resumed = run_cli(*args, cwd=book.root, env=env)  # the saved outputs are read, not asked
    assert resumed.code == 1, resumed.stderr
    assert announced(resumed.stderr) == ["critic"]
    assert len(server.chat_requests()) == 3
