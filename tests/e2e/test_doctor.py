"""`state-runner doctor` (and `state/copilot_sdk_smoke_test.py`) through the real CLI."""

from __future__ import annotations

import os
from pathlib import Path

from state_runner_contract.servers.github_fake import GITHUB_LOGIN, GitHubApi
from state_runner_contract.servers.model_server import ModelServer, Reply, Usage
from support.copilot_cli import PINNED_CLI_VERSION, leftover_pids, require_cli
from support.copilot_run import github_env, homes, marker_of
from support.npm_layout import npm_global, platform_package
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


def test_the_cli_is_found_on_path_as_npm_installs_it_with_its_version_judged(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """No COPILOT_CLI_PATH: the `copilot` of a global npm install on PATH is used, through the
    platform binary (the launcher stand-in fails if it is run)."""
    bin_dir = npm_global(tmp_path / "npm", require_cli())
    path_env = {**env, "COPILOT_CLI_PATH": "", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = run_cli("doctor", "--mode", "offline", cwd=tmp_path, env=path_env)
    assert result.code == 0, result.stdout + result.stderr
    native = tmp_path / "npm/lib/node_modules/@github/copilot/node_modules/@github"
    expected = (
        f"ok    CLI: {native / platform_package() / 'copilot'} (found by PATH; version "
        f"{PINNED_CLI_VERSION}, the version this release is tested with)"
    )
    assert [line for line in result.stdout.splitlines() if "CLI:" in line] == [expected] * 2
    assert leftover_pids(environ=marker_of(env)) == set()


def test_live_mode_takes_the_model_from_the_saved_user_configuration(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = tmp_path / "xdg"
    (config / "state-runner").mkdir(parents=True)
    (config / "state-runner" / "config.toml").write_text('llm-model = "test-model"\n')
    with ModelServer(github=GitHubApi(), default=Reply("OK", usage=Usage(9, 1))) as server:
        run_env = {**github_env(env, server), "XDG_CONFIG_HOME": str(config)}
        result = run_cli("doctor", cwd=tmp_path, env=run_env)
    assert result.code == 0, result.stdout + result.stderr
    assert "ok    model: test-model is available (1 offered)" in result.stdout.splitlines()


def test_live_mode_without_any_model_names_the_three_ways_to_give_one(tmp_path: Path) -> None:
    result = run_cli("doctor", cwd=tmp_path)
    assert result.code == 3
    assert result.stderr == (
        "KernelError: doctor needs the model your runs use: --llm-model MODEL, env "
        "KERNEL_LLM_MODEL, or save it with: state-runner config set llm-model MODEL\n"
    )
