"""A reply scrubbed of the call's secrets before it leaves the adapter (docs/untrusted-books.md
section 7): the port never carries the API key, the GitHub token or the base URL's credentials."""

from __future__ import annotations

from state_runner.adapters.llm.copilot import failures
from state_runner.domain.secrets import KEY_MARKER, URL_MARKER, scrub, url_secrets


def scrub_reply(content: str, ctx: failures.CallContext) -> tuple[str, tuple[str, ...]]:
    """The reply with the call's credential and the base URL's credentials replaced by
    markers, so that no secret leaves the adapter; and the names of what was replaced."""
    content, key_found = scrub(content, [ctx.secret] if ctx.secret else [], KEY_MARKER)
    content, url_found = scrub(content, url_secrets(ctx.base_url), URL_MARKER)
    found = (ctx.secret_label,) * key_found + ("a credential of --llm-base-url",) * url_found
    return content, found
