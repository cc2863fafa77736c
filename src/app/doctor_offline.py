"""`doctor --mode offline`: the same check, through the real CLI, against loopback fakes.

It runs twice: on the GitHub path (a fake of GitHub and the Copilot API) and on the BYOK path
(a fake OpenAI-compatible server), each served by the test suite's model server on 127.0.0.1.
Every other HTTP(S) request is routed to that server as a proxy request, which it records and
refuses; a last line says whether any MCP request or anything bound off the machine was seen.
The fakes live in the source checkout (`tests/support`), so this mode needs one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from state_runner.app.doctor import Line, run_doctor
from state_runner.domain.errors import EXIT_KERNEL_ERROR, KernelError
from state_runner.domain.llm_settings import LLMSettings

TESTS = Path(__file__).resolve().parents[2] / "tests"
MODEL = "test-model"
OFFLINE_KEY = "sk-doctor-offline"


def _support() -> Any:
    if not (TESTS / "support" / "model_server.py").is_file():
        raise KernelError(
            "doctor --mode offline needs a source checkout of state-runner (its tests/support "
            "fakes); use --mode live to check your own setup"
        )
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import support.model_server as model_server

    return model_server


def run(emit: Callable[[Line], None]) -> int:
    servers = _support()
    from support.github_fake import GitHubApi

    reply = servers.Reply("OK", usage=servers.Usage(prompt=24, completion=1))
    github = servers.ModelServer(github=GitHubApi(models=(MODEL,)), default=reply)
    with github, servers.ModelServer(default=reply) as byok:
        token = {"COPILOT_GITHUB_TOKEN": github.github.token, **github.github_env()}
        emit(Line("path", True, "GitHub (token, fake GitHub and Copilot API on loopback)"))
        github_env = {**os.environ, **github.proxy_env(), **token}
        codes = [run_doctor(LLMSettings(model=MODEL, timeout_s=30.0), github_env, emit)]
        emit(Line("path", True, "BYOK (fake OpenAI-compatible server on loopback)"))
        byok_env = {**os.environ, **byok.proxy_env(), "COPILOT_API_KEY": OFFLINE_KEY}
        settings = LLMSettings(model=MODEL, base_url=byok.base_url, timeout_s=30.0)
        codes.append(run_doctor(settings, byok_env, emit))
        codes.append(_loopback_line([github, byok], emit))
    return 0 if not any(codes) else EXIT_KERNEL_ERROR


def _loopback_line(servers: list[Any], emit: Callable[[Line], None]) -> int:
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
