"""One chat call in a fresh Copilot session: the adapter's settings, the conversation as a
system message plus one prompt, the session options, the events the SDK emits, and the call.

The SDK takes the system message from session config and exactly one prompt per turn.
Conversations with only system messages and one user message map one to one. Longer
conversations are carried inside the prompt, each turn as a block (`[user]`, `[assistant]`, ...
on a line of its own, then the text; blocks separated by a blank line). This format is part of
the adapter's documented behaviour (README, "What is sent to the model").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from state_runner.adapters.llm.copilot import failures
from state_runner.adapters.llm.copilot.reply_scrub import scrub_reply
from state_runner.domain.llm import (
    ChatMessage,
    ErrorKind,
    LLMBilling,
    LLMClientError,
    LLMResponse,
    LLMUsage,
)
from state_runner.domain.llm_settings import DEFAULT_TIMEOUT_S
from state_runner.domain.usage_checks import check_counts

if TYPE_CHECKING:
    from state_runner.adapters.llm.copilot.cli_runtime import CliRuntime
    from state_runner.adapters.llm.copilot.requests import CallParams

# The MCP servers the CLI starts in every session unless told not to (CLI 1.0.102).
BUILTIN_MCP_SERVERS = ("github-mcp-server", "githubiq")
ABORT_TIMEOUT_S = 3.0
WATCH_INTERVAL_S = 0.1


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


def split_conversation(messages: Sequence[ChatMessage]) -> tuple[str, str]:
    """(system text, prompt text) for a validated conversation."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns = [m for m in messages if m.role != "system"]
    if len(turns) == 1 and turns[0].role == "user":
        return system, turns[0].content
    prompt = "\n\n".join(f"[{m.role}]\n{m.content}" for m in turns)
    return system, prompt


class CallState:
    """Events of one call, collected on the loop thread."""

    def __init__(self) -> None:
        self.usage = LLMUsage()
        self.billing: LLMBilling | None = None
        self.last_failure: object | None = None
        self.fatal_failure: object | None = None
        self.session_error: object | None = None
        self.usage_error: LLMClientError | None = None
        self.fatal = asyncio.Event()

    def on_event(self, event: Any) -> None:
        kind = getattr(getattr(event, "type", None), "value", None)
        data = getattr(event, "data", None)
        if kind == "assistant.usage":
            self._count(getattr(data, "input_tokens", 0), getattr(data, "output_tokens", 0))
            self._bill(data)
        elif kind == "model.call_failure":
            self.last_failure = data
            if self.fatal_failure is None and failures.is_fatal_failure(data):
                self.fatal_failure = data
                self.fatal.set()
        elif kind == "session.error":
            self.session_error = data

    def _count(self, prompt: object, completion: object) -> None:
        """Add a model call's reported tokens; implausible counts are kept as the call's error."""
        try:
            check_counts(prompt, completion)
        except LLMClientError as exc:
            self.usage_error = self.usage_error or exc
            return
        self.usage = self.usage + LLMUsage(prompt, completion)  # type: ignore[arg-type]

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


