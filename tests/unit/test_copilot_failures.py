"""Classification of Copilot SDK failures into LLMClientError kinds and one-line messages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from state_runner.adapters.llm.copilot import failures as f
from state_runner.adapters.llm.copilot.requests import CallParams, rewrite_body
from state_runner.adapters.llm.copilot.session_call import split_conversation
from state_runner.domain.llm import ChatMessage, ErrorKind

CTX = f.CallContext(
    model="m1",
    base_url="http://127.0.0.1:9/v1",
    api_key_env="MY_KEY",
    timeout_s=7,
    secret="sk-secret",
)


@dataclass
class Failure:
    status_code: int | None = None
    error_message: str | None = None
    error_type: str | None = None


@dataclass
class SessionError:
    error_type: str = "query"
    message: str = ""
    status_code: int | None = None


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.BAD_REQUEST),
        (401, ErrorKind.AUTH),
        (403, ErrorKind.AUTH),
        (404, ErrorKind.BAD_REQUEST),
        (422, ErrorKind.BAD_REQUEST),
        (429, ErrorKind.RATE_LIMIT),
        (500, ErrorKind.PROVIDER),
        (503, ErrorKind.PROVIDER),
    ],
)
def test_status_codes_map_to_kinds(status: int, kind: ErrorKind) -> None:
    error = f.from_failure(Failure(status, "boom"), CTX)
    assert error.kind is kind
    assert f"HTTP {status}" in error.message


def test_only_unfixable_statuses_fail_fast() -> None:
    assert [
        s for s in (400, 401, 403, 404, 408, 429, 500, 503) if f.is_fatal_failure(Failure(s))
    ] == [400, 401, 403, 404]
    assert not f.is_fatal_failure(Failure(None, "tcp connect error"))


def test_messages_name_the_knob_and_hide_the_key() -> None:
    auth = f.from_failure(Failure(401, "bad key sk-secret given"), CTX)
    assert "env MY_KEY" in auth.message and "sk-secret" not in auth.message
    assert "***" in auth.message
    github = f.for_status(401, f.CallContext("m", None, "K", 5))
    assert "COPILOT_GITHUB_TOKEN" in github.message and "GitHub Copilot" in github.message
    renew = f.for_status(401, f.CallContext("m", None, "K", 5, token_variable="GH_TOKEN"))
    assert "renew the GitHub token in GH_TOKEN" in renew.message
    bad = f.from_failure(Failure(404), CTX)
    assert "--llm-base-url" in bad.message and "--llm-model 'm1'" in bad.message


def test_not_implemented_is_final_and_points_at_the_endpoint() -> None:
    assert f.is_fatal_failure(Failure(501)) and not f.is_fatal_failure(Failure(503))
    error = f.from_failure(Failure(501), CTX)
    assert error.kind is ErrorKind.BAD_REQUEST
    assert "does not implement this request (HTTP 501)" in error.message
    assert "check --llm-base-url" in error.message


def test_transport_failures() -> None:
    parse = f.from_failure(Failure(None, "body was not valid JSON: EOF"), CTX)
    assert parse.kind is ErrorKind.BAD_RESPONSE
    refused = f.from_failure(Failure(None, "(Connect): tcp connect error"), CTX)
    assert refused.kind is ErrorKind.CONNECTION


def test_session_errors() -> None:
    auth = f.from_session_error("Session error: x", SessionError("authentication", "x"), None, CTX)
    assert auth.kind is ErrorKind.AUTH
    limited = f.from_session_error("Session error: x", SessionError("rate_limit"), None, CTX)
    assert limited.kind is ErrorKind.RATE_LIMIT
    no_token = f.from_session_error(
        "Session error: Execution failed: InvalidArg, No GitHub OAuth token or Copilot HMAC key "
        "provided",
        None,
        None,
        f.CallContext("m", None, "K", 5),
    )
    assert no_token.kind is ErrorKind.AUTH and "GH_TOKEN" in no_token.message
    empty = f.from_session_error(
        "Session error: No response was returned.",
        SessionError("query", "No response was returned. Send your message again to retry."),
        None,
        CTX,
    )
    assert empty.kind is ErrorKind.BAD_RESPONSE
    by_failure = f.from_session_error("Session error: retried", None, Failure(503), CTX)
    assert by_failure.kind is ErrorKind.PROVIDER


def test_timeouts_are_classified_by_the_last_failure() -> None:
    plain = f.timed_out(CTX, None)
    assert plain.kind is ErrorKind.TIMEOUT and "within 7s" in plain.message
    limited = f.timed_out(CTX, Failure(429))
    assert limited.kind is ErrorKind.RATE_LIMIT and limited.message.startswith("gave up after 7s")


@pytest.mark.parametrize(
    ("exc", "fragment"),
    [
        (RuntimeError("Copilot CLI not found at /x/copilot"), "was not found"),
        (PermissionError(13, "Permission denied"), "is not executable"),
        (
            RuntimeError("CLI process exited with code 1\nstderr: BYOK needs a model"),
            "exited at start-up: BYOK needs a model",
        ),
        (TimeoutError(), "did not answer at start-up"),
    ],
)
def test_startup_failures(exc: BaseException, fragment: str) -> None:
    error = f.startup_failed(exc, "/x/copilot")
    assert error.kind is ErrorKind.STARTUP and fragment in error.message
    assert error.message.startswith("Copilot CLI /x/copilot ")
    assert "\n" not in error.message


def test_redaction_folds_lines_and_bounds_length() -> None:
    text = CTX.redact("a\nb  sk-secret " + "x" * 500)
    assert text.startswith("a b *** ") and text.endswith("...")
    assert len(text) == f.DETAIL_CHARS + 3


def test_conversation_mapping() -> None:
    plain = [ChatMessage("system", "S1"), ChatMessage("system", "S2"), ChatMessage("user", "U")]
    assert split_conversation(plain) == ("S1\n\nS2", "U")
    turns = [ChatMessage("user", "q1"), ChatMessage("assistant", "a1"), ChatMessage("user", "q2")]
    assert split_conversation(turns) == ("", "[user]\nq1\n\n[assistant]\na1\n\n[user]\nq2")


def test_request_body_rewrite() -> None:
    body = {"model": "m", "temperature": 0, "messages": []}
    assert rewrite_body(body, CallParams(0.4, 64), responses_api=False) == {
        "model": "m",
        "temperature": 0.4,
        "messages": [],
        "max_tokens": 64,
    }
    assert rewrite_body(body, CallParams(0.0, 9), responses_api=True) == {
        **body,
        "temperature": 0.0,
        "max_output_tokens": 9,
    }
    assert rewrite_body(body, CallParams(0.0, None), responses_api=False) == {
        **body,
        "temperature": 0.0,
    }
    assert rewrite_body([1], CallParams(1.0, None), responses_api=False) == [1]
