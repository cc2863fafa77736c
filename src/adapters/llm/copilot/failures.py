"""Turning what the Copilot SDK and the model API report into one-line, actionable
`LLMClientError`s.

Works on duck-typed event payloads (`status_code`, `error_type`, `error_message`, `message`,
`failure_kind`) and raw `/models` answers, so it needs no SDK import and can be unit-tested alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from state_runner.domain.errors import one_line
from state_runner.domain.llm import ErrorKind, LLMClientError
from state_runner.domain.secrets import MASK, redact_url, redact_urls, scrub, url_secrets

# HTTP statuses that another attempt will not fix: fail fast instead of letting the runtime retry.
FATAL_STATUSES = frozenset({400, 401, 402, 403, 404, 405, 409, 410, 413, 415, 422, 501, 505})
NOT_IMPLEMENTED = frozenset({501, 505})
DETAIL_CHARS = 160


@dataclass(frozen=True)
class CallContext:
    """What a message needs to tell the user which knob to turn."""

    model: str
    base_url: str | None
    api_key_env: str
    timeout_s: float
    wire_api: str = "completions"
    secret: str | None = None
    token_variable: str | None = None  # GitHub path: where the token came from

    @property
    def where(self) -> str:
        """The endpoint as shown: the base URL with its credentials masked."""
        return redact_url(self.base_url) if self.base_url else "GitHub Copilot"

    @property
    def secret_label(self) -> str:
        """Which credential the call uses, named without its value."""
        if self.base_url:
            return f"the API key in {self.api_key_env}"
        return f"the GitHub token in {self.token_variable or 'the environment'}"

    def redact(self, text: str) -> str:
        """One line, bounded, with the API key (if any), URL credentials and the credentials
        of the base URL blanked out."""
        line = one_line(text)
        if self.secret:
            line = line.replace(self.secret, MASK)
        line, _ = scrub(redact_urls(line), url_secrets(self.base_url), MASK)
        return line[:DETAIL_CHARS] + ("..." if len(line) > DETAIL_CHARS else "")


def _get(obj: object, name: str) -> object:
    return getattr(obj, name, None)


def status_of(obj: object) -> int | None:
    value = _get(obj, "status_code")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_fatal_failure(failure: object) -> bool:
    """A `model.call_failure` the runtime's retries cannot fix."""
    status = status_of(failure)
    return status is not None and status in FATAL_STATUSES


def _text(obj: object, *names: str) -> str:
    for name in names:
        value = _get(obj, name)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def for_status(status: int, ctx: CallContext, detail: str = "") -> LLMClientError:
    """The error for an HTTP status from the model provider."""
    suffix = f" ({ctx.redact(detail)})" if detail.strip() else ""
    if status in (401, 403):
        if ctx.base_url:
            hint = f"check the API key in env {ctx.api_key_env} (--llm-api-key-env)"
        elif ctx.token_variable:
            hint = (
                f"renew the GitHub token in {ctx.token_variable} (gh auth refresh, or a new "
                "token) and check that the account has Copilot"
            )
        else:
            hint = "set COPILOT_GITHUB_TOKEN / GH_TOKEN, or use --llm-base-url for BYOK"
        return LLMClientError(
            f"authentication failed at {ctx.where} (HTTP {status}): {hint}{suffix}",
            kind=ErrorKind.AUTH,
        )
    if status == 429:
        return LLMClientError(
            f"rate limited by {ctx.where} (HTTP 429): wait and retry later{suffix}",
            kind=ErrorKind.RATE_LIMIT,
        )
    if status in NOT_IMPLEMENTED:
        return LLMClientError(
            f"the endpoint at {ctx.where} does not implement this request (HTTP {status}): "
            f"check --llm-base-url and KERNEL_LLM_WIRE_API={ctx.wire_api}{suffix}",
            kind=ErrorKind.BAD_REQUEST,
        )
    if status >= 500:
        return LLMClientError(
            f"model provider error at {ctx.where} (HTTP {status}): retry later{suffix}",
            kind=ErrorKind.PROVIDER,
        )
    return LLMClientError(
        f"model provider refused the request (HTTP {status}) at {ctx.where}: check "
        f"--llm-base-url and --llm-model '{ctx.model}'{suffix}",
        kind=ErrorKind.BAD_REQUEST,
    )


def _transport(message: str, ctx: CallContext) -> LLMClientError:
    lowered = message.lower()
    if any(word in lowered for word in ("json", "parse", "no response was returned", "decode")):
        return LLMClientError(
            f"unreadable reply from {ctx.where}: check that --llm-base-url is an OpenAI-compatible "
            f"endpoint for KERNEL_LLM_WIRE_API={ctx.wire_api} ({ctx.redact(message)})",
            kind=ErrorKind.BAD_RESPONSE,
        )
    return LLMClientError(
        f"cannot reach the model provider at {ctx.where}: check --llm-base-url and that the "
        f"service is running ({ctx.redact(message)})",
        kind=ErrorKind.CONNECTION,
    )


def from_failure(failure: object, ctx: CallContext) -> LLMClientError:
    """The error for a `model.call_failure` event."""
    status = status_of(failure)
    detail = _text(failure, "error_message", "error_type")
    if status is not None:
        return for_status(status, ctx, detail)
    return _transport(detail or "transport failure", ctx)