class SessionCalls:
    """The chat calls of one adapter, each in a fresh session of the runtime's CLI, deleted
    after the call; a dead CLI breaks the adapter for good (`broken`)."""

    def __init__(
        self, config: CopilotConfig, runtime: CliRuntime, params: dict[str, CallParams]
    ) -> None:
        self.config = config
        self.runtime = runtime
        self.params = params
        self.broken: LLMClientError | None = None
        self._deleting: set[asyncio.Future[None]] = set()

    async def _open_session(self, system: str, state: CallState, ctx: failures.CallContext) -> Any:
        options = session_options(self.config, system, ctx.secret, state.on_event)
        watch = self.runtime.watch
        create = asyncio.ensure_future(self.runtime.client.create_session(**options))
        refused = asyncio.ensure_future(watch.refused.wait())
        try:
            await asyncio.wait({create, refused}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            refused.cancel()
            if not create.done():
                create.cancel()
        if watch.refusal is not None:
            raise LLMClientError(watch.refusal.message, kind=watch.refusal.kind)
        try:
            return create.result()
        except Exception as exc:
            if self.runtime.process_returncode() is not None:
                raise self._died() from exc
            raise failures.session_refused(str(exc), ctx, watch.models) from exc

    def _died(self) -> LLMClientError:
        error = failures.process_exited(self.runtime.process_returncode())
        self.broken = error
        return error

    async def _watch_process(self) -> None:
        """Return as soon as the CLI process has exited."""
        while self.runtime.process_returncode() is None:
            if self.runtime.pid is None:
                try:
                    await self.runtime.client.ping()
                except Exception:
                    return
            await asyncio.sleep(WATCH_INTERVAL_S)

    async def chat(
        self, system: str, prompt: str, params: CallParams, ctx: failures.CallContext
    ) -> LLMResponse:
        """One call: open a session, send the prompt, and turn the first of its answer, a fatal
        model failure, a refused request or the CLI's death into the result or one error."""
        state = CallState()
        session = await self._open_session(system, state, ctx)
        session_id = session.session_id
        self.params[session_id] = params
        send = asyncio.ensure_future(session.send_and_wait(prompt, timeout=ctx.timeout_s))
        fatal = asyncio.ensure_future(state.fatal.wait())
        death = asyncio.ensure_future(self._watch_process())
        watch = self.runtime.watch
        refused = asyncio.ensure_future(watch.refused.wait())
        waits = (send, fatal, death, refused)
        try:
            await asyncio.wait(set(waits), return_when=asyncio.FIRST_COMPLETED)
            if death.done() and not send.done():
                raise self._died()
            if watch.refusal is not None and not send.done():
                await abort(session, ABORT_TIMEOUT_S)
                raise LLMClientError(watch.refusal.message, kind=watch.refusal.kind)
            if fatal.done() and not send.done():
                await abort(session, ABORT_TIMEOUT_S)
                raise failures.from_failure(state.fatal_failure, ctx)
            message = await self._answer(send, session, state, ctx)
            return self._response(message, session_id, state, ctx)
        finally:
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
            self._finish(session_id)

    async def _answer(
        self, send: asyncio.Future[Any], session: Any, state: CallState, ctx: failures.CallContext
    ) -> Any:
        """The reply of a finished `send_and_wait`, or the error its failure means."""
        try:
            return send.result()
        except TimeoutError as exc:
            await abort(session, ABORT_TIMEOUT_S)
            raise failures.timed_out(ctx, state.last_failure) from exc
        except Exception as exc:
            if self.runtime.process_returncode() is not None:
                raise self._died() from exc
            raise failures.from_session_error(
                str(exc), state.session_error, state.last_failure, ctx
            ) from exc

    def _response(
        self, message: Any, session_id: str, state: CallState, ctx: failures.CallContext
    ) -> LLMResponse:
        content = getattr(getattr(message, "data", None), "content", None)
        if state.usage_error is not None:
            raise state.usage_error
        if not isinstance(content, str):
            raise LLMClientError(
                f"no reply text from the model at {ctx.where}", kind=ErrorKind.BAD_RESPONSE
            )
        content, redacted = scrub_reply(content, ctx)
        return LLMResponse(
            content=content,
            usage=state.usage,
            raw={"model": self.config.model, "session_id": session_id},
            billing=state.billing,
            redacted=redacted,
        )

    def _finish(self, session_id: str) -> None:
        """Forget the call's parameters and delete its session in the background (the answer
        need not wait for it)."""
        self.params.pop(session_id, None)
        if self.runtime.process_returncode() is None:
            deleting = asyncio.ensure_future(self._delete_session(session_id))
            self._deleting.add(deleting)
            deleting.add_done_callback(self._deleting.discard)

    async def _delete_session(self, session_id: str) -> None:
        """Delete a finished call's session (bounded; errors ignored: the CLI stops at close)."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.runtime.client.delete_session(session_id), ABORT_TIMEOUT_S)
