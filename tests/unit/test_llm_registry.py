"""Providers by entry point: the built-ins as registered, and every way loading one can fail."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from state_runner import LLMPort
from state_runner.app import llm_registry
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import LLMSettings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_builtin_fallback_equals_the_registered_entry_points() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["entry-points"][llm_registry.GROUP] == llm_registry.BUILTIN


def test_installed_providers_include_the_builtins() -> None:
    assert {"copilot", "mock", "demo"} <= set(llm_registry.installed())


def test_a_registered_factory_gets_the_settings_and_makes_the_port() -> None:
    port = llm_registry.make(LLMSettings(provider="mock", options={"k": "v"}))
    assert isinstance(port, LLMPort)
    port.close()


@pytest.fixture
def extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three more providers, from this module's factories."""
    here = __name__
    monkeypatch.setattr(
        llm_registry,
        "BUILTIN",
        {
            **llm_registry.BUILTIN,
            "raises": f"{here}:raising_factory",
            "not-a-port": f"{here}:wrong_factory",
            "missing": f"{here}:no_such_factory",
        },
    )


def raising_factory(settings: LLMSettings) -> LLMPort:
    raise RuntimeError(f"cannot reach {settings.options.get('url', 'nothing')}")


def wrong_factory(settings: LLMSettings) -> object:
    return "not an adapter"


def listing() -> str:
    return f"(installed providers: {', '.join(sorted(llm_registry.installed()))})"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "unknown LLM provider 'nope' "),
        ("raises", "LLM provider 'raises' failed to start: cannot reach x "),
        (
            "not-a-port",
            "LLM provider 'not-a-port' returned a str, which is not an LLM port (it needs chat() "
            "and close()) ",
        ),
        (
            "missing",
            f"LLM provider 'missing' cannot be loaded from {__name__}:no_such_factory: module "
            f"'{__name__}' has no attribute 'no_such_factory' ",
        ),
    ],
)
@pytest.mark.usefixtures("extra")
def test_every_load_failure_is_one_line_listing_the_providers(name: str, message: str) -> None:
    with pytest.raises(KernelError) as info:
        llm_registry.make(LLMSettings(provider=name, options={"url": "x"}))
    assert info.value.message == f"{message}{listing()}"
    assert {"missing", "not-a-port", "raises", "copilot"} <= set(llm_registry.installed())
    assert info.value.exit_code == 3


def test_settings_options_are_read_only() -> None:
    settings = LLMSettings(options={"a": "1"})
    with pytest.raises(TypeError):
        settings.options["b"] = "2"  # type: ignore[index]
