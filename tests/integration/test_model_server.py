"""The loopback model server fixture itself, exercised with plain urllib."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from state_runner_contract.servers.model_server import (
    ChatCall,
    Fault,
    ModelServer,
    RecordedRequest,
    Reply,
    Usage,
    iter_sse_data,
)

MESSAGES = [
    {"role": "system", "content": "be terse"},
    {"role": "user", "content": "hi ✓"},
]


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


def post(
    server: ModelServer,
    body: dict[str, Any],
    *,
    path: str = "/chat/completions",
    timeout: float = 5.0,
    base: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        (base if base is not None else server.base_url) + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer sk-test"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers.items()), response.read()


def chat(server: ModelServer, *, stream: bool = False, **extra: Any) -> bytes:
    body = {"model": "m-1", "messages": MESSAGES, "stream": stream, **extra}
    status, _, raw = post(server, body)
    assert status == 200
    return raw


def stream_events(raw: bytes) -> list[dict[str, Any]]:
    payloads = list(iter_sse_data(raw))
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def streamed_content(events: list[dict[str, Any]]) -> str:
    return "".join(
        choice["delta"].get("content") or "" for event in events for choice in event["choices"]
    )


# -- basics ---------------------------------------------------------------------------


def test_binds_loopback_on_a_free_port(server: ModelServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert server.port > 0
    with ModelServer() as other:
        assert other.port != server.port


def test_non_streaming_chat_completion(server: ModelServer) -> None:
    server.script(Reply("hello there", usage=Usage(prompt=3, completion=5)))
    body = json.loads(chat(server))
    assert body["object"] == "chat.completion"
    assert body["model"] == "m-1"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "hello there"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}


def test_streaming_chat_completion(server: ModelServer) -> None:
    content = "streamed ünïcødé 🎉 text that spans several chunks"
    server.script(Reply(content, usage=Usage(prompt=2, completion=9), chunk_chars=5))
    events = stream_events(chat(server, stream=True))
    assert all(e["object"] == "chat.completion.chunk" for e in events)
    assert streamed_content(events) == content
    deltas = [c["delta"] for e in events for c in e["choices"] if c["delta"].get("content")]
    assert len(deltas) == -(-len(content) // 5)
    assert deltas[0]["role"] == "assistant"
    finals = [c["finish_reason"] for e in events for c in e["choices"] if c["finish_reason"]]
    assert finals == ["stop"]
    usage_events = [e for e in events if "usage" in e]
    assert len(usage_events) == 1 and usage_events[0] is events[-1]
    assert usage_events[0]["choices"] == []
    assert usage_events[0]["usage"] == {
        "prompt_tokens": 2,
        "completion_tokens": 9,
        "total_tokens": 11,
    }


def test_path_without_v1_prefix(server: ModelServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    _, _, raw = post(server, {"messages": MESSAGES}, base=base)
    assert json.loads(raw)["choices"][0]["message"]["content"] == "ok"
    assert server.requests[0].path == "/chat/completions"
    assert server.requests[0].api == "chat"


def test_models_endpoint(server: ModelServer) -> None:
    with urllib.request.urlopen(server.base_url + "/models", timeout=5) as response:
        body = json.loads(response.read())
    assert [m["id"] for m in body["data"]] == ["test-model"]
    assert server.requests[0].api == "models"
    assert server.model_requests() == []


def test_unknown_path_is_404_and_recorded(server: ModelServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        post(server, {}, path="/embeddings")
    assert info.value.code == 404
    assert server.requests[0].path == "/v1/embeddings"
    assert server.requests[0].api == "other"


# -- usage variants -------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_usage_absent(server: ModelServer, stream: bool) -> None:
    server.script(Reply("x", usage=None))
    raw = chat(server, stream=stream)
    if stream:
        assert all("usage" not in e for e in stream_events(raw))
    else:
        assert "usage" not in json.loads(raw)


@pytest.mark.parametrize("stream", [False, True])
def test_usage_null(server: ModelServer, stream: bool) -> None:
    server.script(Reply("x", usage="null"))
    raw = chat(server, stream=stream)
    if stream:
        events = stream_events(raw)
        assert [e["usage"] for e in events if "usage" in e] == [None]
        assert streamed_content(events) == "x"
    else:
        assert json.loads(raw)["usage"] is None


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (Usage(prompt=None, completion=None), {"prompt_tokens": None, "completion_tokens": None}),
        (
            Usage(prompt=2**70, completion=10**30),
            {"prompt_tokens": 2**70, "completion_tokens": 10**30, "total_tokens": 2**70 + 10**30},
        ),
        (
            Usage(prompt=-1, completion="7", total=None),
            {"prompt_tokens": -1, "completion_tokens": "7", "total_tokens": None},
        ),
        (Usage(raw={"weird": [1, 2]}), {"weird": [1, 2]}),
    ],
)
def test_usage_values_are_sent_verbatim(
    server: ModelServer, usage: Usage, expected: dict[str, Any]
) -> None:
    server.script(Reply("x", usage=usage), Reply("y", usage=usage))
    assert json.loads(chat(server))["usage"] == expected
    assert stream_events(chat(server, stream=True))[-1]["usage"] == expected


# -- faults ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_http_fault(server: ModelServer, status: int) -> None:
    server.script(Reply(fault=Fault.http(status)))
    with pytest.raises(urllib.error.HTTPError) as info:
        chat(server)
    assert info.value.code == status
    error = json.loads(info.value.read())["error"]
    assert error["code"] == str(status)
    assert "injected" in error["message"]
    assert len(server.chat_requests()) == 1


def test_http_fault_custom_body_and_headers(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.http(429, "slow down", headers={"Retry-After": "7"})))
    with pytest.raises(urllib.error.HTTPError) as info:
        chat(server, stream=True)
    assert info.value.code == 429
    assert info.value.headers["Retry-After"] == "7"
    assert info.value.read() == b"slow down"


def test_http_fault_rejects_success_status() -> None:
    with pytest.raises(ValueError, match="400-599"):
        Fault.http(200)


def test_malformed_non_streaming(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.malformed()))
    raw = chat(server)
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)


def test_malformed_streaming(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.malformed()))
    payloads = list(iter_sse_data(chat(server, stream=True)))
    assert payloads and "[DONE]" not in payloads
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[0])


def test_malformed_custom_body(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.malformed("<html>gateway</html>")))
    assert chat(server) == b"<html>gateway</html>"


def test_close_without_response(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.close()))
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError)):
        chat(server)
    assert len(server.chat_requests()) == 1


def test_hang_times_out_the_client(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.hang(30)))
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        post(server, {"messages": MESSAGES}, timeout=0.3)
    assert time.monotonic() - started < 5


def test_hang_ends_after_its_seconds(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.hang(0.2)))
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError)):
        post(server, {"messages": MESSAGES}, timeout=5)


def test_partial_hang_sends_a_first_chunk_then_stalls(server: ModelServer) -> None:
    server.script(Reply(fault=Fault.hang(30, partial=True)))
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps({"messages": MESSAGES, "stream": True}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=1.0) as response:
        assert response.status == 200
        first = response.readline()
        assert b"partial" in first
        with pytest.raises(TimeoutError):
            response.read()


def test_stop_during_hang_returns_promptly() -> None:
    server = ModelServer().start()
    server.script(Reply(fault=Fault.hang(3600)))
    outcome: list[BaseException | bytes] = []

    def client() -> None:
        try:
            outcome.append(chat(server))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    assert server.wait_for_requests(1, timeout=5)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2.0
    thread.join(5)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Exception)


def test_stop_closes_idle_keep_alive_connections() -> None:
    server = ModelServer().start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("POST", "/v1/chat/completions", body=json.dumps({"messages": MESSAGES}))
    assert connection.getresponse().read()  # the connection stays open (HTTP/1.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2.0
    connection.close()


def test_delay_then_answer(server: ModelServer) -> None:
    server.script(Reply("late", delay=0.3))
    started = time.monotonic()
    assert json.loads(chat(server))["choices"][0]["message"]["content"] == "late"
    assert time.monotonic() - started >= 0.3


# -- scripting order and responder ------------------------------------------------------


def test_queue_then_default(server: ModelServer) -> None:
    server.default = Reply("fallback")
    server.script("one", Reply("two"))
    contents = [json.loads(chat(server))["choices"][0]["message"]["content"] for _ in range(3)]
    assert contents == ["one", "two", "fallback"]
    assert server.pending_replies() == 0


def test_responder_sees_the_request_and_queue_wins() -> None:
    def echo(request: RecordedRequest) -> Reply | str:
        messages = request.payload.get("messages")
        assert isinstance(messages, list)
        last = messages[-1]
        assert isinstance(last, dict)
        return f"echo: {last['content']}"

    with ModelServer(responder=echo) as server:
        server.script("scripted")
        first = json.loads(chat(server))["choices"][0]["message"]["content"]
        second = streamed_content(stream_events(chat(server, stream=True)))
    assert first == "scripted"
    assert second == "echo: hi ✓"


def test_responder_can_inject_faults() -> None:
    with ModelServer(responder=lambda request: Reply(fault=Fault.http(503))) as server:
        with pytest.raises(urllib.error.HTTPError) as info:
            chat(server)
        assert info.value.code == 503


# -- recording ------------------------------------------------------------------------


def test_records_path_headers_and_body(server: ModelServer) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    chat(server, temperature=0.5, tools=tools)
    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.payload["temperature"] == 0.5
    assert request.model == "m-1"
    assert request.stream is False
    (call,) = server.chat_requests()
    assert isinstance(call, ChatCall)
    assert call.messages == MESSAGES
    assert call.tools == tools
    assert call.roles_and_contents() == [("system", "be terse"), ("user", "hi ✓")]


def test_records_non_json_body(server: ModelServer) -> None:
    request = urllib.request.Request(
        server.base_url + "/chat/completions", data=b"not json", method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    (recorded,) = server.requests
    assert recorded.body == b"not json"
    assert recorded.json is None
    assert server.chat_requests()[0].messages == []


def test_recording_is_thread_safe(server: ModelServer) -> None:
    count = 24
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            chat(server, stream=number % 2 == 0, user=str(number))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    requests = server.requests
    assert len(requests) == count
    assert sorted(r.index for r in requests) == list(range(count))
    assert sorted(str(r.payload["user"]) for r in requests) == sorted(str(n) for n in range(count))


def test_wait_for_requests_and_reset(server: ModelServer) -> None:
    assert server.wait_for_requests(1, timeout=0.1) is False
    chat(server)
    assert server.wait_for_requests(1, timeout=0.1) is True
    server.script("left over")
    server.reset()
    assert server.requests == [] and server.pending_replies() == 0


# -- responses API --------------------------------------------------------------------


def test_responses_api_non_streaming(server: ModelServer) -> None:
    server.script(Reply("resp ✓", usage=Usage(prompt=7, completion=3)))
    _, _, raw = post(server, {"model": "m", "input": "hi"}, path="/responses")
    body = json.loads(raw)
    assert body["object"] == "response" and body["status"] == "completed"
    assert body["output"][0]["content"][0]["text"] == "resp ✓"
    assert body["usage"] == {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}
    assert server.model_requests()[0].api == "responses"


def test_responses_api_streaming(server: ModelServer) -> None:
    server.script(Reply("abcdefghij", usage=Usage(prompt=1, completion=2), chunk_chars=4))
    _, headers, raw = post(server, {"model": "m", "input": "hi", "stream": True}, path="/responses")
    assert headers["Content-Type"] == "text/event-stream"
    events = [json.loads(p) for p in iter_sse_data(raw)]
    types = [e["type"] for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert deltas == ["abcd", "efgh", "ij"]
    assert events[-1]["response"]["usage"]["output_tokens"] == 2


# -- lifecycle ------------------------------------------------------------------------


def test_stop_is_idempotent_and_frees_the_port() -> None:
    server = ModelServer().start()
    port = server.port
    server.stop()
    server.stop()
    assert not server.running
    with pytest.raises(RuntimeError):
        server.start()
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(1)
        probe.connect(("127.0.0.1", port))


def test_stop_without_start() -> None:
    ModelServer().stop()