def from_session_error(
    message: str, session_error: object | None, last_failure: object | None, ctx: CallContext
) -> LLMClientError:
    """The error for a failed turn (`Exception("Session error: ...")`)."""
    error_type = _text(session_error, "error_type") if session_error is not None else ""
    status = status_of(session_error) if session_error is not None else None
    if status is None and last_failure is not None:
        status = status_of(last_failure)
    detail = _text(session_error, "message") if session_error is not None else ""
    detail = detail or message.removeprefix("Session error:").strip()
    if status is not None:
        return for_status(status, ctx, detail)
    if error_type == "authentication":
        return for_status(401, ctx, detail)
    if error_type == "rate_limit":
        return for_status(429, ctx, detail)
    if "oauth token" in detail.lower() or "hmac" in detail.lower():
        return LLMClientError(
            "no GitHub authentication for Copilot: set COPILOT_GITHUB_TOKEN / GH_TOKEN, "
            "or use --llm-base-url for BYOK",
            kind=ErrorKind.AUTH,
        )
    if last_failure is not None:
        return from_failure(last_failure, ctx)
    return _transport(detail, ctx)


def timed_out(ctx: CallContext, last_failure: object | None) -> LLMClientError:
    """The error when a call exceeds its time budget (classified by the last failure seen)."""
    if last_failure is not None:
        cause = from_failure(last_failure, ctx)
        return LLMClientError(
            f"gave up after {ctx.timeout_s:g}s (--llm-timeout-s) of retries: {cause.message}",
            kind=cause.kind,
        )
    return LLMClientError(
        f"no answer from the model at {ctx.where} within {ctx.timeout_s:g}s: raise "
        "--llm-timeout-s or check the provider",
        kind=ErrorKind.TIMEOUT,
    )


def session_refused(message: str, ctx: CallContext, offered: list[str] | None) -> LLMClientError:
    """The error when the CLI cannot open a session (unknown model, token refused, ...)."""
    if "is not available" in message and "model" in message.lower():
        listing = f"/models offers: {', '.join(offered)}" if offered else "no model list was read"
        return LLMClientError(
            f"model '{ctx.model}' is not available to this Copilot account ({listing}); "
            "choose one with --llm-model",
            kind=ErrorKind.CONFIG,
        )
    if "authentication failed" in message.lower():
        detail = message.split("message:", 1)[-1]
        if ctx.base_url:
            return for_status(401, ctx, detail)
        source = f"the token in {ctx.token_variable}" if ctx.token_variable else "the token"
        return LLMClientError(
            f"GitHub refused {source} ({ctx.redact(detail)}): renew it (gh auth refresh, or a "
            "new token) and re-run",
            kind=ErrorKind.AUTH,
        )
    return LLMClientError(
        f"could not open a Copilot session: {ctx.redact(message)}", kind=ErrorKind.UNKNOWN
    )


def process_exited(returncode: int | None) -> LLMClientError:
    code = "unknown exit status" if returncode is None else f"exit status {returncode}"
    return LLMClientError(
        f"the Copilot CLI process died during the call ({code}); check COPILOT_CLI_PATH and "
        "the machine's memory, then re-run",
        kind=ErrorKind.PROCESS_EXIT,
    )


def startup_failed(exc: BaseException, cli_path: str) -> LLMClientError:
    """The error when the CLI cannot be started."""
    text = str(exc)
    if isinstance(exc, PermissionError):
        reason = "is not executable (chmod +x it, or point COPILOT_CLI_PATH at the binary)"
    elif isinstance(exc, FileNotFoundError) or "not found" in text.lower():
        reason = "was not found: set COPILOT_CLI_PATH to the binary of npm @github/copilot"
    elif isinstance(exc, TimeoutError):
        reason = "did not answer at start-up; check that it is the Copilot CLI binary"
    elif "exited with code" in text:
        first = next((ln for ln in text.splitlines()[1:] if ln.strip()), text.splitlines()[0])
        reason = "exited at start-up: " + redact_urls(one_line(first.removeprefix("stderr:")))
    else:
        reason = f"failed to start: {type(exc).__name__}: {redact_urls(one_line(text))}"
    return LLMClientError(f"Copilot CLI {cli_path} {reason}", kind=ErrorKind.STARTUP)


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, without user-info."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


def _refusal_detail(body: bytes) -> str:
    try:
        parsed = json.loads(body)
        text = parsed.get("message") or parsed.get("error", {}).get("message") or ""
    except (ValueError, AttributeError):
        text = body.decode("utf-8", "replace")
    line = redact_urls(one_line(str(text)))
    return line[:DETAIL_CHARS] + ("..." if len(line) > DETAIL_CHARS else "")


def models_refused(url: str, status: int, body: bytes, variable: str | None) -> LLMClientError:
    """The error for a `/models` request that GitHub refused."""
    where = f"HTTP {status} from {origin(url)}/models"
    detail = _refusal_detail(body)
    detail = f": {detail}" if detail else ""
    if status == 401:
        source = f"the token in {variable}" if variable else "the GitHub token"
        return LLMClientError(
            f"GitHub refused {source} ({where}{detail}): renew it (gh auth refresh, or a new "
            "token) and re-run",
            kind=ErrorKind.AUTH,
        )
    return LLMClientError(
        f"Copilot is not available to this account ({where}{detail}): a Copilot policy of the "
        "account or its organization disables it; check the Copilot settings on GitHub",
        kind=ErrorKind.AUTH,
    )
