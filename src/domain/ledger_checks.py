"""Checks the kernel makes before it writes anything: a hostile ledger or reply must be refused.

Every refusal is a one-line `KernelError`; nothing about the workspace has changed when it is
raised.
"""

from __future__ import annotations

import posixpath
import unicodedata

from state_runner.domain.errors import KernelError

MAX_REPLY_CHARS = 2_000_000  # far above any chapter; a bigger reply is a runaway model
UNSAFE_NAME_CHARS = ("/", "\\", "\x00")
GUARDED_FILES = ("AGENTS.md", "CONSTITUTION.md", "ROADMAP.md")
GUARDED_DIRS = ("state", "evals", "prompts", ".git")
GUARDED_LIST = "AGENTS.md, CONSTITUTION.md, ROADMAP.md, state/, evals/, prompts/ and .git/"


def check_file_name(name: object, what: str = "chapter id") -> str:
    """`name` if it can be one path component (no separators, NUL, leading dot or control
    character: a name shown on a terminal must not steer it)."""
    if (
        not isinstance(name, str)
        or name in ("", "..")
        or name.startswith(".")
        or any(char in name for char in UNSAFE_NAME_CHARS)
        or any(unicodedata.category(char) == "Cc" for char in name)
    ):
        raise KernelError(f"Unsafe {what} for a file name: {name!r}")
    return name


def check_reply(role: str, text: str) -> None:
    """Refuse an LLM reply (or role output) that is absurdly large or holds NUL characters."""
    if len(text) > MAX_REPLY_CHARS:
        raise KernelError(
            f"{role} rejected: {len(text)} characters is over the limit of {MAX_REPLY_CHARS}"
        )
    if "\x00" in text:
        raise KernelError(f"{role} rejected: it contains NUL characters")


def guarded_part(rel_path: str) -> str | None:
    """The guarded file or directory that the workspace-relative POSIX path `rel_path` is or
    lies under (compared casefolded, after `./` and `..` are folded), or None."""
    first = posixpath.normpath(rel_path).split("/")[0].casefold()
    for name in (*GUARDED_FILES, *GUARDED_DIRS):
        if first == name.casefold():
            return name if name in GUARDED_FILES else f"{name}/"
    return None


def check_not_guarded(raw: str, canonical: str) -> None:
    """Refuse a chapter path whose canonical form (symlinks resolved) is a guarded file."""
    guarded = guarded_part(canonical)
    if guarded is not None:
        shown = raw if raw == canonical else f"{raw} (resolves to {canonical})"
        raise KernelError(
            f"Chapter path is a guarded file ({guarded}): {shown}; {GUARDED_LIST} are never a"
            " chapter: point the chapter's path in state/ledger.json at its markdown file"
        )
