"""The two configuration files: the book's `state-runner.toml` and the user's `config.toml`.

Both are flat TOML: `key = value` lines, keys from `config_keys.KEYS`, values strings or numbers.
The book's file comes with a cloned book, so it is untrusted: read through the safe reader (inside
the book, a regular file, at most `CONFIG_LIMIT` bytes), refused whole when a line looks like a
secret, a key is unknown or a value is one the flag would refuse; each refusal names the file and
the line. Read with the standard library's `tomllib`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from state_runner.adapters.files.book_files import FileRefused, read_book_bytes
from state_runner.adapters.files.os_errors import os_failure
from state_runner.app.config_keys import known
from state_runner.app.config_secrets import first_secret
from state_runner.domain.errors import KernelError

BOOK_FILE = "state-runner.toml"
CONFIG_LIMIT = 64 * 1024
NO_SECRETS = (
    "a configuration file holds no secrets (it may be committed or shared): remove it, keep the "
    "key in an environment variable and put that variable's NAME in llm-api-key-env"
)


@dataclass(frozen=True)
class ConfigFile:
    """One file's settings: `values` (key -> text) and the line each key is on."""

    path: Path
    kind: str  # "book file" or "user file"
    values: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.kind} {self.path}"


def user_file_path(env: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/state-runner/config.toml` (an absolute XDG_CONFIG_HOME), else
    `~/.config/state-runner/config.toml`."""
    base = env.get("XDG_CONFIG_HOME", "").strip()
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return folder / "state-runner" / "config.toml"


def read_text(path: Path, root: Path | None) -> str | None:
    """The file's text, None when there is none; one line for anything else."""
    try:
        return read_book_bytes(path, root, CONFIG_LIMIT).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise KernelError(f"{path}: not UTF-8 text: save it as UTF-8") from None
    except FileRefused:
        raise
    except OSError as err:
        raise os_failure("Cannot read", path, err) from None


def key_line(text: str, key: str) -> int:
    """The line `key = ...` (or `key.x = ...`, `[key]`) is on (1-based; 0 when not found)."""
    pattern = re.compile(rf"""^\s*(\[+\s*)?["']?{re.escape(key)}["']?\s*[=.\]]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 0


def parse(text: str, path: Path, kind: str) -> ConfigFile:
    """The checked settings of `text` (the content of `path`)."""
    secret = first_secret(text)
    if secret:
        raise KernelError(f"{path} line {secret[0]}: {secret[1]}; {NO_SECRETS}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise KernelError(f"{path}: not valid TOML: {err} (fix that line)") from None
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for name, raw in data.items():
        line = key_line(text, name)
        where = f"{path} line {line}: "
        key = known(name, where)
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise KernelError(f'{where}{name} must be a string or a number (`{name} = "..."`)')
        values[name] = key.check(str(raw), f"{where}{name}")
        lines[name] = line
    return ConfigFile(path, kind, values, lines)


def load_book(root: Path) -> ConfigFile:
    """The book's `state-runner.toml` (empty when the book has none)."""
    path = root / BOOK_FILE
    text = read_text(path, root)
    return ConfigFile(path, "book file") if text is None else parse(text, path, "book file")


def load_user(env: Mapping[str, str]) -> ConfigFile:
    """The user's `config.toml` (empty when there is none)."""
    path = user_file_path(env)
    text = read_text(path, None)
    return ConfigFile(path, "user file") if text is None else parse(text, path, "user file")
