"""`state-runner doctor` (and `state/copilot_sdk_smoke_test.py`) through the real CLI."""

from __future__ import annotations

from pathlib import Path

from state_runner_contract.servers.github_fake import GITHUB_LOGIN, GitHubApi
from state_runner_contract.servers.model_server import ModelServer, Reply, Usage
from support.copilot_cli import leftover_pids
from support.copilot_run import github_env, homes, marker_of
from support.workspace import run_cli, run_script

CHECKS = ["CLI", "auth", "model", "reply", "usage", "first request", "cleanup"]


def checks(stdout: str) -> list[tuple[str, str]]:
    """(status, check name) of every printed line."""
    return [(line[:4].strip(), line[6:].split(":", 1)[0]) for line in stdout.splitlines()]


def test_offline_mode_checks_both_paths_through_the_real_cli(
    tmp_path: Path, env: dict[str, str]
) -> None:
    result = run_script("copilot_sdk_smoke_test.py", "--mode", "offline", cwd=tmp_path, env=env)
    assert result.code == 0, result.stdout + result.stderr
    assert result.stderr == ""
    per_path = [("path", "")] + [(c, "") for c in CHECKS]
    names = [(name, "") for _, name in checks(result.stdout)]
    assert names == per_path * 2 + [("loopback", "")]
    assert {status for status, _ in checks(result.stdout)} == {"ok"}
    assert f"GitHub login {GITHUB_LOGIN}" in result.stdout
    assert leftover_pids(environ=marker_of(env)) == set()
    assert homes(env) == set()


def test_live_mode_with_the_users_github_settings(tmp_path: Path, env: dict[str, str]) -> None:
    with ModelServer(github=GitHubApi(), default=Reply("OK", usage=Usage(9, 1))) as server:
        run_env = github_env(env, server)
        result = run_cli("doctor", "--llm-model", "test-model", cwd=tmp_path, env=run_env)
    assert result.code == 0, result.stdout + result.stderr
    assert [name for _, name in checks(result.stdout)] == CHECKS
    lines = result.stdout.splitlines()
    assert lines[1].endswith(
        f"GitHub login {GITHUB_LOGIN}, plan individual, with the token in GH_TOKEN"
    )
    assert lines[3] == "ok    reply: 'OK' in " + lines[3].split(" in ")[1]
    assert lines[4].startswith("ok    usage: 9 prompt + 1 completion tokens")
    assert server.left_loopback() == []


def test_an_unavailable_model_is_the_failing_line_with_the_offered_ones(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with ModelServer(github=GitHubApi(models=("a-model", "b-model"))) as server:
        result = run_cli(
            "doctor", "--llm-model", "gpt-9", cwd=tmp_path, env=github_env(env, server)
        )
        assert server.chat_requests() == []
    assert result.code == 3
    failing = "model: gpt-9 is not available; offered: a-model, b-model"
    assert f"FAIL  {failing}" in result.stdout.splitlines()
    assert result.stderr == f"doctor: {failing}\n"
    assert result.stdout.splitlines()[-1].startswith("ok    cleanup: CLI stopped (pid ")
    assert leftover_pids(environ=marker_of(env)) == set()


def test_a_refused_token_fails_the_auth_line(tmp_path: Path, env: dict[str, str]) -> None:
    with ModelServer(github=GitHubApi(refuse_token=True)) as server:
        result = run_cli(
            "doctor", "--llm-model", "test-model", cwd=tmp_path, env=github_env(env, server)
        )
    assert result.code == 3
    assert result.stderr.startswith("doctor: auth: GitHub refused the token in GH_TOKEN (HTTP 401")
    assert "gho_" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("ok    cleanup: CLI stopped (pid ")
    assert leftover_pids(environ=marker_of(env)) == set()


def test_no_token_fails_the_auth_line_before_any_cli_starts(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with ModelServer(github=GitHubApi()) as server:
        no_token = {**github_env(env, server), "GH_TOKEN": ""}
        result = run_cli("doctor", "--llm-model", "test-model", cwd=tmp_path, env=no_token)
        assert server.requests == []
    assert result.code == 3
    assert result.stdout.splitlines() == [
        "FAIL  auth: " + result.stderr.removeprefix("doctor: auth: ").rstrip("\n"),
        "ok    cleanup: no CLI was running, private home removed",
    ]
    assert "COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN" in result.stderr
