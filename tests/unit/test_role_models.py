"""A model per role is enough without `--llm-model`; a role with none is named in the refusal
(docs/kernel-contract.md 2.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.app.cli import build_parser
from state_runner.app.kernel_command import settings_from
from state_runner.app.role_models import model_of_every_role, role_models
from state_runner.app.settings import KernelSettings
from state_runner.domain.errors import KernelError
from support.workspace import Book

NEEDED = "--llm-model (or env KERNEL_LLM_MODEL) is required with --llm for provider 'copilot'"
EVERY = {"planner": "p-model", "writer": "w-model", "critic": "c-model"}


def kernel_settings(book: Book, *flags: str, **env: str) -> KernelSettings:
    argv = ["kernel", "--root", str(book.root), "--chapter-id", book.active_id, "--llm", *flags]
    args = build_parser().parse_args(argv)
    xdg = {"XDG_CONFIG_HOME": str(book.root.parent / "xdg")}
    return settings_from(args, {**xdg, **env}, Path.cwd())


def refusal(book: Book, *flags: str, **env: str) -> str:
    with pytest.raises(KernelError) as caught:
        kernel_settings(book, *flags, **env)
    return caught.value.message


def test_a_flag_beats_the_variable_and_a_blank_one_falls_back_to_the_default() -> None:
    env = {"KERNEL_WRITER_MODEL": "w-env", "KERNEL_CRITIC_MODEL": " "}
    assert role_models({"planner": "p", "writer": None, "critic": None}, env, "d") == {
        "planner": "p",
        "writer": "w-env",
        "critic": "d",
    }
    assert role_models({"planner": " "}, {}, None) == {}


def test_every_role_with_a_model_serves_the_default_port_with_the_first_ones() -> None:
    assert model_of_every_role(EVERY, "copilot") == "p-model"


@pytest.mark.parametrize(
    ("own", "missing"),
    [
        ({"planner": "p", "writer": "w"}, "the critic has none (give --critic-model, or set the "
         "config key critic-model)"),
        ({"writer": "w"}, "the planner and the critic have none (give --planner-model and "
         "--critic-model, or set the config keys planner-model and critic-model)"),
    ],
)  # fmt: skip
def test_a_role_without_a_model_is_named(own: dict[str, str], missing: str) -> None:
    with pytest.raises(KernelError) as caught:
        model_of_every_role(own, "copilot")
    assert caught.value.message == f"{NEEDED} unless every role has its own model: {missing}"


def test_no_model_at_all_keeps_the_short_refusal() -> None:
    with pytest.raises(KernelError) as caught:
        model_of_every_role({}, "copilot")
    assert caught.value.message == (
        f"{NEEDED} (the default provider; --llm-provider mock runs offline)"
    )


def test_the_kernel_runs_with_role_flags_and_no_llm_model(book: Book) -> None:
    flags = [f"--{role}-model={model}" for role, model in EVERY.items()]
    settings = kernel_settings(book, "--llm-provider", "copilot", *flags)
    assert settings.llm.model == "p-model"
    assert dict(settings.options.role_models) == EVERY


def test_role_variables_count_as_the_roles_models(book: Book) -> None:
    env = {f"KERNEL_{role.upper()}_MODEL": model for role, model in EVERY.items()}
    settings = kernel_settings(book, **env)
    assert (settings.llm.model, dict(settings.options.role_models)) == ("p-model", EVERY)


def test_a_saved_role_model_counts_and_the_missing_role_is_named(book: Book) -> None:
    (book.root / "state-runner.toml").write_text('writer-model = "w-book"\n')
    message = refusal(book, "--planner-model", "p-flag")
    assert message == (
        f"{NEEDED} unless every role has its own model: the critic has none (give "
        "--critic-model, or set the config key critic-model)"
    )
    settings = kernel_settings(book, "--planner-model", "p-flag", KERNEL_CRITIC_MODEL="c-env")
    assert dict(settings.options.role_models) == {
        "planner": "p-flag",
        "writer": "w-book",
        "critic": "c-env",
    }


def test_llm_model_still_fills_the_roles_without_their_own(book: Book) -> None:
    settings = kernel_settings(book, "--llm-model", "all", "--critic-model", "c")
    assert settings.llm.model == "all"
    assert dict(settings.options.role_models) == {"planner": "all", "writer": "all", "critic": "c"}
