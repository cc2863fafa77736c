"""The model server's request handler: routes GitHub, model, proxy and fault answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from state_runner_contract.servers.chat_api import chat_chunk, send_chat
from state_runner_contract.servers.json_value import JSON
from state_runner_contract.servers.recording import RecordedRequest, route
from state_runner_contract.servers.replies import Fault
from state_runner_contract.servers.responses_api import send_responses
from state_runner_contract.servers.wire import WireHandler, error_body, sse

if TYPE_CHECKING:
    from state_runner_contract.servers.model_server import ModelServer


class ModelHandler(WireHandler):
    """Answers one connection's requests on behalf of the owning ``ModelServer``."""

    @property
    def owner(self) -> ModelServer:
        return self.server.owner

    def do_GET(self) -> None:
        request = self._read_and_record()
        if self._github_answered(request):
            return
        if request.api == "models":
            self.send_json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "tests"}
                        for m in self.owner.models
                    ],
                },
            )
        else:
            self.send_json(404, json.loads(error_body(404)))

    def do_CONNECT(self) -> None:
        """A proxy tunnel: something tried to reach another host. Recorded and refused."""
        self._read_and_record()
        self.send_json(403, {"message": "this test server only serves loopback"})
        self.close_connection = True

    def do_POST(self) -> None:
        request = self._read_and_record()
        if self._github_answered(request):
            return
        if request.api not in ("chat", "responses"):
            self.send_json(404, json.loads(error_body(404)))
            return
        reply = self.owner._next_reply(request)
        if reply.delay > 0 and self.owner._sleep(reply.delay):
            self.close_connection = True
            return
        if reply.fault is not None:
            self._fault(reply.fault, request)
        elif request.api == "chat":
            send_chat(self, reply, request, self.owner._next_id)
        else:
            send_responses(self, reply, request, self.owner._next_id)

    def _github_answered(self, request: RecordedRequest) -> bool:
        """Answer a GitHub / Copilot API request when this server fakes GitHub."""
        github = self.owner.github
        if github is None:
            return False
        answer = github.answer(
            request.method, route(request.path), request.headers, self.owner.root_url
        )
        if answer is None:
            return False
        self.send_json(*answer)
        return True

    def _read_and_record(self) -> RecordedRequest:
        body = self.read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        return self.owner._record(self.command, self.path, headers, body)

    def _fault(self, fault: Fault, request: RecordedRequest) -> None:
        if fault.kind == "http":
            body = fault.body if fault.body is not None else error_body(fault.status)
            self.send_raw(fault.status, body.encode(), "application/json", fault.headers)
        elif fault.kind == "malformed":
            self._malformed(fault, request)
        elif fault.kind == "hang":
            if fault.partial:
                self.start_stream()
                delta: dict[str, JSON] = {"role": "assistant", "content": "partial"}
                first = chat_chunk(request, delta, self.owner._next_id("chatcmpl"))
                self.write_chunk(sse(first))
            self.owner._sleep(fault.seconds)
            self.close_connection = True
        else:  # close
            self.close_connection = True

    def _malformed(self, fault: Fault, request: RecordedRequest) -> None:
        if request.stream:
            broken = fault.body or 'data: {"id": "broken", "choices": [{"delta": {"con\n\n'
            self.start_stream()
            self.write_chunk(broken.encode())
            self.end_stream()
        else:
            broken = fault.body or '{"id": "broken", "object": "chat.completion", "choi'
            self.send_raw(200, broken.encode(), "application/json")
