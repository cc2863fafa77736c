"""Through the real CLI and the loopback model server: a model per role, given by flags or saved
with `config set`, runs the kernel without `--llm-model`; a role with none is refused first."""

from __future__ import annotations

from pathlib import Path

from state_runner_contract.servers.model_server import ModelServer
from support.copilot_cli import leftover_pids
from support.copilot_run import marker_of
from support.kernel_model import KernelModel
from support.workspace import Book, run_cli

MODELS = {"planner": "p-model", "writer": "w-model", "critic": "c-model"}


def kernel_args(book: Book, server: ModelServer, *extra: str) -> list[str]:
    """A BYOK run of the active chapter for one iteration, with no `--llm-model`."""
    return [
        "kernel", "--chapter-id", book.active_id, "--llm", "--llm-base-url", server.base_url,
        "--max-iterations", "1", *extra,
    ]  # fmt: skip


def with_user_dir(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {**env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def test_role_flags_alone_choose_every_requests_model(
    book: Book, server: ModelServer, env: dict[str, str], tmp_path: Path
) -> None:
    server.responder = KernelModel(approve=False)
    flags = [f"--{role}-model={model}" for role, model in MODELS.items()]
    run_env = with_user_dir(env, tmp_path)
    run = run_cli(*kernel_args(book, server, *flags), cwd=book.root, env=run_env)
    assert run.code == 1, run.stderr
    assert [call.body["model"] for call in server.chat_requests()] == list(MODELS.values())
    assert leftover_pids(environ=marker_of(env)) == set()


def test_role_models_saved_with_config_set_need_no_other_flag(
    book: Book, server: ModelServer, env: dict[str, str], tmp_path: Path
) -> None:
    server.responder = KernelModel(approve=False)
    run_env = with_user_dir(env, tmp_path)
    for role, model in MODELS.items():
        saved = run_cli("config", "set", f"{role}-model", model, cwd=book.root, env=run_env)
        assert saved.code == 0, saved.stderr
    run = run_cli(*kernel_args(book, server), cwd=book.root / "book", env=run_env)
    assert run.code == 1, run.stderr
    assert [call.body["model"] for call in server.chat_requests()] == list(MODELS.values())
    assert leftover_pids(environ=marker_of(env)) == set()


def test_a_role_without_a_model_is_named_before_any_call(
    book: Book, server: ModelServer, env: dict[str, str], tmp_path: Path
) -> None:
    run_env = with_user_dir(env, tmp_path)
    saved = run_cli("config", "set", "writer-model", "w-model", cwd=book.root, env=run_env)
    assert saved.code == 0, saved.stderr
    run = run_cli(*kernel_args(book, server), cwd=book.root, env=run_env)
    assert run.code == 3
    assert run.stderr == (
        "KernelError: --llm-model (or env KERNEL_LLM_MODEL) is required with --llm for provider "
        "'copilot' unless every role has its own model: the planner and the critic have none "
        "(give --planner-model and --critic-model, or set the config keys planner-model and "
        "critic-model)\n"
    )
    assert server.chat_requests() == []
