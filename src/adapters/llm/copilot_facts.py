"""What the running Copilot CLI says about itself: version, sign-in, models (for `doctor`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from state_runner.adapters.llm.copilot_watch import ApiWatch
from state_runner.domain.llm import ErrorKind, LLMClientError

AUTO_MODEL = "auto"  # the CLI's own router, listed besides the real models


@dataclass(frozen=True)
class CopilotFacts:
    version: str
    signed_in: str | None = None  # GitHub path: the CLI's sign-in status line
    models: list[str] | None = None  # GitHub path: the chat models the account may use
    login: str | None = None  # GitHub path: the account, as GitHub names it
    plan: str | None = None  # GitHub path: the Copilot plan


async def gather_facts(client: Any, byok: bool, watch: ApiWatch) -> CopilotFacts:
    """Ask the CLI over its public API; a refusal seen on the way is the error."""
    try:
        status = await client.get_status()
        if byok:
            return CopilotFacts(status.version)
        auth = await client.get_auth_status()
        models = [m.id for m in await client.list_models() if m.id != AUTO_MODEL]
    except Exception as exc:
        if watch.refusal is not None:
            raise LLMClientError(watch.refusal.message, kind=watch.refusal.kind) from exc
        raise LLMClientError(
            f"the Copilot CLI could not report its state: {exc}", kind=ErrorKind.UNKNOWN
        ) from exc
    signed_in = auth.statusMessage if auth.isAuthenticated else None
    return CopilotFacts(status.version, signed_in, models)
