"""LLM providers, found by name through the entry-point group `state_runner.llm_providers`.

An entry point names a factory `(LLMSettings) -> LLMPort`. The built-in ones are registered the
same way in pyproject.toml; `BUILTIN` repeats them for a source tree that is not installed (a
test keeps the two equal). Every way a provider can fail to load is one line with the installed
providers listed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module, metadata

from state_runner.domain.errors import KernelError
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import LLMSettings

GROUP = "state_runner.llm_providers"
BUILTIN = {
    "copilot": "state_runner.adapters.llm.factories:copilot",
    "demo": "state_runner.adapters.llm.factories:demo",
    "mock": "state_runner.adapters.llm.factories:mock",
}

Factory = Callable[[LLMSettings], object]


def installed() -> dict[str, str]:
    """Provider name -> `module:attribute` of its factory, built-ins included."""
    found = {ep.name: ep.value for ep in metadata.entry_points(group=GROUP)}
    return {**BUILTIN, **found}


def _listing() -> str:
    return "installed providers: " + ", ".join(sorted(installed()))


def unknown(name: str, source: str = "") -> KernelError:
    """The error for a provider name nothing registered (`source`: the flag or variable)."""
    where = f" in {source}" if source else ""
    return KernelError(f"unknown LLM provider '{name}'{where} ({_listing()})")


def load(name: str) -> Factory:
    """The factory registered as `name`."""
    target = installed().get(name)
    if target is None:
        raise unknown(name)
    module_name, _, attribute = target.partition(":")
    try:
        factory = getattr(import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise KernelError(
            f"LLM provider '{name}' cannot be loaded from {target}: {exc} ({_listing()})"
        ) from None
    if not callable(factory):
        raise KernelError(f"LLM provider '{name}': {target} is not callable ({_listing()})")
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
