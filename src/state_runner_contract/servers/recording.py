"""What the model server received: recorded requests and the chat calls read from them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from state_runner_contract.servers.json_value import JSON


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    index: int
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    json: JSON
    received_at: float

    @property
    def api(self) -> Literal["chat", "responses", "models", "other"]:
        endpoint = route(self.path)
        if endpoint == "/chat/completions":
            return "chat"
        if endpoint == "/responses":
            return "responses"
        if endpoint == "/models":
            return "models"
        return "other"

    @property
    def payload(self) -> dict[str, JSON]:
        """The JSON body when it is an object, else an empty dict."""
        return self.json if isinstance(self.json, dict) else {}

    @property
    def stream(self) -> bool:
        return self.payload.get("stream") is True

    @property
    def model(self) -> str | None:
        model = self.payload.get("model")
        return model if isinstance(model, str) else None


@dataclass(frozen=True)
class ChatCall:
    """What the model saw in one Chat Completions request."""

    request: RecordedRequest
    messages: list[dict[str, JSON]]
    tools: list[JSON] | None

    @property
    def body(self) -> dict[str, JSON]:
        return self.request.payload

    def roles_and_contents(self) -> list[tuple[str, str]]:
        """``[(role, content)]`` with content parts flattened to their text."""
        return [
            (str(message.get("role")), text_of(message.get("content")))
            for message in self.messages
        ]


def chat_calls(requests: list[RecordedRequest]) -> list[ChatCall]:
    """The Chat Completions requests: the ``messages`` (and ``tools``) the model saw."""
    calls: list[ChatCall] = []
    for request in requests:
        if request.api != "chat":
            continue
        raw_messages = request.payload.get("messages")
        messages = [
            m
            for m in (raw_messages if isinstance(raw_messages, list) else [])
            if isinstance(m, dict)
        ]
        tools = request.payload.get("tools")
        calls.append(ChatCall(request, messages, tools if isinstance(tools, list) else None))
    return calls


def parse_json(body: bytes) -> JSON:
    """The body as JSON; None when it is empty or not JSON."""
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None


def route(path: str) -> str:
    """The path without its query, trailing slash and optional `/v1` prefix."""
    bare = path.split("?", 1)[0].rstrip("/")
    if bare.startswith("/v1/"):
        bare = bare[3:]
    return bare


def text_of(content: JSON) -> str:
    """A message content as text: content parts flattened to their text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(str(part["text"]))
        return "".join(parts)
    return "" if content is None else json.dumps(content)
