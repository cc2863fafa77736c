"""`doctor --mode offline`: the same check, through the real CLI, against loopback fakes.

It runs twice: on the GitHub path (a fake of GitHub and the Copilot API) and on the BYOK path
(a fake OpenAI-compatible server), each served by the test kit's model server on 127.0.0.1.
Every other HTTP(S) request is routed to that server as a proxy request, which it records and
refuses; a last line says whether any MCP request or anything bound off the machine was seen.
The fakes ship with the test kit (`state_runner_contract.servers`, standard library only), so
this mode works from an installed package too.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from state_runner.app.doctor import Line, run_doctor
from state_runner.domain.errors import EXIT_KERNEL_ERROR
from state_runner.domain.llm_settings import LLMSettings
from state_runner_contract.servers.github_fake import GitHubApi
from state_runner_contract.servers.model_server import ModelServer, Reply, Usage

MODEL = "test-model"
OFFLINE_KEY = "sk-doctor-offline"


def run(emit: Callable[[Line], None]) -> int:
    reply = Reply("OK", usage=Usage(prompt=24, completion=1))
    fake_github = GitHubApi(models=(MODEL,))
    github = ModelServer(github=fake_github, default=reply)
    with github, ModelServer(default=reply) as byok:
        token = {"COPILOT_GITHUB_TOKEN": fake_github.token, **github.github_env()}
        emit(Line("path", True, "GitHub (token, fake GitHub and Copilot API on loopback)"))
        github_env = {**os.environ, **github.proxy_env(), **token}
        codes = [run_doctor(LLMSettings(model=MODEL, timeout_s=30.0), github_env, emit)]
        emit(Line("path", True, "BYOK (fake OpenAI-compatible server on loopback)"))
        byok_env = {**os.environ, **byok.proxy_env(), "COPILOT_API_KEY": OFFLINE_KEY}
        settings = LLMSettings(model=MODEL, base_url=byok.base_url, timeout_s=30.0)
        codes.append(run_doctor(settings, byok_env, emit))
        codes.append(_loopback_line([github, byok], emit))
    return 0 if not any(codes) else EXIT_KERNEL_ERROR


def _loopback_line(servers: list[ModelServer], emit: Callable[[Line], None]) -> int:
    requests = [r for server in servers for r in server.requests]
    mcp = [r.path for r in requests if r.path.startswith("/mcp")]
    away = [r.path for server in servers for r in server.left_loopback()]
    ok = not mcp and not away
    seen = f"{len(requests)} requests to the fakes"
    text = f"{seen}, none to an MCP server, none bound off the machine"
    if not ok:
        text = f"{seen}; MCP: {mcp or 'none'}; off the machine: {away or 'none'}"
    emit(Line("loopback", ok, text))
    return 0 if ok else EXIT_KERNEL_ERROR
