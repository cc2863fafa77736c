"""The author's section headings for `init`: read from `--headings` or a terminal, validated."""

from __future__ import annotations

import sys
import unicodedata

MAX_HEADINGS = 12
MAX_HEADING_CHARS = 80
HEADING_PREFIX = "## "
PROMPT = (
    "Section headings of your chapters, separated by commas\n"
    "(Enter keeps the sample software book's): "
)


def _has_control_char(text: str) -> bool:
    return any(unicodedata.category(char).startswith("C") for char in text)


def _one_heading(raw: str, number: int) -> str:
    """One name, validated, as a `## ` heading line."""
    name = raw.strip()
    if name.startswith(HEADING_PREFIX):
        name = name[len(HEADING_PREFIX) :].strip()
    if _has_control_char(raw):
        raise ValueError(f"heading {number} holds a control character: {raw.strip()!r}")
    if not name:
        raise ValueError(f"heading {number} is empty (give names separated by commas)")
    if name.startswith("#"):
        raise ValueError(f"heading {number} {name!r} starts with '#': give the name only")
    if len(name) > MAX_HEADING_CHARS:
        raise ValueError(f"heading {number} is longer than {MAX_HEADING_CHARS} characters")
    return HEADING_PREFIX + name


def parse_headings(raw: str) -> list[str]:
    """`"Why it matters, Method"` -> `["## Why it matters", "## Method"]`; ValueError names the
    heading at fault."""
    parts = raw.split(",")
    if len(parts) > MAX_HEADINGS:
        raise ValueError(f"{len(parts)} headings given, at most {MAX_HEADINGS}")
    headings = [_one_heading(part, number) for number, part in enumerate(parts, 1)]
    twice = next((h for h in headings if headings.count(h) > 1), None)
    if twice is not None:
        raise ValueError(f"{twice[len(HEADING_PREFIX) :]!r} is given twice: headings must differ")
    return headings


def ask_headings() -> str | None:
    """The person's answer on a terminal; None (the sample book) when stdin is not a terminal,
    or the answer is empty."""
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(PROMPT)
    except EOFError:
        return None
    return answer if answer.strip() else None


def check_title(raw: str) -> str:
    """The book's title from `--title`, stripped; ValueError when empty, too long or holding a
    control character."""
    title = raw.strip()
    if _has_control_char(raw):
        raise ValueError(f"the title holds a control character: {title!r}")
    if not title or len(title) > MAX_HEADING_CHARS:
        raise ValueError(f"the title must have 1 to {MAX_HEADING_CHARS} characters")
    return title
