"""What the adapter learns from the model-API requests the Copilot CLI sends through it.

The CLI hands every model-API request (`GET /models`, `POST /chat/completions`) to the SDK's
request handler, which sends it. On the way the adapter

- keeps the model list `/models` answered (to name the models a wrong `--llm-model` could be),
- turns a refused `/models` (401: token refused, 403: Copilot denied by policy) into one error
  at once, instead of the CLI falling back and retrying for the whole call timeout,
- refuses requests to any other origin than the configured one (the BYOK base URL, or
  `COPILOT_API_URL` when set): nothing is sent where the user did not point the CLI. (When
  the configured API cannot be used, the CLI turns to its default host.)
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from state_runner.domain.errors import one_line
from state_runner.domain.llm import ErrorKind, LLMClientError

DETAIL_CHARS = 160


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RequestRefused(Exception):
    """Raised to the CLI for a request the adapter will not send."""


@dataclass
class ApiWatch:
    """Per adapter: the allowed origin, the model list seen, the first refusal."""

    allowed_origin: str | None
    token_variable: str | None = None
    origin_setting: str = "COPILOT_API_URL"  # what configured the allowed origin
    models: list[str] | None = None
    refusal: LLMClientError | None = None
    refused: asyncio.Event = field(default_factory=asyncio.Event)
    first_request_at: float | None = None  # time.monotonic() of the first model request

    def refuse(self, error: LLMClientError) -> None:
        if self.refusal is None:
            self.refusal = error
        self.refused.set()

    def check(self, method: str, url: str) -> None:
        """Raise `RequestRefused` for a request that must not be sent."""
        if self.refusal is not None:
            raise RequestRefused(self.refusal.message)
        if method == "POST" and self.first_request_at is None:
            self.first_request_at = time.monotonic()
        target = origin(url)
        if self.allowed_origin is not None and target != self.allowed_origin:
            self.refuse(
                LLMClientError(
                    f"the Copilot CLI could not use {self.allowed_origin} ({self.origin_setting}) "
                    f"and turned to {target}, where this run sends nothing: check that "
                    f"{self.allowed_origin} is reachable",
                    kind=ErrorKind.CONNECTION,
                )
            )
            raise RequestRefused(f"{method} {target} is not the configured origin")

    def saw_models(self, url: str, status: int, body: bytes) -> None:
        """Record what `GET .../models` answered."""
        if status in (401, 403):
            self.refuse(models_refused(url, status, body, self.token_variable))
        elif status == 200:
            self.models = model_ids(body)


def model_ids(body: bytes) -> list[str] | None:
    """The chat model ids of a `/models` answer (None when it is not the expected JSON)."""
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError):
        return None
    if not isinstance(data, list):
        return None
    ids = []
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        capabilities = entry.get("capabilities")
        kind = capabilities.get("type") if isinstance(capabilities, dict) else None
        if kind in (None, "chat"):
            ids.append(entry["id"])
    return ids


def _message(body: bytes) -> str:
    try:
        parsed = json.loads(body)
        text = parsed.get("message") or parsed.get("error", {}).get("message") or ""
    except (ValueError, AttributeError):
        text = body.decode("utf-8", "replace")
    line = one_line(str(text))
    return line[:DETAIL_CHARS] + ("..." if len(line) > DETAIL_CHARS else "")


def models_refused(url: str, status: int, body: bytes, variable: str | None) -> LLMClientError:
    """The error for a `/models` request that GitHub refused."""
    where = f"HTTP {status} from {origin(url)}/models"
    detail = _message(body)
    detail = f": {detail}" if detail else ""
    if status == 401:
        source = f"the token in {variable}" if variable else "the GitHub token"
        return LLMClientError(
            f"GitHub refused {source} ({where}{detail}): renew it (gh auth refresh, or a new "
            "token) and re-run",
            kind=ErrorKind.AUTH,
        )
    return LLMClientError(
        f"Copilot is not available to this account ({where}{detail}): a Copilot policy of the "
        "account or its organization disables it; check the Copilot settings on GitHub",
        kind=ErrorKind.AUTH,
    )
