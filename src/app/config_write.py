"""Write one `key = value` line into a configuration file, keeping every other line as it is.

The new text is checked as the reader would check it (no secrets, known keys, good values)
before it replaces the file atomically (a temp file and a rename).
"""

from __future__ import annotations

import json
from pathlib import Path

from state_runner.adapters.files.atomic import atomic_write_text
from state_runner.app.config_files import key_line, parse, read_text
from state_runner.app.config_keys import ConfigKey

HEADER = (
    "# state-runner settings: `state-runner config set KEY VALUE` writes them.\n"
    "# No secrets here: llm-api-key-env names the variable that holds the key.\n"
)


def toml_line(key: ConfigKey, value: str) -> str:
    """`key = value` with the value as a TOML number or basic string."""
    literal = value if key.number else json.dumps(value)
    return f"{key.name} = {literal}"


def with_line(text: str, key: ConfigKey, value: str) -> str:
    """`text` with the key's line replaced (or added at the end)."""
    lines = text.splitlines(keepends=True)
    number = key_line(text, key.name)
    if number:
        ending = "\n" if lines[number - 1].endswith("\n") else ""
        lines[number - 1] = toml_line(key, value) + ending
        return "".join(lines)
    if text and not text.endswith("\n"):
        text += "\n"
    return text + toml_line(key, value) + "\n"


def write_setting(path: Path, root: Path | None, kind: str, key: ConfigKey, value: str) -> None:
    """Set `key` to `value` (already checked) in the file at `path`, creating it if need be."""
    current = read_text(path, root)
    if current is not None:
        parse(current, path, kind)  # refuse to edit a file that would not load
    updated = with_line(HEADER if current is None else current, key, value)
    parse(updated, path, kind)
    atomic_write_text(path, updated)
