"""Saved settings drive a real Copilot CLI run: `kernel --chapter-id X --llm` and nothing else."""

from __future__ import annotations

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_cli import leftover_pids
from support.copilot_run import marker_of
from support.kernel_model import KernelModel
from support.workspace import Book, run_cli


def test_a_configured_model_and_endpoint_need_no_other_flag(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    env = {**env, "XDG_CONFIG_HOME": env["HOME"] + "/config"}
    for key, value in (("llm-model", "test-model"), ("llm-base-url", server.base_url)):
        saved = run_cli("config", "set", key, value, cwd=book.root, env=env)
        assert saved.code == 0, saved.stderr
    server.responder = KernelModel(approve=True)
    result = run_cli("kernel", "--chapter-id", book.active_id, "--llm", cwd=book.root, env=env)
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"state-runner: llm-base-url {server.base_url} from book file {book.root}/state-runner.toml"
    )
    chapter = book.ledger()["chapters"][book.active_id]
    assert (chapter["lifecycle"], chapter["current_iteration"]) == ("refined", 2)
    assert len(server.chat_requests()) == 6
    assert {call.body.get("model") for call in server.chat_requests()} == {"test-model"}
    assert leftover_pids(environ=marker_of(env)) == set()
