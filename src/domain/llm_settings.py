"""`LLMSettings`: how to reach the model, as flags and environment resolved them.

Every LLM provider factory receives one of these (see `app/llm_registry.py`). Third-party
adapters read their own knobs from `options` (`--llm-option KEY=VALUE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_PROVIDER = "copilot"
DEFAULT_API_KEY_ENV = "COPILOT_API_KEY"
DEFAULT_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class LLMSettings:
    """The typed LLM settings a provider factory gets.

    `provider`: the registered name; `model`: the model name (None when not given);
    `base_url`, `api_key_env`, `timeout_s`, `wire_api`: endpoint settings of the built-in
    Copilot adapter, free for others to honour; `verbose`: `-v` was given; `options`: the
    `--llm-option` / `KERNEL_LLM_OPTIONS` pairs, read-only; `env`: the environment to read
    secrets from (None: this process's).
    """

    provider: str = DEFAULT_PROVIDER
    model: str | None = None
    base_url: str | None = None
    api_key_env: str = DEFAULT_API_KEY_ENV
    timeout_s: float = DEFAULT_TIMEOUT_S
    wire_api: str = "completions"
    verbose: bool = False
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    env: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
