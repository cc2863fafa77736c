"""The GitHub path's settings, the model-API watch, and billing arithmetic (no CLI needed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from state_runner.adapters.llm.copilot import failures
from state_runner.adapters.llm.copilot.cli_runtime import private_cache
from state_runner.adapters.llm.copilot.failures import origin
from state_runner.adapters.llm.copilot.requests import (
    ApiWatch,
    RequestRefused,
    decoded_response,
    github_token,
    model_ids,
    without_tokens,
)
from state_runner.domain.llm import ErrorKind, LLMBilling, LLMClientError

CTX = failures.CallContext("gpt-x", None, "COPILOT_API_KEY", 5)


def test_the_token_follows_the_clis_precedence_and_skips_empty_values() -> None:
    env = {"GITHUB_TOKEN": "gho_c", "GH_TOKEN": "gho_b", "COPILOT_GITHUB_TOKEN": " "}
    assert github_token(env) == ("GH_TOKEN", "gho_b")
    assert github_token({"GITHUB_TOKEN": "gho_c"}) == ("GITHUB_TOKEN", "gho_c")


def test_no_token_names_the_variables() -> None:
    with pytest.raises(LLMClientError) as info:
        github_token({"GH_TOKEN": ""})
    assert info.value.kind is ErrorKind.CONFIG
    assert "COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN" in info.value.message
    assert "--llm-base-url" in info.value.message


def test_a_classic_personal_access_token_is_refused_before_anything_starts() -> None:
    with pytest.raises(LLMClientError) as info:
        github_token({"GH_TOKEN": "ghp_secretvalue"})
    assert info.value.kind is ErrorKind.AUTH
    assert "ghp_secretvalue" not in info.value.message and "GH_TOKEN" in info.value.message


def test_the_cli_env_carries_no_token_variable() -> None:
    env = {"GH_TOKEN": "a", "GITHUB_TOKEN": "b", "COPILOT_GITHUB_TOKEN": "c", "PATH": "/bin"}
    assert without_tokens(env) == {"PATH": "/bin"}


def test_the_private_cache_links_the_shared_runtime_and_removing_it_keeps_that(
    tmp_path: Path,
) -> None:
    home, user = tmp_path / "home", tmp_path / "user"
    home.mkdir()
    cache = Path(private_cache(str(home), {"HOME": str(user)}))
    assert cache == home / "cache"
    link = cache / "copilot" / "pkg"
    assert link.is_symlink() and link.resolve() == (user / ".cache/copilot/pkg").resolve()
    (link / "runtime.bin").write_text("unpacked")
    (cache / "copilot" / "copilot-user-cache.json").write_text("{}")
    shutil.rmtree(home)
    assert (user / ".cache/copilot/pkg/runtime.bin").read_text() == "unpacked"
    assert not (user / ".cache/copilot/copilot-user-cache.json").exists()


def test_the_private_cache_works_without_a_shared_one(tmp_path: Path) -> None:
    cache = Path(private_cache(str(tmp_path), {}))
    assert (cache / "copilot").is_dir() and not (cache / "copilot" / "pkg").exists()


def test_the_watch_refuses_other_origins_once_and_then_everything() -> None:
    watch = ApiWatch("http://127.0.0.1:9")
    watch.check("POST", "http://127.0.0.1:9/chat/completions")
    with pytest.raises(RequestRefused):
        watch.check("POST", "https://api.githubcopilot.com/chat/completions")
    assert watch.refused.is_set() and watch.refusal is not None
    assert watch.refusal.kind is ErrorKind.CONNECTION
    assert "https://api.githubcopilot.com" in watch.refusal.message
    with pytest.raises(RequestRefused):  # sticky: the adapter reports the first cause
        watch.check("POST", "http://127.0.0.1:9/chat/completions")


def test_without_a_configured_origin_the_watch_lets_requests_through() -> None:
    ApiWatch(None).check("POST", "https://api.githubcopilot.com/chat/completions")


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, ErrorKind.AUTH, "GitHub refused the token in GH_TOKEN (HTTP 401"),
        (403, ErrorKind.AUTH, "Copilot is not available to this account (HTTP 403"),
    ],
)
def test_a_refused_model_list_is_one_error(status: int, kind: ErrorKind, words: str) -> None:
    watch = ApiWatch(None, "GH_TOKEN")
    watch.saw_models("http://127.0.0.1:9/models", status, b'{"message": "no"}')
    assert watch.refusal is not None and watch.refusal.kind is kind
    assert watch.refusal.message.startswith(words), watch.refusal.message
    assert "http://127.0.0.1:9/models: no)" in watch.refusal.message


def test_the_model_list_keeps_chat_models_only() -> None:
    body = {
        "data": [
            {"id": "a", "capabilities": {"type": "chat"}},
            {"id": "embed", "capabilities": {"type": "embeddings"}},
            {"id": "b"},
            {"name": "no id"},
        ]
    }
    watch = ApiWatch(None)
    watch.saw_models("http://x/models", 200, json.dumps(body).encode())
    assert watch.models == ["a", "b"] and watch.refusal is None
    assert model_ids(b"not json") is None and model_ids(b'{"data": 3}') is None


def test_origin_is_scheme_host_and_port() -> None:
    assert origin("HTTP://127.0.0.1:8080/v1/models?x=1") == "http://127.0.0.1:8080"


def test_session_refusals_say_what_to_change() -> None:
    unknown = failures.session_refused('failed: Model "gpt-x" is not available.', CTX, ["a", "b"])
    assert unknown.message == (
        "model 'gpt-x' is not available to this Copilot account (/models offers: a, b); "
        "choose one with --llm-model"
    )
    unread = failures.session_refused('Model "gpt-x" is not available.', CTX, None)
    assert "no model list was read" in unread.message
    refused = failures.session_refused(
        "Request session.create failed with message: Authentication failed: (401)", CTX, None
    )
    assert refused.kind is ErrorKind.AUTH and refused.message.startswith("GitHub refused the token")
    other = failures.session_refused("boom", CTX, None)
    assert other.message == "could not open a Copilot session: boom"


def test_billing_adds_up_and_coerces_junk_to_zero() -> None:
    total = LLMBilling(1.0, 2e6) + LLMBilling(0.5, 1e6)
    assert total == LLMBilling(1.5, 3e6)
    assert total.to_json() == {"premium_requests": 1.5, "total_nano_aiu": 3e6}
    junk = LLMBilling(float("nan"), -4)
    assert junk == LLMBilling(0.0, 0.0)


def test_a_compressed_model_list_reaches_the_cli_decoded_with_matching_headers() -> None:
    import asyncio
    import gzip

    import httpx

    plain = b'{"data": [{"id": "a"}]}'
    upstream = httpx.Response(
        200,
        headers={"content-encoding": "gzip", "content-type": "application/json"},
        content=gzip.compress(plain),
    )
    body = asyncio.run(upstream.aread())
    assert body == plain
    forwarded = decoded_response(upstream, body, httpx.Request("GET", "http://x/models"))
    assert "content-encoding" not in forwarded.headers
    assert forwarded.headers["content-length"] == str(len(plain))
    assert forwarded.headers["content-type"] == "application/json"
    assert forwarded.content == plain and forwarded.status_code == 200
