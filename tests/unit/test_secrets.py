"""Redacting credentials in URLs and scrubbing secret values from text (domain.secrets)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from state_runner.domain.secrets import (
    KEY_MARKER,
    redact_url,
    redact_urls,
    scrub,
    url_secrets,
)

LOWER = "abcdefghijklmnopqrstuvwxyz"
# Secret parts start with "Q" and the rest of a URL is lower case: a secret found in the
# redacted URL can only be a leak, never a coincidence.
SECRET_CHARS = LOWER + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;=:%@"
names = st.text(LOWER, min_size=1, max_size=8)
secrets = st.text(SECRET_CHARS, max_size=12).map(lambda tail: "Q" + tail)
query_secrets = secrets.map(lambda value: value.replace("&", "").replace("#", ""))


def test_user_info_becomes_a_mask() -> None:
    assert redact_url("https://user:pass@host:8443/v1") == "https://***@host:8443/v1"
    assert redact_url("http://token@host/v1") == "http://***@host/v1"


def test_every_query_value_is_masked_and_the_keys_stay() -> None:
    url = "https://host/v1?api-key=k1&key=k2&flag&empty="
    assert redact_url(url) == "https://host/v1?api-key=***&key=***&***&empty=***"


def test_a_url_without_credentials_is_unchanged() -> None:
    for url in ("http://127.0.0.1:8080/v1", "https://api.example.com", "host/path"):
        assert redact_url(url) == url


def test_urls_inside_a_message_are_redacted() -> None:
    text = "refused at http://u:p@h/v1?key=k9: check 'https://x@y'"
    assert redact_urls(text) == "refused at http://***@h/v1?key=***: check 'https://***@y'"


def test_url_secrets_names_what_redaction_hides() -> None:
    assert url_secrets("http://al:pw@h/v1?key=k1&bare#frag=f") == [
        "al:pw", "pw", "k1", "bare", "frag=f",
    ]  # fmt: skip
    assert url_secrets("http://h/v1") == url_secrets(None) == []


def test_scrub_replaces_long_secrets_and_says_so() -> None:
    assert scrub("key sk-12345678 here", ["sk-12345678"]) == (f"key {KEY_MARKER} here", True)
    assert scrub("a test text", ["test"]) == ("a test text", False)  # too short to be a secret
    assert scrub("nothing", ["sk-12345678"]) == ("nothing", False)


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
    user=secrets,
    password=st.none() | secrets,
    host=names,
    port=st.none() | st.integers(1, 65535),
    path=st.lists(names, max_size=3),
    query=st.lists(st.tuples(names, query_secrets), max_size=4),
    fragment=st.none() | query_secrets,
)
@example("http", "Q", None, "h", None, [], [("key", "Q")], None)
def test_no_url_leaks_its_user_info_or_query_values(
    scheme: str,
    user: str,
    password: str | None,
    host: str,
    port: int | None,
    path: list[str],
    query: list[tuple[str, str]],
    fragment: str | None,
) -> None:
    userinfo = user if password is None else f"{user}:{password}"
    where = host + ("" if port is None else f":{port}") + "".join("/" + p for p in path)
    url = f"{scheme}://{userinfo}@{where}"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query)
    if fragment is not None:
        url += "#" + fragment
    shown = redact_url(url)
    in_text = redact_urls(f"failed at {url} (HTTP 401)")
    for secret in [user, password, fragment, *(value for _key, value in query)]:
        if secret:
            assert secret not in shown
            assert secret not in in_text
    assert shown.startswith(f"{scheme}://***@{where}")
    for key, _value in query:
        assert f"{key}=***" in shown
    assert in_text.startswith(f"failed at {scheme}://***@{where}")
