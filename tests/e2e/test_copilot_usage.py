"""Token counts beyond any plausible value, reported through the real Copilot CLI (BYOK against
the loopback model server), are a backend error: one line, exit 3, nothing recorded."""

from __future__ import annotations

import json

import pytest

from state_runner_contract.servers.model_server import ModelServer, Reply, Usage
from support.copilot_cli import leftover_pids
from support.copilot_run import copilot_args, marker_of
from support.workspace import Book, run_cli


@pytest.mark.parametrize(
    ("usage", "shown"),
    [
        (Usage(prompt=-3, completion=5), "prompt_tokens=-3"),
        (Usage(prompt=10, completion=10**9 + 1), "completion_tokens=1000000001"),
    ],
)
def test_an_implausible_count_is_refused_as_a_backend_error(
    book: Book, server: ModelServer, env: dict[str, str], usage: Usage, shown: str
) -> None:
    cid = book.active_id
    server.default = Reply("{}", usage=usage)
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    result = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert result.code == 3, result.stderr
    assert result.stderr == (
        f"KernelError: Planner LLM call failed: the backend reported an implausible token count"
        f" {shown} (a count is a number from 0 to 1000000000 per call); nothing was recorded:"
        " check the backend or choose another model\n"
    )
    trace = book.iter_dir(cid, 1) / "out/kernel_trace.jsonl"
    kinds = [json.loads(line)["event"] for line in trace.read_text().splitlines()]
    assert "llm_call" not in kinds and "llm_usage" not in kinds
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before
    assert leftover_pids(environ=marker_of(env)) == set()
