"""`state-runner doctor`: the setup check. One tiny plain chat through the Copilot adapter with
the user's own settings; each step prints one line; exit 0 when all hold, else 3 at the first
that does not (that line also goes to stderr). The CLI is always stopped, and that is checked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from state_runner.app.container import build_container
from state_runner.domain.errors import EXIT_KERNEL_ERROR
from state_runner.domain.llm import ChatMessage, ErrorKind, LLMClientError, LLMPort, LLMResponse
from state_runner.domain.llm_settings import LLMSettings
from state_runner.domain.secrets import redact_url

PROMPT = [
    ChatMessage("system", "You are a setup check. Answer with the single word OK."),
    ChatMessage("user", "Reply with OK."),
]
REPLY_CHARS = 60


class Facts(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def signed_in(self) -> str | None: ...
    @property
    def models(self) -> list[str] | None: ...
    @property
    def login(self) -> str | None: ...
    @property
    def plan(self) -> str | None: ...


@runtime_checkable
class Diagnosable(LLMPort, Protocol):
    """What the check needs from the adapter besides the port."""

    @property
    def byok(self) -> bool: ...
    @property
    def pid(self) -> int | None: ...
    @property
    def home(self) -> str | None: ...
    @property
    def cli_path(self) -> str: ...
    @property
    def cli_found_by(self) -> str: ...
    @property
    def tested_cli_version(self) -> str: ...
    @property
    def token_variable(self) -> str | None: ...
    @property
    def first_request_at(self) -> float | None: ...
    def start(self) -> None: ...
    def describe(self) -> Facts: ...


@dataclass(frozen=True)
class Line:
    check: str
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.check}: {self.text}"


class Failed(Exception):
    def __init__(self, line: Line) -> None:
        super().__init__(str(line))
        self.line = line


def run_doctor(settings: LLMSettings, env: Mapping[str, str], emit: Callable[[Line], None]) -> int:
    """Run every check against the adapter the container builds for `settings`."""
    container = build_container(Path.cwd(), llm=settings, env=env)
    started = time.monotonic()
    adapter = container.llm()
    if not isinstance(adapter, Diagnosable):
        raise TypeError("the doctor checks the copilot provider only")
    failed: Line | None = None
    try:
        Checks(adapter, settings, emit).run(started)
    except Failed as exc:
        failed = exc.line
        emit(failed)
    finally:
        cleanup = stop_and_check(adapter)
        container.shutdown_resources()
        emit(cleanup)
    failed = failed or (None if cleanup.ok else cleanup)
    return 0 if failed is None else EXIT_KERNEL_ERROR


@dataclass
class Checks:
    adapter: Diagnosable
    settings: LLMSettings
    emit: Callable[[Line], None]

    def run(self, started: float) -> None:
        facts = self.cli()
        self.emit(self.auth(facts))
        self.emit(self.model(facts))
        response = self.reply()
        self.emit(usage_line(response))
        first = first_request_line(self.adapter.first_request_at, started)
        if not first.ok:
            raise Failed(first)
        self.emit(first)

    def cli(self) -> Facts | None:
        try:
            self.adapter.start()
        except LLMClientError as exc:  # a missing token or key fails before the CLI starts
            raise Failed(Line(_check_of(exc), False, exc.message)) from None
        try:
            facts: Facts | None = self.adapter.describe()
        except LLMClientError as exc:  # GitHub refusing the token or the account shows here
            self.emit(Line("CLI", True, f"{self.adapter.cli_path} (started)"))
            raise Failed(Line(_check_of(exc), False, exc.message)) from None
        assert facts is not None
        self.emit(cli_line(self.adapter, facts.version))
        return facts

    def auth(self, facts: Facts | None) -> Line:
        if self.adapter.byok:
            where = f"BYOK endpoint {redact_url(self.settings.base_url or '')}"
            return Line("auth", True, f"{where} with the key in {self.settings.api_key_env}")
        assert facts is not None
        source = f"the token in {self.adapter.token_variable}"
        if facts.login:
            plan = f", plan {facts.plan}" if facts.plan else ""
            return Line("auth", True, f"GitHub login {facts.login}{plan}, with {source}")
        return Line("auth", True, f"signed in to {facts.signed_in or 'GitHub'} with {source}")

    def model(self, facts: Facts | None) -> Line:
        model = self.settings.model
        if self.adapter.byok or facts is None or facts.models is None:
            return Line("model", True, f"{model} (the endpoint decides: see the reply)")
        if model in facts.models:
            return Line("model", True, f"{model} is available ({len(facts.models)} offered)")
        offered = ", ".join(facts.models) or "none"
        raise Failed(Line("model", False, f"{model} is not available; offered: {offered}"))

    def reply(self) -> LLMResponse:
        asked = time.monotonic()
        try:
            response = self.adapter.chat(PROMPT, max_tokens=16)
        except LLMClientError as exc:
            raise Failed(Line("reply", False, exc.message)) from None
        text = " ".join(response.content.split())[:REPLY_CHARS]
        self.emit(Line("reply", True, f"{text!r} in {time.monotonic() - asked:.1f} s"))
        return response


def cli_line(adapter: Diagnosable, version: str) -> Line:
    """The binary, where it was found, its version and whether it is the tested one."""
    pinned = adapter.tested_cli_version
    if version == pinned:
        tested = "the version this release is tested with"
    else:
        tested = f"this release is tested with {pinned}: npm install -g @github/copilot@{pinned}"
    where = f"{adapter.cli_path} (found by {adapter.cli_found_by}"
    return Line("CLI", True, f"{where}; version {version}, {tested})")


def _check_of(error: LLMClientError) -> str:
    """The line an adapter error belongs to: settings and refusals are `auth`."""
    return "auth" if error.kind in (ErrorKind.AUTH, ErrorKind.CONFIG) else "CLI"


def usage_line(response: LLMResponse) -> Line:
    usage = response.usage
    text = f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens"
    if usage.total_tokens == 0:
        text += " (the provider reported none: the ledger will record 0)"
    if response.billing is not None:
        premium = response.billing.premium_requests
        text += f"; {premium:g} premium request{'' if premium == 1 else 's'}"
    return Line("usage", True, text)


def first_request_line(first: float | None, started: float) -> Line:
    if first is None:
        return Line("first request", False, "no model request was seen")
    return Line("first request", True, f"{first - started:.1f} s after the start")


def stop_and_check(adapter: Diagnosable) -> Line:
    """Close the adapter; the CLI must be gone and its private home removed."""
    pid, home = adapter.pid, adapter.home
    adapter.close()
    alive = pid is not None and Path(f"/proc/{pid}").exists() and not _zombie(pid)
    if alive or (home is not None and os.path.exists(home)):
        return Line("cleanup", False, f"CLI pid {pid} still running or home {home} left")
    stopped = f"CLI stopped (pid {pid})" if pid is not None else "no CLI was running"
    return Line("cleanup", True, f"{stopped}, private home removed")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False
