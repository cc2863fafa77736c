"""The model-API requests the Copilot CLI sends through the adapter, and what it learns from them.

The CLI hands every model-API request (`GET /models`, `POST /chat/completions`) to the SDK's
request handler, which sends it. The SDK has no temperature option, so the handler rewrites each
JSON model request of a call's session with the call's `temperature` / `max_tokens`. On the way
the adapter's `ApiWatch`

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
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from state_runner.adapters.llm.copilot.failures import models_refused, origin
from state_runner.adapters.llm.copilot.session_call import CopilotConfig
from state_runner.domain.llm import ErrorKind, LLMClientError
from state_runner.domain.secrets import redact_urls

if TYPE_CHECKING:
    import httpx

API_URL_VARIABLE = "COPILOT_API_URL"
# The variables the Copilot CLI reads a GitHub token from, in its order of precedence.
TOKEN_VARIABLES = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
AUTO_MODEL = "auto"  # the CLI's own router, listed besides the real models
ENCODING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


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


def watch_for(base_url: str | None, env: Mapping[str, str], token_variable: str | None) -> ApiWatch:
    """The request watch, allowing only the configured origin (if one is configured)."""
    if base_url is not None:
        return ApiWatch(origin(base_url), token_variable, "--llm-base-url")
    api_url = env.get(API_URL_VARIABLE)
    allowed = origin(api_url) if api_url else None
    return ApiWatch(allowed, token_variable, API_URL_VARIABLE)


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


@dataclass(frozen=True)
class CallParams:
    temperature: float
    max_tokens: int | None


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


def rewrite_body(body: object, params: CallParams, *, responses_api: bool) -> object:
    """The request body with the call's sampling parameters set."""
    if not isinstance(body, dict):
        return body
    updated = dict(body)
    updated["temperature"] = params.temperature
    if params.max_tokens is not None:
        updated["max_output_tokens" if responses_api else "max_tokens"] = params.max_tokens
    return updated


def decoded_response(
    response: httpx.Response, body: bytes, request: httpx.Request
) -> httpx.Response:
    """A response that was read (and decompressed) to look at: the same status and headers,
    minus those describing the encoded body, with the decoded body, for the CLI to read."""
    import httpx

    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in ENCODING_HEADERS
    ]
    return httpx.Response(response.status_code, headers=headers, content=body, request=request)


def make_params_handler(lookup: Callable[[str | None], CallParams | None], watch: ApiWatch) -> Any:
    """A `CopilotRequestHandler` applying `lookup(session_id)` to each JSON model request and
    letting `watch` refuse requests and read `/models` answers."""
    import httpx
    from copilot import CopilotRequestContext, CopilotRequestHandler

    class ParamsHandler(CopilotRequestHandler):
        # The SDK's default sender is one process-wide httpx client, bound to the event loop that
        # first used it; each adapter has its own loop, so each handler owns its own client.
        http: httpx.AsyncClient | None = None

        async def aclose(self) -> None:
            if self.http is not None:
                await self.http.aclose()
                self.http = None

        async def send_request(
            self, request: httpx.Request, ctx: CopilotRequestContext
        ) -> httpx.Response:
            watch.check(request.method, str(request.url))
            params = lookup(ctx.session_id)
            if params is not None and request.method == "POST" and request.content:
                try:
                    body = json.loads(request.content)
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    new_body = rewrite_body(
                        body, params, responses_api=request.url.path.endswith("/responses")
                    )
                    headers = [
                        (k, v) for k, v in request.headers.items() if k.lower() != "content-length"
                    ]
                    request = httpx.Request(
                        request.method,
                        request.url,
                        headers=headers,
                        content=json.dumps(new_body).encode("utf-8"),
                        extensions=request.extensions,
                    )
            if self.http is None:
                self.http = httpx.AsyncClient(timeout=None, follow_redirects=False)
            response = await self.http.send(request, stream=True)
            if request.method == "GET" and request.url.path.rstrip("/").endswith("/models"):
                body = await response.aread()
                watch.saw_models(str(request.url), response.status_code, body)
                return decoded_response(response, body, request)
            return response

    return ParamsHandler()


def github_token(env: Mapping[str, str]) -> tuple[str, str]:
    """(variable, token): the GitHub token the CLI should use, or a one-line error."""
    for name in TOKEN_VARIABLES:
        token = env.get(name, "").strip()
        if token:
            if token.startswith("ghp_"):
                raise LLMClientError(
                    f"the token in {name} is a classic personal access token (ghp_...), which "
                    "Copilot does not accept: use `gh auth token` or a fine-grained token with "
                    "the Copilot Requests permission",
                    kind=ErrorKind.AUTH,
                )
            return name, token
    raise LLMClientError(
        "GitHub Copilot needs a GitHub token: set COPILOT_GITHUB_TOKEN, GH_TOKEN or "
        "GITHUB_TOKEN (for example GH_TOKEN=$(gh auth token)), or use --llm-base-url for BYOK",
        kind=ErrorKind.CONFIG,
    )


def without_tokens(env: Mapping[str, str]) -> dict[str, str]:
    """`env` minus the GitHub token variables (the SDK passes the token its own way)."""
    return {key: value for key, value in env.items() if key not in TOKEN_VARIABLES}


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
            f"the Copilot CLI could not report its state: {redact_urls(str(exc))}",
            kind=ErrorKind.UNKNOWN,
        ) from exc
    signed_in = auth.statusMessage if auth.isAuthenticated else None
    return CopilotFacts(status.version, signed_in, models)
