"""The keys a configuration file may hold: the kernel's long flag names without the dashes.

Each key has the `kernel` flag it stands for, the KERNEL_* variable that overrides it (None when
the flag has none), the default shown by `config show`, and the check the flag's value gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from state_runner.app.settings import (
    parse_base_url,
    parse_env_name,
    parse_fraction,
    parse_int,
    parse_provider,
    parse_timeout,
)
from state_runner.domain.errors import KernelError
from state_runner.domain.llm_settings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_PROVIDER,
    DEFAULT_TIMEOUT_S,
)
from state_runner.domain.run_types import (
    DEFAULT_MAX_DIFF_RATIO,
    DEFAULT_MAX_DRIFT_SCORE,
    DEFAULT_MAX_ITERATIONS,
    DEFAULT_WRITER_RETRIES,
)


class FlagDefault(str):
    """A flag's default as argparse fills it in, told apart from the same text typed: a saved
    setting replaces it, never a flag the person gave."""

    __slots__ = ()


Check = Callable[[str, str], str]
"""(value, label) -> the value as the flag would take it; a KernelError naming `label` if bad."""


def _text(value: str, label: str) -> str:
    if not value.strip():
        raise KernelError(f"{label} is empty: name a model")
    return value.strip()


def _integer(minimum: int) -> Check:
    return lambda value, label: str(parse_int(value, label, minimum=minimum))


def _fraction(value: str, label: str) -> str:
    return str(parse_fraction(value, label))


def _seconds(value: str, label: str) -> str:
    return str(parse_timeout(value, label))


@dataclass(frozen=True)
class ConfigKey:
    """One settable key (see the module doc); `llm`: it applies only with `--llm`."""

    name: str
    env: str | None
    default: str
    check: Check
    llm: bool = True
    number: bool = False

    @property
    def attr(self) -> str:
        """The attribute argparse gives the kernel flag."""
        return self.name.replace("-", "_")


KEYS: dict[str, ConfigKey] = {
    key.name: key
    for key in (
        ConfigKey("llm-provider", "KERNEL_LLM_PROVIDER", DEFAULT_PROVIDER, parse_provider),
        ConfigKey("llm-model", "KERNEL_LLM_MODEL", "(none)", _text),
        ConfigKey("planner-model", "KERNEL_PLANNER_MODEL", "(llm-model)", _text),
        ConfigKey("writer-model", "KERNEL_WRITER_MODEL", "(llm-model)", _text),
        ConfigKey("critic-model", "KERNEL_CRITIC_MODEL", "(llm-model)", _text),
        ConfigKey("llm-base-url", "KERNEL_LLM_BASE_URL", "(none)", parse_base_url),
        ConfigKey("llm-api-key-env", "KERNEL_LLM_API_KEY_ENV", DEFAULT_API_KEY_ENV, parse_env_name),
        ConfigKey(
            "llm-timeout-s", "KERNEL_LLM_TIMEOUT_S", f"{DEFAULT_TIMEOUT_S:g}", _seconds, number=True
        ),
        ConfigKey(
            "max-run-tokens", "KERNEL_MAX_RUN_TOKENS", "(no limit)", _integer(1), number=True
        ),
        ConfigKey(
            "writer-retries",
            "KERNEL_WRITER_RETRIES",
            str(DEFAULT_WRITER_RETRIES),
            _integer(0),
            llm=False,
            number=True,
        ),
        ConfigKey(
            "max-iterations", None, str(DEFAULT_MAX_ITERATIONS), _integer(1), llm=False, number=True
        ),
        ConfigKey(
            "max-diff-ratio",
            None,
            f"{DEFAULT_MAX_DIFF_RATIO:.2f}",
            _fraction,
            llm=False,
            number=True,
        ),
        ConfigKey(
            "max-drift-score",
            None,
            f"{DEFAULT_MAX_DRIFT_SCORE:.2f}",
            _fraction,
            llm=False,
            number=True,
        ),
    )
}

ENDPOINT_KEYS = ("llm-base-url", "llm-api-key-env")
"""Keys that decide where the key goes: a book's value needs the user's own file to agree."""


def known(name: str, where: str) -> ConfigKey:
    """The key `name`; else one line listing the known keys."""
    if name not in KEYS:
        raise KernelError(f"{where}unknown key '{name}' (known keys: {', '.join(KEYS)})")
    return KEYS[name]
