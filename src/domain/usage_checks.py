"""Token counts a backend reports: a count no real call can reach (negative, not finite, a
boolean, above `MAX_TOKENS_PER_CALL`) is a broken backend, refused as one, never recorded."""

from __future__ import annotations

import math

from state_runner.domain.llm import ErrorKind, LLMClientError, LLMUsage

MAX_TOKENS_PER_CALL = 10**9  # far above any context window; more is a broken or hostile backend


def is_plausible_count(value: object) -> bool:
    """Whether `value` can be a reported token count (None: nothing reported)."""
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 <= value <= MAX_TOKENS_PER_CALL


def check_counts(prompt: object, completion: object) -> None:
    """Refuse implausible reported counts with a backend error naming the value."""
    for key, value in (("prompt_tokens", prompt), ("completion_tokens", completion)):
        if not is_plausible_count(value):
            raise LLMClientError(
                f"the backend reported an implausible token count {key}={value!r} (a count is"
                f" a number from 0 to {MAX_TOKENS_PER_CALL} per call); nothing was recorded:"
                " check the backend or choose another model",
                kind=ErrorKind.BAD_RESPONSE,
            )


def check_usage(usage: object) -> None:
    """The check every adapter's response passes before the kernel records its usage."""
    if not isinstance(usage, LLMUsage):
        raise LLMClientError("reply usage is not an LLMUsage", kind=ErrorKind.BAD_RESPONSE)
    check_counts(usage.prompt_tokens, usage.completion_tokens)
