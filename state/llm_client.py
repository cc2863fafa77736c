"""The original `llm_client` surface, backed by the state-runner container.

from llm_client import LLMClient
client = LLMClient(provider="mock")
reply = client.chat(messages=[{"role": "user", "content": "hi"}])
client.close()
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import _entry  # noqa: F401  (puts the sources on sys.path when not installed)

from state_runner.app.container import build_container
from state_runner.app.settings import llm_settings
from state_runner.domain.errors import KernelError
from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMClientError,
    LLMPort,
    LLMResponse,
    LLMUsage,
)

# Kept for compatibility: the name of any installed provider (built-in or from a package).
Provider = str

__all__ = ["LLMClient", "LLMClientError", "LLMResponse", "LLMUsage", "Provider"]


class LLMClient:
    """Synchronous chat client over the configured provider; accumulates `usage`."""

    def __init__(
        self,
        provider: Provider | None = None,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str | None = None,
        timeout_s: float | None = None,
    ) -> None:
        try:
            settings = llm_settings(
                provider=provider,
                model=model,
                base_url=base_url,
                api_key_env=api_key_env,
                timeout_s=None if timeout_s is None else str(timeout_s),
                use_llm=True,
                env=os.environ,
            )
            self._container = build_container(Path.cwd(), llm=settings)
            self._llm: LLMPort = self._container.llm()
        except KernelError as exc:
            raise LLMClientError(exc.message, kind=ErrorKind.CONFIG) from exc
        self.provider: str = settings.provider
        self.model = settings.model
        self.usage = LLMUsage()
        self._closed = False

    def chat(
        self,
        messages: Sequence[Mapping[str, str] | ChatMessage],
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> LLMResponse:
        if self._closed:
            raise LLMClientError("LLMClient is closed", kind=ErrorKind.CONFIG)
        from state_runner.domain.llm import coerce_messages

        response = self._llm.chat(
            coerce_messages(messages), temperature=temperature, max_tokens=max_tokens
        )
        self.usage = self.usage + response.usage
        return response

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._container.shutdown_resources()

    def __enter__(self) -> LLMClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
