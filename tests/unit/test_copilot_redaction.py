"""The Copilot adapter shows no credential and lets no secret out in a reply."""

from __future__ import annotations

import pytest

from state_runner.adapters.llm.copilot import failures as f
from state_runner.adapters.llm.copilot.reply_scrub import scrub_reply
from state_runner.adapters.llm.copilot.requests import ApiWatch, RequestRefused, watch_for
from state_runner.domain.llm import LLMClientError
from state_runner.domain.secrets import KEY_MARKER, URL_MARKER

URL = "https://alice:pw-userinfo-1@host:8443/v1?api-key=qk-query-value-2"
CTX = f.CallContext("m", URL, "MY_KEY", 5, secret="sk-the-api-key-3")
SECRETS = ("pw-userinfo-1", "qk-query-value-2", "sk-the-api-key-3")


def messages() -> list[str]:
    """Every message the failures module builds for CTX, each fed the secrets as detail."""
    detail = f"echo {URL} and {' '.join(SECRETS)}"
    errors = [f.for_status(status, CTX, detail) for status in (401, 429, 404, 501, 503)]
    errors += [
        f.from_session_error(f"Session error: {detail}", None, None, CTX),
        f.session_refused(detail, CTX, None),
        f.timed_out(CTX, None),
    ]
    return [error.message for error in errors]


def test_no_failure_message_shows_a_credential() -> None:
    for message in messages():
        for secret in SECRETS:
            assert secret not in message, message
    shown = "https://***@host:8443/v1?api-key=***"
    assert shown in f.for_status(404, CTX).message
    assert CTX.where == shown


def test_the_allowed_origin_has_no_user_info() -> None:
    assert f.origin(URL) == "https://host:8443"
    watch = watch_for(URL, {}, None)
    watch.check("GET", "https://host:8443/v1/models")  # the same origin: allowed
    watch = ApiWatch(f.origin(URL), None, "--llm-base-url")
    with pytest.raises(RequestRefused):
        watch.check("POST", "https://bob:pw-other-4@elsewhere/v1")
    assert isinstance(watch.refusal, LLMClientError)
    assert "pw-other-4" not in watch.refusal.message
    assert "pw-userinfo-1" not in watch.refusal.message


def test_a_reply_is_scrubbed_of_the_key_and_the_url_credentials() -> None:
    reply = "key sk-the-api-key-3, password pw-userinfo-1, query qk-query-value-2."
    content, found = scrub_reply(reply, CTX)
    assert content == f"key {KEY_MARKER}, password {URL_MARKER}, query {URL_MARKER}."
    assert found == ("the API key in MY_KEY", "a credential of --llm-base-url")
    github = f.CallContext("m", None, "K", 5, secret="gho_token_value", token_variable="GH_TOKEN")
    assert scrub_reply("t gho_token_value", github) == (
        f"t {KEY_MARKER}",
        ("the GitHub token in GH_TOKEN",),
    )
    assert scrub_reply("a clean reply", CTX) == ("a clean reply", ())
