"""Flags and environment values become typed settings or one clear KernelError."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.app import llm_registry
from state_runner.app.settings import (
    llm_settings,
    parse_fraction,
    parse_int,
    parse_timeout,
    resolve_io_dir,
    resolve_root,
)
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import LLMSettings

INSTALLED = "installed providers: " + ", ".join(sorted(llm_registry.installed()))


def settings(
    env: dict[str, str] | None = None, *, use_llm: bool = True, **flags: str | None
) -> LLMSettings:
    values: dict[str, str | None] = {
        "provider": None,
        "model": None,
        "base_url": None,
        "api_key_env": None,
        "timeout_s": None,
    }
    values.update(flags)
    return llm_settings(use_llm=use_llm, env=env or {}, **values)  # type: ignore[arg-type]


def test_defaults() -> None:
    s = settings(model="gpt-x")
    assert (s.provider, s.model, s.api_key_env, s.timeout_s, s.wire_api) == (
        "copilot",
        "gpt-x",
        "COPILOT_API_KEY",
        90.0,
        "completions",
    )


def test_flags_beat_environment() -> None:
    env = {
        "KERNEL_LLM_PROVIDER": "copilot",
        "KERNEL_LLM_MODEL": "env-model",
        "KERNEL_LLM_TIMEOUT_S": "5",
    }
    s = settings(env, provider="mock", model="flag-model", timeout_s="7.5")
    assert (s.provider, s.model, s.timeout_s) == ("mock", "flag-model", 7.5)
    s = settings(env)
    assert (s.provider, s.model, s.timeout_s) == ("copilot", "env-model", 5.0)


def test_mock_needs_no_model() -> None:
    assert settings(provider="mock").model == "mock"


def test_byok_url_is_normalised() -> None:
    assert (
        settings(model="m", base_url="http://127.0.0.1:9/v1/").base_url == "http://127.0.0.1:9/v1"
    )


@pytest.mark.parametrize(
    ("env", "flags", "message"),
    [
        ({}, {"provider": " "}, "--llm-provider is empty: name an LLM provider"),
        (
            {"KERNEL_LLM_PROVIDER": "http"},
            {},
            f"unknown LLM provider 'http' in KERNEL_LLM_PROVIDER ({INSTALLED})",
        ),
        (
            {},
            {},
            "--llm-model (or env KERNEL_LLM_MODEL) is required with --llm for provider 'copilot' "
            "(the default provider; --llm-provider mock runs offline)",
        ),
        (
            {"KERNEL_LLM_TIMEOUT_S": "soon"},
            {"provider": "mock"},
            "KERNEL_LLM_TIMEOUT_S must be a positive number of seconds (got 'soon')",
        ),
        (
            {},
            {"provider": "mock", "timeout_s": "-1"},
            "--llm-timeout-s must be a positive number of seconds (got '-1')",
        ),
        (
            {},
            {"provider": "mock", "timeout_s": "inf"},
            "--llm-timeout-s must be a positive number of seconds (got 'inf')",
        ),
        (
            {},
            {"provider": "mock", "base_url": "ftp://x"},
            "--llm-base-url must be an http:// or https:// URL (got 'ftp://x')",
        ),
        (
            {"KERNEL_LLM_BASE_URL": "localhost:1"},
            {"provider": "mock"},
            "KERNEL_LLM_BASE_URL must be an http:// or https:// URL (got 'localhost:1')",
        ),
        (
            {},
            {"provider": "mock", "api_key_env": "MY KEY"},
            "--llm-api-key-env must be an environment variable name (got 'MY KEY')",
        ),
        (
            {"KERNEL_LLM_WIRE_API": "grpc"},
            {"provider": "mock"},
            "KERNEL_LLM_WIRE_API must be one of completions, responses (got 'grpc')",
        ),
    ],
)
def test_bad_values_are_one_line_errors(
    env: dict[str, str], flags: dict[str, str], message: str
) -> None:
    with pytest.raises(KernelError) as info:
        settings(env, **flags)  # type: ignore[arg-type]  # flags never holds use_llm
    assert str(info.value) == message


def test_model_is_optional_without_llm_mode() -> None:
    assert settings(use_llm=False).model is None


@pytest.mark.parametrize(
    ("raw", "ok"), [("3", 3), ("+2", 2), ("0", None), ("x", None), ("1.5", None)]
)
def test_parse_int(raw: str, ok: int | None) -> None:
    if ok is None:
        with pytest.raises(KernelError, match=r"^--n must be an integer >= 1 \(got "):
            parse_int(raw, "--n", minimum=1)
    else:
        assert parse_int(raw, "--n", minimum=1) == ok


def test_parse_fraction_and_timeout() -> None:
    assert parse_fraction("0.35", "--f") == 0.35
    for bad in ("1.01", "-0.1", "nan", "abc"):
        with pytest.raises(KernelError, match="must be a number between 0 and 1"):
            parse_fraction(bad, "--f")
    assert parse_timeout("0.5", "--t") == 0.5
    with pytest.raises(KernelError):
        parse_timeout("0", "--t")


def test_root_and_io_dir(tmp_path: Path) -> None:
    assert resolve_root(None, tmp_path) == tmp_path.resolve()
    with pytest.raises(KernelError, match="--root is not a directory"):
        resolve_root("missing", tmp_path)
    assert resolve_io_dir(None, tmp_path, tmp_path) == tmp_path / "state" / "role_io"
    assert resolve_io_dir("io", tmp_path, tmp_path) == tmp_path / "io"
    with pytest.raises(KernelError, match="--io-dir must be inside the workspace"):
        resolve_io_dir("../elsewhere", tmp_path, tmp_path)


def test_llm_options_come_from_the_env_and_flags_override_per_key() -> None:
    env = {"KERNEL_LLM_OPTIONS": "traces=/a, mode=strict,"}
    settings = llm_settings(
        provider="mock", model=None, base_url=None, api_key_env=None, timeout_s=None,
        use_llm=True, env=env, options=["traces=/b", "extra=x=y"],
    )  # fmt: skip
    assert dict(settings.options) == {"traces": "/b", "mode": "strict", "extra": "x=y"}


@pytest.mark.parametrize(
    ("env", "flags", "message"),
    [
        ({}, ["novalue"], "--llm-option takes KEY=VALUE pairs (got 'novalue')"),
        ({}, ["=v"], "--llm-option takes KEY=VALUE pairs (got '=v')"),
        ({"KERNEL_LLM_OPTIONS": "a=1,b"}, [], "KERNEL_LLM_OPTIONS takes KEY=VALUE pairs (got 'b')"),
    ],
)
def test_malformed_llm_options_are_refused(
    env: dict[str, str], flags: list[str], message: str
) -> None:
    with pytest.raises(KernelError) as info:
        llm_settings(
            provider="mock", model=None, base_url=None, api_key_env=None, timeout_s=None,
            use_llm=True, env=env, options=flags,
        )  # fmt: skip
    assert info.value.message == message
