"""Create a book's git repository: used by `init` and `demo`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from domain.errors import KernelError, one_line

FALLBACK_IDENTITY = ("-c", "user.name=state-runner", "-c", "user.email=state-runner@localhost")


def git(root: Path, *args: str, identity: tuple[str, ...] = ()) -> str:
    """Run git in `root`; one-line `KernelError` when git is missing or fails."""
    try:
        done = subprocess.run(
            ["git", *identity, "-C", str(root), *args],
            check=True,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise KernelError("git is not installed or not on PATH (a book is a git repo)") from None
    except subprocess.CalledProcessError as exc:
        detail = one_line(exc.stderr or exc.stdout or "")
        raise KernelError(f"git {args[0]} failed in {root}: {detail}") from None
    return done.stdout


def commit_everything(root: Path, message: str) -> None:
    """`git init` + add + commit; uses the person's git identity, or a neutral one when unset."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    configured = subprocess.run(
        ["git", "-C", str(root), "config", "user.email"], capture_output=True, text=True
    ).stdout.strip()
    git(root, "commit", "-q", "-m", message, identity=() if configured else FALLBACK_IDENTITY)
