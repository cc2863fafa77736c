"""Which value each setting takes, and from where: flag > environment > book file > user file >
default.

A book's file arrives with a cloned book, so it must not send the user's key somewhere the user
did not choose: a book's `llm-base-url` or `llm-api-key-env` is used only when the user's own
file holds the same value (else the run is refused before any model call), and a base URL read
from any file is named, with its file, in a line on stderr before the run starts.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from state_runner.app.config_files import ConfigFile, load_book, load_user
from state_runner.app.config_keys import ENDPOINT_KEYS, KEYS, ConfigKey, FlagDefault
from state_runner.domain.errors import KernelError
from state_runner.domain.secrets import redact_url


@dataclass(frozen=True)
class Effective:
    """A setting's value (None: not set) and where it came from."""

    key: str
    value: str | None
    source: str
    file: ConfigFile | None = None


def resolve(
    key: ConfigKey, flag: str | None, env: Mapping[str, str], files: tuple[ConfigFile, ...]
) -> Effective:
    """The value of `key` by precedence; `files` from the strongest to the weakest."""
    if flag is not None and not isinstance(flag, FlagDefault):
        return Effective(key.name, flag, "flag")
    if key.env and env.get(key.env, "").strip():
        return Effective(key.name, env[key.env], f"env {key.env}")
    for config in files:
        if key.name in config.values:
            return Effective(key.name, config.values[key.name], config.source, config)
    return Effective(key.name, None, "default")


def untrusted(chosen: Effective, user: ConfigFile) -> KernelError | None:
    """The refusal for an endpoint setting that only the book's file chose, else None."""
    config = chosen.file
    if config is None or config.kind != "book file" or chosen.key not in ENDPOINT_KEYS:
        return None
    if user.values.get(chosen.key) == chosen.value:
        return None
    shown = redact_url(chosen.value or "")
    return KernelError(
        f"{config.path} line {config.lines.get(chosen.key, 0)}: {chosen.key} {shown} comes from "
        f"the book's file, and a book from elsewhere must not choose where your key goes: to use "
        f"it, run `state-runner config set {chosen.key} {shown} --user` (or pass --{chosen.key})"
    )


def with_config(
    args: argparse.Namespace, env: Mapping[str, str], root: Path
) -> tuple[argparse.Namespace, tuple[str, ...]]:
    """`kernel`'s arguments with each unset flag filled from the files, and the lines to show
    before the run. LLM keys apply only with `--llm`."""
    names = [key.name for key in KEYS.values() if args.llm or not key.llm]
    return fill_from_files(args, names, env, root)


def fill_from_files(
    args: argparse.Namespace, names: list[str], env: Mapping[str, str], root: Path | None
) -> tuple[argparse.Namespace, tuple[str, ...]]:
    """`args` with the flags of `names` that were not given filled from the book's file (when
    there is a book) and the user's; a book-chosen endpoint is refused; a base URL read from a
    file is named in the returned notices."""
    user = load_user(env)
    files = (load_book(root), user) if root is not None else (user,)
    filled = argparse.Namespace(**vars(args))
    notices: list[str] = []
    for name in names:
        key = KEYS[name]
        chosen = resolve(key, getattr(args, key.attr), env, files)
        refusal = untrusted(chosen, user)
        if refusal:
            raise refusal
        if chosen.file is not None:
            setattr(filled, key.attr, chosen.value)
            if key.name == "llm-base-url":
                shown = redact_url(chosen.value or "")
                notices.append(f"llm-base-url {shown} from {chosen.source}")
    return filled, tuple(notices)


def effective_settings(env: Mapping[str, str], root: Path | None) -> list[Effective]:
    """Every key's effective value without flags (for `config show`)."""
    user = load_user(env)
    files = (load_book(root), user) if root is not None else (user,)
    return [resolve(key, None, env, files) for key in KEYS.values()]
