"""No secret in any output or file (issue 18, item 5), through the real Copilot CLI.

Credentials inside `--llm-base-url` (user-info, query values) are shown masked everywhere; a
model reply that echoes the API key is stored with a marker in its place, with a warning.
"""

from __future__ import annotations

import base64
from pathlib import Path

from state_runner.domain.secrets import KEY_MARKER
from state_runner_contract.servers.github_fake import GITHUB_TOKEN, GitHubApi
from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.copilot_run import (
    BYOK_KEY,
    copilot_args,
    files_containing,
    github_args,
    github_env,
    homes,
)
from support.kernel_model import ADDED_SENTENCE, KernelModel
from support.workspace import Book, Result, run_cli

PASSWORD = "pw-e2e-userinfo-7d2e1b"
QUERY_KEY = "qk-e2e-query-key-3a9c55"
QUERY_OTHER = "qv-e2e-query-other-b81f0e"


def assert_nowhere(secret: str, runs: list[Result], book: Book, env: dict[str, str]) -> None:
    """`secret` is in no output of `runs`, no file of the book, the HOME or a Copilot home."""
    for result in runs:
        assert secret not in result.stdout + result.stderr
    needle = secret.encode()
    assert files_containing(book.root, needle) == []
    assert files_containing(Path(env["HOME"]), needle) == []
    for home in homes(env):
        assert files_containing(home, needle) == [], home


def with_url(args: list[str], url: str) -> list[str]:
    """`args` with the `--llm-base-url` value replaced by `url`."""
    at = args.index("--llm-base-url") + 1
    return [*args[:at], url, *args[at + 1 :]]


def test_credentials_in_the_base_url_are_masked_everywhere(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    server.responder = KernelModel(approve=False)
    port = server.port
    userinfo = f"http://alice:{PASSWORD}@127.0.0.1:{port}/v1"
    queried = f"{userinfo}?api-key={QUERY_KEY}&key={QUERY_OTHER}"
    args = copilot_args(book, server, "--max-iterations", "1", "-v")
    runs = [run_cli(*with_url(args, queried), cwd=book.root, env=env)]
    # The CLI appends the endpoint to the whole URL, query included, so the request misses
    # the API (404); the server saw the query, the person sees it masked.
    assert runs[0].code == 3
    assert [r.path for r in server.requests] == [
        f"/v1?api-key={QUERY_KEY}&key={QUERY_OTHER}/chat/completions"
    ]
    shown = f"http://***@127.0.0.1:{port}/v1?api-key=***&key=***"
    assert f"(HTTP 404) at {shown}: check --llm-base-url" in runs[0].stderr
    server.reset()
    runs.append(run_cli(*with_url(args, userinfo), cwd=book.root, env=env))
    assert runs[1].code == 1, runs[1].stderr  # user-info works: the CLI sends it as Basic auth
    sent = {r.headers.get("authorization") for r in server.model_requests()}
    assert sent == {"Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()}
    runs.append(run_cli("doctor", "--llm-model", "test-model", "--llm-base-url", queried,
                        cwd=book.root, env=env))  # fmt: skip
    assert f"auth: BYOK endpoint {shown} with the key in COPILOT_API_KEY" in runs[2].stdout
    bad = f"ftp://alice:{PASSWORD}@127.0.0.1/v1"
    runs.append(run_cli(*with_url(args, bad), cwd=book.root, env=env))
    assert runs[3].stderr == (
        "KernelError: --llm-base-url must be an http:// or https:// URL "
        "(got 'ftp://***@127.0.0.1/v1')\n"
    )
    for secret in (PASSWORD, QUERY_KEY, QUERY_OTHER):
        assert_nowhere(secret, runs, book, env)


def echoing_the_key(request: RecordedRequest, model: KernelModel, key: str = BYOK_KEY) -> Reply:
    """The kernel model, except that its writer leaks `key` into the chapter."""
    reply = model(request)
    if model.roles_seen[-1] != "writer":
        return reply
    leaked = reply.content.replace(ADDED_SENTENCE, f"{ADDED_SENTENCE} The key is {key}.")
    return Reply(leaked, usage=reply.usage)


def test_a_reply_echoing_the_api_key_is_stored_with_a_marker_and_a_warning(
    book: Book, server: ModelServer, env: dict[str, str]
) -> None:
    cid, model = book.active_id, KernelModel(approve=True)
    server.responder = lambda request: echoing_the_key(request, model)
    result = run_cli(*copilot_args(book, server), cwd=book.root, env=env)
    assert result.code == 0, result.stdout + result.stderr
    warning = (
        f"state-runner: warning: {cid}: iteration 1: the writer's reply contained "
        "the API key in COPILOT_API_KEY; it is stored with a marker in its place\n"
    )
    assert warning in result.stderr
    assert warning.replace("iteration 1", "iteration 2") in result.stderr
    assert result.stderr.count("state-runner: warning:") == 2  # one per writer reply
    chapter = book.chapter_path(cid)
    assert f"The key is {KEY_MARKER}." in chapter.read_text()
    assert files_containing(book.iter_dir(cid, 1), KEY_MARKER.encode())
    critic_prompt = server.chat_requests()[-1].messages[-1]["content"]
    assert isinstance(critic_prompt, str) and KEY_MARKER in critic_prompt
    assert_nowhere(BYOK_KEY, [result], book, env)


def test_a_reply_echoing_the_github_token_is_stored_with_a_marker_and_a_warning(
    book: Book, env: dict[str, str]
) -> None:
    cid, model = book.active_id, KernelModel(approve=False)
    with ModelServer(github=GitHubApi(models=("test-model",))) as github:
        github.responder = lambda request: echoing_the_key(request, model, GITHUB_TOKEN)
        run_env = github_env(env, github)
        result = run_cli(*github_args(book, "--max-iterations", "1"), cwd=book.root, env=run_env)
    assert result.code == 1, result.stdout + result.stderr
    assert result.stderr == (
        f"state-runner: warning: {cid}: iteration 1: the writer's reply contained "
        "the GitHub token in GH_TOKEN; it is stored with a marker in its place\n"
    )
    writer = book.iter_dir(cid, 1) / "out" / "writer.md"
    assert f"The key is {KEY_MARKER}." in writer.read_text()
    assert_nowhere(GITHUB_TOKEN, [result], book, env)
