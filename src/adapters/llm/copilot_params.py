"""Put the caller's `temperature` / `max_tokens` into the model request the Copilot CLI sends.

The SDK has no temperature option; a `CopilotRequestHandler` sees every outgoing model request
(tagged with its session id) and may rewrite the JSON body before it is sent. The same handler
shows each request and `/models` answer to the adapter's `ApiWatch`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from state_runner.adapters.llm.copilot_watch import ApiWatch

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class CallParams:
    temperature: float
    max_tokens: int | None


def rewrite_body(body: object, params: CallParams, *, responses_api: bool) -> object:
    """The request body with the call's sampling parameters set."""
    if not isinstance(body, dict):
        return body
    updated = dict(body)
    updated["temperature"] = params.temperature
    if params.max_tokens is not None:
        updated["max_output_tokens" if responses_api else "max_tokens"] = params.max_tokens
    return updated


ENCODING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


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
