"""The kernel through the real Copilot CLI on its default path: a GitHub token, no BYOK.

The loopback model server fakes GitHub and the Copilot API
(`state_runner_contract.servers.github_fake`); all other
HTTP(S) is proxied to it, so `left_loopback()` shows any attempt to reach another host.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from state_runner_contract.servers.github_fake import GITHUB_TOKEN, JSON, GitHubApi
from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_cli import leftover_pids
from support.copilot_run import github_args, github_env, homes, kernel_messages, marker_of
from support.kernel_model import USAGE, KernelModel
from support.workspace import Book, run_cli

FAST_S = 20  # a failure must not wait out retries or the 90 s call timeout


@pytest.fixture
def github() -> Iterator[ModelServer]:
    with ModelServer(github=GitHubApi(models=("test-model", "other-model"))) as running:
        yield running


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink() and needle in path.read_bytes()
    ]


def events(book: Book, cid: str, iteration: int, kind: str) -> list[dict[str, object]]:
    log = book.iter_dir(cid, iteration) / "out/kernel_trace.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return [r["payload"] for r in records if r["event"] == kind]


def test_github_path_sends_plain_chats_and_nothing_else(
    book: Book, github: ModelServer, env: dict[str, str]
) -> None:
    cid = book.active_id
    github.responder = KernelModel(approve=False)
    run_env = github_env(env, github)
    before = homes(env)
    result = run_cli(*github_args(book, "--max-iterations", "1"), cwd=book.root, env=run_env)
    assert result.code == 1, result.stderr

    calls = github.chat_requests()
    assert len(calls) == 3
    for role, call in zip(("planner", "writer", "critic"), calls, strict=True):
        # exactly the kernel's two messages: no datetime prefix, no CLI prompt
        assert call.messages == kernel_messages(book, cid, 1, role)
        assert "tools" not in call.body
        assert call.request.headers["authorization"].endswith(GITHUB_TOKEN)
    paths = [r.path.split("?")[0] for r in github.requests]
    assert not [p for p in paths if p.startswith("/mcp")], paths
    assert github.left_loopback() == []
    usage = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    assert usage["prompt_tokens"] == sum(p for p, _ in USAGE.values())
    assert usage["completion_tokens"] == sum(c for _, c in USAGE.values())
    assert leftover_pids(environ=marker_of(env)) == set()
    assert homes(env) - before == set()
    token = GITHUB_TOKEN.encode()
    assert GITHUB_TOKEN not in result.stdout + result.stderr
    assert files_containing(book.root, token) == []
    assert files_containing(Path(env["HOME"]), token) == []
    assert not (Path(env["HOME"]) / ".cache/copilot/copilot-user-cache.json").exists()


def test_premium_requests_are_traced_per_call_and_summed_per_iteration(
    book: Book, env: dict[str, str]
) -> None:
    cid, model = book.active_id, KernelModel(approve=False)

    def charged(request: RecordedRequest) -> Reply:
        reply = model(request)
        nano: dict[str, JSON] = {
            "copilot_usage": {"total_nano_aiu": 2_000_000, "token_details": []}
        }
        return Reply(reply.content, usage=reply.usage, extra=nano)

    with ModelServer(github=GitHubApi(multiplier=1.5), responder=charged) as server:
        result = run_cli(
            *github_args(book, "--max-iterations", "1"), cwd=book.root, env=github_env(env, server)
        )
    assert result.code == 1, result.stderr
    calls = events(book, cid, 1, "llm_call")
    assert [c["role"] for c in calls] == ["planner", "writer", "critic"]
    for call in calls:
        assert call["billing"] == {"premium_requests": 1.5, "total_nano_aiu": 2_000_000.0}
        prompt, completion = USAGE[str(call["role"])]
        assert (call["prompt_tokens"], call["completion_tokens"]) == (prompt, completion)
    (summary,) = events(book, cid, 1, "llm_usage")
    assert summary["calls"] == 3
    assert summary["billing"] == {"premium_requests": 4.5, "total_nano_aiu": 6_000_000.0}
    usage = book.ledger()["repo_iteration_log"][-1]["resource_usage"]
    assert set(usage) == {"prompt_tokens", "completion_tokens", "eval_runtime_ms"}


def fails_fast(book: Book, env: dict[str, str], *extra: str, model: str = "test-model") -> str:
    """Run, expect exit 3 with one stderr line within FAST_S; return that line."""
    ledger = (book.root / "state/ledger.json").read_bytes()
    started = time.monotonic()
    result = run_cli(*github_args(book, *extra, model=model), cwd=book.root, env=env)
    elapsed = time.monotonic() - started
    assert result.code == 3, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert elapsed < FAST_S, f"took {elapsed:.1f}s"
    assert (book.root / "state/ledger.json").read_bytes() == ledger
    assert leftover_pids(environ=marker_of(env)) == set()
    return result.stderr


def test_no_token_names_the_variables_and_starts_nothing(
    book: Book, github: ModelServer, env: dict[str, str]
) -> None:
    no_token = {**github_env(env, github), "GH_TOKEN": ""}
    line = fails_fast(book, no_token)
    assert line == (
        "KernelError: Planner LLM call failed: GitHub Copilot needs a GitHub token: set "
        "COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN (for example GH_TOKEN=$(gh auth token)), "
        "or use --llm-base-url for BYOK\n"
    )
    assert github.requests == []


def test_refused_token_is_one_auth_line(book: Book, env: dict[str, str]) -> None:
    with ModelServer(github=GitHubApi(refuse_token=True)) as server:
        line = fails_fast(book, github_env(env, server))
        assert server.chat_requests() == [] and server.left_loopback() == []
    assert line.startswith("KernelError: Planner LLM call failed: GitHub refused the token in ")
    assert "HTTP 401" in line and "gh auth refresh" in line
    assert GITHUB_TOKEN not in line


def test_unavailable_model_lists_the_offered_ones(
    book: Book, github: ModelServer, env: dict[str, str]
) -> None:
    line = fails_fast(book, github_env(env, github), model="gpt-9")
    assert line == (
        "KernelError: Planner LLM call failed: model 'gpt-9' is not available to this Copilot "
        "account (/models offers: test-model, other-model); choose one with --llm-model\n"
    )
    assert github.chat_requests() == []


def test_copilot_disabled_by_policy_is_one_line(book: Book, env: dict[str, str]) -> None:
    with ModelServer(github=GitHubApi(policy="disabled")) as server:
        line = fails_fast(book, github_env(env, server))
        assert server.chat_requests() == [] and server.left_loopback() == []
    assert line.startswith(
        "KernelError: Planner LLM call failed: Copilot is not available to this account "
        "(HTTP 403 from http://127.0.0.1:"
    )
    assert "access denied by Copilot policy" in line
