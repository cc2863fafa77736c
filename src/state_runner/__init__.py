"""state-runner's public API for LLM adapter authors: the port, its types and the settings.

An adapter is any object with `chat(messages, *, temperature=0.0, max_tokens=None) ->
LLMResponse` and `close() -> None` that raises only `LLMClientError`; a provider is a factory
`(LLMSettings) -> LLMPort` registered under the entry-point group `state_runner.llm_providers`.
This package is typed (`py.typed`): `mypy --strict` checks an adapter against `LLMPort`.
"""

from __future__ import annotations

from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMBilling,
    LLMClientError,
    LLMPort,
    LLMResponse,
    LLMUsage,
    WarmUp,
    coerce_messages,
)
from state_runner.domain.llm_settings import LLMSettings

PROVIDER_GROUP = "state_runner.llm_providers"

__all__ = [
    "PROVIDER_GROUP",
    "ChatMessage",
    "ErrorKind",
    "LLMBilling",
    "LLMClientError",
    "LLMPort",
    "LLMResponse",
    "LLMSettings",
    "LLMUsage",
    "WarmUp",
    "coerce_messages",
]
