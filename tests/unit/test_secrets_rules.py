"""The edge rules of URL redaction and secret scrubbing (domain.secrets; kernel contract 2.2).

A URL is shown with its user-info as `***@`, every query value as `***` (keys kept) and a
fragment as `#***`; `url_secrets` names exactly the values that redaction hides; `scrub`
replaces secrets of at least `MIN_SECRET_CHARS`, longest first.
"""

from __future__ import annotations

from state_runner.domain.secrets import (
    KEY_MARKER,
    MIN_SECRET_CHARS,
    redact_url,
    scrub,
    url_secrets,
)


def test_a_fragment_is_masked_and_an_empty_one_stays_empty() -> None:
    assert redact_url("https://host/v1#section-2") == "https://host/v1#***"
    assert redact_url("https://host/v1#") == "https://host/v1#"


def test_empty_query_parts_stay_empty() -> None:
    assert redact_url("https://host/v1?a=1&&b=2") == "https://host/v1?a=***&&b=***"
    assert redact_url("https://host/v1?") == "https://host/v1?"


def test_an_at_sign_after_the_first_slash_is_part_of_the_path() -> None:
    # The authority ends at the first `/`, `?` or `#`: an `@` in the path is no user-info.
    url = "https://host/docs/a@b/c"
    assert redact_url(url) == url
    assert url_secrets(url) == []


def test_url_secrets_of_a_url_without_a_scheme() -> None:
    assert url_secrets("user:pw@host/v1") == ["user:pw", "pw"]


def test_url_secrets_user_info_runs_to_the_last_at_sign() -> None:
    # redact_url keeps only what follows the last `@`, so everything before it is the secret.
    url = "https://us@er:pa@ss@host/v1"
    assert redact_url(url) == "https://***@host/v1"
    assert url_secrets(url) == ["us@er:pa@ss", "pa@ss"]


def test_url_secrets_password_runs_from_the_first_colon() -> None:
    assert url_secrets("https://user:pa:ss@host/") == ["user:pa:ss", "pa:ss"]


def test_a_secret_of_exactly_the_minimum_length_is_scrubbed() -> None:
    secret = "k" * MIN_SECRET_CHARS
    assert MIN_SECRET_CHARS == 8
    assert scrub(f"key {secret} here", [secret]) == (f"key {KEY_MARKER} here", True)
    assert scrub("key kkkkkkk here", ["kkkkkkk"]) == ("key kkkkkkk here", False)


def test_the_longer_secret_is_scrubbed_first_when_one_contains_the_other() -> None:
    # The shorter one sorts after the longer one both alphabetically (reversed) and ascending by
    # length, so only the longest-first order replaces the whole longer secret.
    short, long = "bcdefghi", "abcdefghij"
    assert scrub(f"[{long}]", [short, long]) == (f"[{KEY_MARKER}]", True)
    assert scrub(f"[{long}]", [long, short]) == (f"[{KEY_MARKER}]", True)
