"""The kernel through the real Copilot CLI, BYOK against the loopback model server."""

from __future__ import annotations

import json
import signal
import time

import pytest

from state_runner_contract.servers.model_server import Fault, ModelServer, Reply
from support.copilot_cli import leftover_pids
from support.copilot_run import BYOK_KEY as KEY
from support.copilot_run import copilot_args, homes, kernel_messages, marker_of
from support.kernel_model import USAGE, KernelModel
from support.workspace import Book, run_cli, spawn_cli


def test_roles_reach_the_model_exactly_and_usage_is_recorded(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    before = homes(env)
    result = run_cli(*copilot_args(book, server, "--max-iterations", "1"), cwd=book.root, env=env)
    assert result.code == 1, result.stderr

    calls = server.chat_requests()
    assert len(calls) == 3
    trace_dir = book.iter_dir(cid, 1) / "out/_llm_trace"
    for role, call in zip(("planner", "writer", "critic"), calls, strict=True):
        assert call.messages == kernel_messages(book, cid, 1, role)
        assert call.tools is None and "tools" not in call.body
        assert (trace_dir / f"{role}.response.txt").is_file()

    entry = book.ledger()["repo_iteration_log"][-1]
    assert entry["resource_usage"]["prompt_tokens"] == sum(p for p, _ in USAGE.values())
    assert entry["resource_usage"]["completion_tokens"] == sum(c for _, c in USAGE.values())
    assert leftover_pids(environ=marker_of(env)) == set()
    assert homes(env) - before == set()


def test_approved_twice_through_the_real_cli_is_refined(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=True)
    result = run_cli(*copilot_args(book, server), cwd=book.root, env=env)
    assert result.code == 0, result.stderr
    chapter = book.ledger()["chapters"][cid]
    assert (chapter["lifecycle"], chapter["current_iteration"]) == ("refined", 2)
    assert len(server.chat_requests()) == 6
    assert leftover_pids(environ=marker_of(env)) == set()


def test_provider_401_ends_fast_with_one_line(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.default = Reply(fault=Fault.http(401))
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    homes_before = homes(env)
    started = time.monotonic()
    result = run_cli(*copilot_args(book, server), cwd=book.root, env=env)
    elapsed = time.monotonic() - started
    assert result.code == 3
    assert result.stderr.startswith(
        "KernelError: Planner LLM call failed: authentication failed at "
        f"{server.base_url} (HTTP 401): check the API key in env COPILOT_API_KEY"
    )
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert KEY not in result.stderr + result.stdout
    assert elapsed < 15, f"took {elapsed:.1f}s"
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before
    assert leftover_pids(environ=marker_of(env)) == set()
    assert homes(env) - homes_before == set()


def test_missing_byok_key_is_a_config_error(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    del env["COPILOT_API_KEY"]
    result = run_cli(*copilot_args(book, server), cwd=book.root, env={**env, "COPILOT_API_KEY": ""})
    assert result.code == 3
    assert result.stderr == (
        "KernelError: Planner LLM call failed: BYOK needs an API key: set env COPILOT_API_KEY "
        "(or name another variable with --llm-api-key-env); any value works for servers "
        "without auth\n"
    )


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"]
)
def test_signals_end_the_run_cleanly(
    book: Book, server: ModelServer, env: dict[str, str], sig: signal.Signals, verbose: bool
) -> None:
    server.default = Reply(fault=Fault.hang(120))
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    before = homes(env)
    extra = ["-v"] if verbose else []
    proc = spawn_cli(*copilot_args(book, server, *extra), cwd=book.root, env=env)
    try:
        assert server.wait_for_requests(1, timeout=60), "the planner request never arrived"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig
    if verbose:  # progress lines, then the one error line; nothing from the SDK
        assert err.splitlines()[-1] == f"KernelError: interrupted by {sig.name}"
        assert all(line.startswith(book.active_id) for line in err.splitlines()[:-1]), err
    else:
        assert err == f"KernelError: interrupted by {sig.name}\n"
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before
    assert leftover_pids(environ=marker_of(env)) == set()
    assert homes(env) - before == set()


def test_demo_json_is_unaffected_by_copilot_env(book: Book) -> None:
    """Sanity: provider env vars do not leak into mock runs."""
    result = run_cli(
        "kernel",
        "--chapter-id",
        book.active_id,
        "--llm",
        "--llm-provider",
        "mock",
        "--max-iterations",
        "1",
        cwd=book.root,
        env={"KERNEL_LLM_MODEL": "ignored"},
    )
    assert result.code == 1, result.stderr
    entry = json.loads((book.root / "state/ledger.json").read_text())["repo_iteration_log"][-1]
    assert entry["resource_usage"]["prompt_tokens"] == 0
