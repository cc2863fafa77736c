"""Chat Completions answers of the model server: one JSON body, or an SSE stream of chunks."""

from __future__ import annotations

import time
from collections.abc import Callable

from state_runner_contract.servers.json_value import JSON
from state_runner_contract.servers.recording import RecordedRequest
from state_runner_contract.servers.replies import DEFAULT_MODEL, Reply, Usage
from state_runner_contract.servers.wire import WireHandler, chunks, sse

NewId = Callable[[str], str]  # a fresh id with this prefix


def send_chat(handler: WireHandler, reply: Reply, request: RecordedRequest, new_id: NewId) -> None:
    """Answer a Chat Completions request with ``reply`` (streamed when it asked for a stream)."""
    if request.stream:
        _stream_chat(handler, reply, request, new_id)
    else:
        handler.send_json(200, _chat_body(reply, request, new_id("chatcmpl")))


def chat_chunk(
    request: RecordedRequest,
    delta: dict[str, JSON],
    chunk_id: str,
    *,
    finish_reason: str | None = None,
) -> dict[str, JSON]:
    """One ``chat.completion.chunk`` of a stream."""
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.model or DEFAULT_MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _chat_body(reply: Reply, request: RecordedRequest, answer_id: str) -> dict[str, JSON]:
    body: dict[str, JSON] = {
        "id": answer_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model or DEFAULT_MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
    }
    if reply.usage == "null":
        body["usage"] = None
    elif reply.usage is not None:
        body["usage"] = reply.usage.chat_json()
    body.update(reply.extra)
    return body


def _stream_chat(
    handler: WireHandler, reply: Reply, request: RecordedRequest, new_id: NewId
) -> None:
    handler.start_stream()
    chunk_id = new_id("chatcmpl")
    for number, piece in enumerate(chunks(reply.content, reply.chunk_chars)):
        delta: dict[str, JSON] = {"content": piece}
        if number == 0:
            delta["role"] = "assistant"
        handler.write_chunk(sse(chat_chunk(request, delta, chunk_id)))
    final = chat_chunk(request, {}, chunk_id, finish_reason=reply.finish_reason)
    if reply.usage == "null":
        final["usage"] = None
    if not isinstance(reply.usage, Usage):
        final.update(reply.extra)
    handler.write_chunk(sse(final))
    if isinstance(reply.usage, Usage):
        usage_chunk = chat_chunk(request, {}, chunk_id)
        usage_chunk["choices"] = []
        usage_chunk["usage"] = reply.usage.chat_json()
        usage_chunk.update(reply.extra)
        handler.write_chunk(sse(usage_chunk))
    handler.write_chunk(b"data: [DONE]\n\n")
    handler.end_stream()
