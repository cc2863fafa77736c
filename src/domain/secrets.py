"""Secrets never shown or stored: credentials inside URLs, and secret values in text.

`redact_url` is the one way a URL is shown anywhere (messages, traces, records, the setup
check): its user-info becomes `***@`, every query value `***` (the keys kept, so a person
still sees what is there) and a fragment `***`. `redact_urls` does that to every URL inside a text.
`scrub` replaces known secret values (the adapter's API key) in text with a marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
KEY_MARKER = "[redacted: API key]"
URL_MARKER = "[redacted: --llm-base-url credential]"
# Shorter values are not scrubbed from model replies: replacing every "test" or "abc" in a
# chapter would corrupt it, and a value that short is no secret anyway.
MIN_SECRET_CHARS = 8

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>]+")
_TRAILING = "'\"`)]}>.,:;!?"  # closes a quote or a sentence, not the URL
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _mask_pairs(text: str) -> str:
    """`k=v&k2=v2` -> `k=***&k2=***`; a part without `=` is a bare value and masked whole."""
    parts = []
    for part in text.split("&"):
        key, sep, _value = part.partition("=")
        parts.append(f"{key}={MASK}" if sep else (MASK if part else part))
    return "&".join(parts)


def redact_url(url: str) -> str:
    """`url` with its user-info, query values and fragment masked (see the module doc)."""
    scheme = _SCHEME.match(url)
    head = scheme.group(0) if scheme else ""
    rest = url[len(head) :]
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        authority = MASK + "@" + authority.rpartition("@")[2]
    tail, hash_sign, fragment = tail.partition("#")
    path, question, query = tail.partition("?")
    shown = head + authority + path
    if question:
        shown += "?" + _mask_pairs(query)
    if hash_sign:
        shown += "#" + (MASK if fragment else "")
    return shown


def redact_urls(text: str) -> str:
    """`text` with every URL in it shown through `redact_url`."""

    def shown(match: re.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_TRAILING)
        return redact_url(kept) + url[len(kept) :]

    return _URL.sub(shown, text)


def url_secrets(url: str | None) -> list[str]:
    """The values `redact_url` hides in `url` (user-info, its password, query values)."""
    if not url:
        return []
    scheme = _SCHEME.match(url)
    rest = url[scheme.end() if scheme else 0 :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    found: list[str] = []
    if "@" in authority:
        userinfo = authority.rpartition("@")[0]
        found += [userinfo, userinfo.partition(":")[2]]
    tail, _hash, fragment = rest.partition("#")
    for part in tail.partition("?")[2].split("&"):
        key, sep, value = part.partition("=")
        found.append(value if sep else key)
    return [value for value in [*found, fragment] if value]


def scrub(text: str, secrets: Iterable[str], marker: str = KEY_MARKER) -> tuple[str, bool]:
    """`text` with every secret of at least `MIN_SECRET_CHARS` replaced by `marker`; and
    whether anything was replaced. Longer secrets go first, so one inside another still goes."""
    replaced = False
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_SECRET_CHARS and secret in text:
            text = text.replace(secret, marker)
            replaced = True
    return text, replaced
