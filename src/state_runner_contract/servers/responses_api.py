"""Responses API answers of the model server: one ``response`` object, or its SSE events."""

from __future__ import annotations

import time
from collections.abc import Callable

from state_runner_contract.servers.json_value import JSON
from state_runner_contract.servers.recording import RecordedRequest
from state_runner_contract.servers.replies import DEFAULT_MODEL, Reply
from state_runner_contract.servers.wire import WireHandler, chunks, sse

Event = tuple[str, dict[str, JSON]]


def send_responses(
    handler: WireHandler, reply: Reply, request: RecordedRequest, new_id: Callable[[str], str]
) -> None:
    """Answer a Responses API request with ``reply`` (streamed when it asked for a stream)."""
    response_id = new_id("resp")
    item_id = new_id("msg")
    text_part: dict[str, JSON] = {"type": "output_text", "text": reply.content, "annotations": []}
    item: dict[str, JSON] = {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [text_part],
    }
    final: dict[str, JSON] = {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": request.model or DEFAULT_MODEL,
        "output": [item],
    }
    if reply.usage == "null":
        final["usage"] = None
    elif reply.usage is not None:
        final["usage"] = reply.usage.responses_json()
    if not request.stream:
        handler.send_json(200, final)
        return
    handler.start_stream()
    for sequence, (name, data) in enumerate(_events(reply, final, item, text_part)):
        payload = {"type": name, "sequence_number": sequence, **data}
        handler.write_chunk(f"event: {name}\n".encode() + sse(payload))
    handler.end_stream()


def _events(
    reply: Reply, final: dict[str, JSON], item: dict[str, JSON], text_part: dict[str, JSON]
) -> list[Event]:
    """The stream's events, from ``response.created`` to ``response.completed``."""
    in_progress: dict[str, JSON] = {
        **{key: final[key] for key in ("id", "object", "created_at")},
        "status": "in_progress",
        "model": final["model"],
        "output": [],
    }
    empty_item: dict[str, JSON] = {**item, "status": "in_progress", "content": []}
    place: dict[str, JSON] = {"item_id": item["id"], "output_index": 0, "content_index": 0}
    empty_part: dict[str, JSON] = {"type": "output_text", "text": "", "annotations": []}
    events: list[Event] = [
        ("response.created", {"response": in_progress}),
        ("response.in_progress", {"response": in_progress}),
        ("response.output_item.added", {"output_index": 0, "item": empty_item}),
        ("response.content_part.added", {**place, "part": empty_part}),
    ]
    for piece in chunks(reply.content, reply.chunk_chars):
        events.append(("response.output_text.delta", {**place, "delta": piece}))
    return [
        *events,
        ("response.output_text.done", {**place, "text": reply.content}),
        ("response.content_part.done", {**place, "part": text_part}),
        ("response.output_item.done", {"output_index": 0, "item": item}),
        ("response.completed", {"response": final}),
    ]
