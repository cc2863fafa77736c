"""Markdown structure the gates and evals share: heading lines and `## ` sections."""

from __future__ import annotations


def heading_lines(text: str) -> list[str]:
    """Every line that starts with `#`, in order."""
    return [line for line in text.splitlines() if line.startswith("#")]


def h2_sections(text: str) -> dict[str, str]:
    """`## ` heading line -> its stripped body, up to the next `## ` line.

    Text before the first `## ` line belongs to no section. A heading that appears twice
    collects the bodies of both occurrences (the original kernel's behaviour).
    """
    collected: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = collected.setdefault(line, [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(lines).strip() for heading, lines in collected.items()}
