"""What transport adapters send, and what they leave behind.

See docs/architecture.md, "The Copilot adapter".
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from state_runner.adapters.llm.copilot import CopilotSDKAdapter
from state_runner.domain.llm import ChatMessage, LLMUsage
from state_runner_contract.servers.model_server import Reply, Usage
from support.harnesses import CopilotHarness, UsageSpec


def test_sampling_parameters_reach_the_model_request(transport: CopilotHarness) -> None:
    messages, expected, _ = transport.answer("sampled", UsageSpec("absent"))
    assert transport.adapter.chat(messages, temperature=0.35, max_tokens=77).content == expected
    body = transport.server.chat_requests()[-1].body
    assert (body["temperature"], body["max_tokens"]) == (0.35, 77)
    transport.answer("default", UsageSpec("absent"))
    transport.adapter.chat(messages)
    body = transport.server.chat_requests()[-1].body
    assert body["temperature"] == 0.0 and "max_tokens" not in body


def test_the_model_request_carries_exactly_the_documented_fields(
    transport: CopilotHarness,
) -> None:
    """README "What is sent to the model": these fields and nothing else (no tools, no stream)."""
    messages, _, _ = transport.answer("fields", UsageSpec("absent"))
    transport.adapter.chat(messages, temperature=0.0)
    body = transport.server.chat_requests()[-1].body
    assert {key: value for key, value in body.items() if key != "messages"} == {
        "model": "test-model",
        "temperature": 0.0,
        "top_p": 0.95,
        "frequency_penalty": 0,
        "presence_penalty": 0,
        **transport.path_fields,
    }


def test_earlier_turns_are_carried_in_the_documented_format(transport: CopilotHarness) -> None:
    transport.answer("third answer", UsageSpec("absent"))
    transport.adapter.chat(
        [
            ChatMessage("system", "sys"),
            ChatMessage("user", "q1"),
            ChatMessage("assistant", "a1"),
            ChatMessage("user", "q2"),
        ]
    )
    assert transport.server.chat_requests()[-1].roles_and_contents() == [
        ("system", "sys"),
        ("user", "[user]\nq1\n\n[assistant]\na1\n\n[user]\nq2"),
    ]


def test_calls_share_no_history(transport: CopilotHarness) -> None:
    for text in ("first", "second"):
        transport.answer(text, UsageSpec("absent"))
        transport.adapter.chat([ChatMessage("system", "S"), ChatMessage("user", f"say {text}")])
        call = transport.server.chat_requests()[-1]
        assert call.roles_and_contents() == [("system", "S"), ("user", f"say {text}")]
        assert call.tools is None and "tools" not in call.body


def test_private_home_is_used_and_removed(transport: CopilotHarness, tmp_path: Path) -> None:
    fake_home = tmp_path / "home"
    fake_home.mkdir()
    adapter = CopilotSDKAdapter(transport.config(), env={**transport.env, "HOME": str(fake_home)})
    try:
        transport.answer("reply-7c1e5b", UsageSpec("absent"))
        reply = adapter.chat([ChatMessage("system", "S"), ChatMessage("user", "prompt-2d9f04")])
        assert reply.content == "reply-7c1e5b"
        home = adapter.home
        assert home is not None and os.path.isdir(home)
    finally:
        adapter.close()
    assert not os.path.exists(home)
    # The CLI caches its own unpacked runtime under ~/.cache/copilot; no session state may land
    # in the user's home: no ~/.copilot, and neither the prompt nor the reply in any file.
    assert not (fake_home / ".copilot").exists()
    for path in fake_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"prompt-2d9f04" not in data and b"reply-7c1e5b" not in data, path


def test_sdk_logger_is_quiet_also_when_verbose(transport: CopilotHarness) -> None:
    logging.getLogger("copilot").setLevel(logging.DEBUG)
    CopilotSDKAdapter(transport.config(verbose=True), env=transport.env).close()
    assert logging.getLogger("copilot").level == logging.CRITICAL
    CopilotSDKAdapter(transport.config(), env=transport.env).close()
    assert logging.getLogger("copilot").level == logging.CRITICAL


def test_responses_wire_api(byok_transport: CopilotHarness) -> None:
    transport = byok_transport  # the wire API is a BYOK setting
    adapter = transport.new_adapter(wire_api="responses")
    try:
        transport.server.reset()
        transport.server.script(Reply("via responses", usage=Usage(prompt=4, completion=6)))
        response = adapter.chat(
            [ChatMessage("system", "S"), ChatMessage("user", "U")], temperature=0.2, max_tokens=33
        )
    finally:
        adapter.close()
    assert response.content == "via responses"
    assert response.usage == LLMUsage(4, 6)
    (request,) = transport.server.model_requests()
    assert request.api == "responses"
    body = request.payload
    assert body["instructions"] == "S"
    assert (body["temperature"], body["max_output_tokens"]) == (0.2, 33)
    assert "U" in json.dumps(body["input"])


def test_system_and_user_text_reach_the_model_unchanged(transport: CopilotHarness) -> None:
    system = "Contract line one.\n\n  indented \u2014 caf\u00e9\n"
    user = "User text\nwith a trailing newline\n"
    transport.answer("reply", UsageSpec("absent"))
    response = transport.adapter.chat(
        [ChatMessage("system", system), ChatMessage("user", user)], temperature=0.0
    )
    assert response.content == "reply"
    seen = transport.server.chat_requests()[-1].roles_and_contents()
    assert seen == [("system", system), ("user", user)]


def test_usage_reported_as_json_null_is_zero(transport: CopilotHarness) -> None:
    messages, _, _ = transport.answer("null usage", UsageSpec("null"))
    usage = transport.adapter.chat(messages).usage
    assert (type(usage.prompt_tokens), type(usage.completion_tokens)) == (int, int)
    assert (usage.prompt_tokens, usage.completion_tokens) == (0, 0)
