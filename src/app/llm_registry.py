"""LLM providers, found by name through the entry-point group `state_runner.llm_providers`.

An entry point names a factory `(LLMSettings) -> LLMPort`. The built-in ones are registered the
same way, once, in pyproject.toml; a source checkout that is not installed reads that table from
its pyproject.toml. Entry points are scanned once per process (`entry_points.cache_clear()`
rescans). Every way a provider can fail to load is one line with the installed providers listed.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import LLMSettings

GROUP = "state_runner.llm_providers"
DISTRIBUTION = "state-runner"
CHECKOUT_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

Factory = Callable[[LLMSettings], object]


def checkout_entry_points(pyproject: Path = CHECKOUT_PYPROJECT) -> dict[str, metadata.EntryPoint]:
    """The group's table in a source checkout's pyproject.toml (none when there is no file)."""
    if not pyproject.is_file():
        return {}
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    table: dict[str, str] = project.get("entry-points", {}).get(GROUP, {})
    return {name: metadata.EntryPoint(name, value, GROUP) for name, value in table.items()}


def _distribution_installed() -> bool:
    try:
        metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return False
    return True


@functools.cache
def entry_points() -> dict[str, metadata.EntryPoint]:
    """Provider name -> its entry point, scanned once per process."""
    found = {ep.name: ep for ep in metadata.entry_points(group=GROUP)}
    if _distribution_installed():
        return found
    return {**checkout_entry_points(), **found}


def installed() -> dict[str, str]:
    """Provider name -> `module:attribute` of its factory, built-ins included."""
    return {name: ep.value for name, ep in entry_points().items()}


def _listing() -> str:
    return "installed providers: " + ", ".join(sorted(installed()))


def unknown(name: str, source: str = "") -> KernelError:
    """The error for a provider name nothing registered (`source`: the flag or variable)."""
    where = f" in {source}" if source else ""
    return KernelError(f"unknown LLM provider '{name}'{where} ({_listing()})")


def load(name: str) -> Factory:
    """The factory registered as `name`."""
    entry = entry_points().get(name)
    if entry is None:
        raise unknown(name)
    try:
        factory = entry.load()
    except (ImportError, AttributeError) as exc:
        raise KernelError(
            f"LLM provider '{name}' cannot be loaded from {entry.value}: {exc} ({_listing()})"
        ) from None
    if not callable(factory):
        raise KernelError(f"LLM provider '{name}': {entry.value} is not callable ({_listing()})")
    return factory  # type: ignore[no-any-return]


def make(settings: LLMSettings) -> LLMPort:
    """Build the provider `settings.provider` names; one line when that fails."""
    factory = load(settings.provider)
    try:
        made = factory(settings)
    except KernelError:
        raise
    except Exception as exc:
        raise KernelError(
            f"LLM provider '{settings.provider}' failed to start: {exc} ({_listing()})"
        ) from None
    if not isinstance(made, LLMPort):
        raise KernelError(
            f"LLM provider '{settings.provider}' returned a {type(made).__name__}, which is not "
            f"an LLM port (it needs chat() and close()) ({_listing()})"
        )
    return made
