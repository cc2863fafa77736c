"""Providers by entry point: the built-ins as registered, and every way loading one can fail."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from state_runner import LLMPort
from state_runner.app import llm_registry
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import LLMSettings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pyproject_table() -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    table: dict[str, str] = project["entry-points"][llm_registry.GROUP]
    return table


def test_the_installed_entry_points_equal_the_pyproject_table() -> None:
    ours = metadata.distribution(llm_registry.DISTRIBUTION).entry_points
    found = {ep.name: ep.value for ep in ours.select(group=llm_registry.GROUP)}
    assert found == pyproject_table()
    assert set(found) <= set(llm_registry.installed())


def test_an_uninstalled_checkout_reads_the_same_table_from_its_pyproject() -> None:
    fallback = llm_registry.checkout_entry_points(PYPROJECT)
    assert {name: ep.value for name, ep in fallback.items()} == pyproject_table()
    assert llm_registry.checkout_entry_points(PYPROJECT.parent / "no-such.toml") == {}


def test_without_the_distribution_the_checkout_table_is_used(
    monkeypatch: pytest.MonkeyPatch, rescan: None
) -> None:
    def not_installed(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", not_installed)
    monkeypatch.setattr(metadata, "entry_points", lambda **_: metadata.EntryPoints(()))
    assert llm_registry.installed() == pyproject_table()


@pytest.fixture
def rescan() -> Iterator[None]:
    """A fresh scan in the test and again after it (so no fake result stays cached)."""
    llm_registry.entry_points.cache_clear()
    yield
    llm_registry.entry_points.cache_clear()


def test_entry_points_are_scanned_once_per_process(
    monkeypatch: pytest.MonkeyPatch, rescan: None
) -> None:
    calls: list[object] = []
    real = metadata.entry_points

    def counting(group: str) -> metadata.EntryPoints:
        calls.append({"group": group})
        return real(group=group)

    monkeypatch.setattr(metadata, "entry_points", counting)
    llm_registry.installed()
    llm_registry.make(LLMSettings(provider="mock")).close()
    with pytest.raises(KernelError):
        llm_registry.load("nope")
    assert calls == [{"group": llm_registry.GROUP}]


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
    added = {
        "raises": f"{here}:raising_factory",
        "not-a-port": f"{here}:wrong_factory",
        "missing": f"{here}:no_such_factory",
    }
    group = llm_registry.GROUP
    made = {name: metadata.EntryPoint(name, value, group) for name, value in added.items()}
    found = {**llm_registry.entry_points(), **made}
    monkeypatch.setattr(llm_registry, "entry_points", lambda: found)


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
