"""One Copilot call's settings and state: adapter config, sampling checks, session options,
and the events the SDK emits during a call."""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from state_runner.adapters.llm import copilot_failures as failures
from state_runner.adapters.llm.copilot_github import BUILTIN_MCP_SERVERS, without_tokens
from state_runner.adapters.llm.copilot_params import CallParams
from state_runner.domain.llm import ErrorKind, LLMBilling, LLMClientError, LLMUsage
from state_runner.domain.llm_settings import DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class CopilotConfig:
    """Settings of one adapter instance."""

    model: str
    base_url: str | None = None
    api_key_env: str = "COPILOT_API_KEY"
    timeout_s: float = DEFAULT_TIMEOUT_S
    wire_api: str = "completions"
    cli_path: str | None = None
    verbose: bool = False
    start_timeout_s: float = 30.0
    close_timeout_s: float = 5.0


class CallState:
    """Events of one call, collected on the loop thread."""

    def __init__(self) -> None:
        self.usage = LLMUsage()
        self.billing: LLMBilling | None = None
        self.last_failure: object | None = None
        self.fatal_failure: object | None = None
        self.session_error: object | None = None
        self.fatal = asyncio.Event()

    def on_event(self, event: Any) -> None:
        kind = getattr(getattr(event, "type", None), "value", None)
        data = getattr(event, "data", None)
        if kind == "assistant.usage":
            self.usage = self.usage + LLMUsage(
                getattr(data, "input_tokens", 0), getattr(data, "output_tokens", 0)
            )
            self._bill(data)
        elif kind == "model.call_failure":
            self.last_failure = data
            if self.fatal_failure is None and failures.is_fatal_failure(data):
                self.fatal_failure = data
                self.fatal.set()
        elif kind == "session.error":
            self.session_error = data

    def _bill(self, data: Any) -> None:
        """Add the Copilot charge of a model call (`cost`, `copilot_usage`) when reported;
        BYOK calls are not Copilot's to bill."""
        if getattr(data, "is_byok", False):
            return
        cost = getattr(data, "cost", None)
        nano = getattr(getattr(data, "copilot_usage", None), "total_nano_aiu", None)
        if cost is None and nano is None:
            return
        charge = LLMBilling(premium_requests=cost or 0.0, nano_aiu=nano or 0.0)
        self.billing = charge if self.billing is None else self.billing + charge


def check_params(temperature: object, max_tokens: object) -> CallParams:
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, (int, float))
        or not math.isfinite(temperature)
        or not 0.0 <= temperature <= 2.0
    ):
        raise LLMClientError(
            f"temperature must be a number between 0 and 2 (got {temperature!r})",
            kind=ErrorKind.BAD_REQUEST,
        )
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise LLMClientError(
            f"max_tokens must be a positive integer or None (got {max_tokens!r})",
            kind=ErrorKind.BAD_REQUEST,
        )
    return CallParams(float(temperature), max_tokens)


def session_options(
    config: CopilotConfig, system: str, secret: str | None, on_event: Callable[[Any], None]
) -> dict[str, Any]:
    """`create_session` arguments for a plain chat: the system message replaced, no tools, no
    MCP server, the date prefix removed, no persistent session; BYOK provider when a base URL
    is set."""

    def keep_prompt(hook_input: Any, _invocation: Any) -> dict[str, Any]:
        return {"modifiedTransformedPrompt": hook_input["prompt"]}

    provider = None
    if config.base_url is not None:
        provider = {
            "type": "openai",
            "base_url": config.base_url,
            "api_key": secret or "",
            "wire_api": config.wire_api,
        }
    return {
        "model": config.model,
        "provider": provider,
        "system_message": {"mode": "replace", "content": system},
        "available_tools": [],
        "hooks": {"on_user_prompt_transformed": keep_prompt},
        "infinite_sessions": {"enabled": False},
        "disabled_mcp_servers": list(BUILTIN_MCP_SERVERS),
        "on_event": on_event,
    }


def find_cli(config: CopilotConfig, env: Mapping[str, str]) -> str:
    """The CLI binary: the config's path, else `COPILOT_CLI_PATH`, else `copilot` on PATH."""
    path = config.cli_path or env.get("COPILOT_CLI_PATH") or shutil.which("copilot")
    if not path:
        raise LLMClientError(
            "Copilot CLI not found: set COPILOT_CLI_PATH to the binary of npm "
            "@github/copilot (or put `copilot` on PATH)",
            kind=ErrorKind.STARTUP,
        )
    return path


def child_env(config: CopilotConfig, env: Mapping[str, str], cache: str) -> dict[str, str]:
    """The CLI's environment: its cache in `cache`, no GitHub token variables (the SDK hands
    the token over itself); with BYOK it starts offline against the configured endpoint."""
    result = without_tokens(env)
    result["XDG_CACHE_HOME"] = cache
    if config.base_url is not None:
        result.update(
            COPILOT_OFFLINE="true",
            COPILOT_PROVIDER_BASE_URL=config.base_url,
            COPILOT_MODEL=config.model,
        )
    return result


def call_context(
    config: CopilotConfig, secret: str | None, token_variable: str | None = None
) -> failures.CallContext:
    """What failure messages need to know about a call (the secret only to blank it out)."""
    return failures.CallContext(
        token_variable=token_variable,
        model=config.model,
        base_url=config.base_url,
        api_key_env=config.api_key_env,
        timeout_s=config.timeout_s,
        wire_api=config.wire_api,
        secret=secret,
    )


async def abort(session: Any, timeout_s: float) -> None:
    """Stop a session's turn (bounded; errors ignored: the call has already failed)."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(session.abort(), timeout_s)
