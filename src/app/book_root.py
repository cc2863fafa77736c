"""Which book a command works on: `--root DIR`, or the nearest folder at or above the current
directory that holds `state/ledger.json`, as git finds its repository.

The walk starts from the physical current directory (the operating system's, symlinks already
resolved), goes up one folder at a time and stops at the filesystem root; the nearest book wins,
so a nested book is never mistaken for the book around it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from state_runner.app.settings import resolve_root
from state_runner.domain.errors import KernelError

LEDGER_REL = Path("state") / "ledger.json"
WAYS_ON = "cd into a book, pass --root DIR, or create one with: state-runner init DIR"
ROOT_HELP = "the book's folder (default: the book the current directory is in)"


def add_root_argument(parser: argparse.ArgumentParser) -> None:
    """`--root DIR` on a subcommand; it leaves a `--root` given before the subcommand alone."""
    parser.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)


def add_global_root_argument(parser: argparse.ArgumentParser) -> None:
    """`state-runner --root DIR COMMAND`: the same flag, before the subcommand."""
    parser.add_argument("--root", default=None, help=ROOT_HELP)


def holds_ledger(folder: Path) -> bool:
    """A `state/ledger.json` entry of any kind; the safe reader judges what it is."""
    ledger = folder / LEDGER_REL
    return ledger.is_symlink() or ledger.exists()


def may_be_a_book(root: Path) -> bool:
    """For `--root`: a ledger, or a `state` that is not a folder (the reader says what is wrong)."""
    state = root / LEDGER_REL.parent
    blocked = (state.is_symlink() or state.exists()) and not state.is_dir()
    return blocked or holds_ledger(root)


def find_book_root(raw: str | None, cwd: Path) -> Path:
    """The book of `--root` (which must hold a ledger) or the nearest one around `cwd`."""
    if raw:
        root = resolve_root(raw, cwd)
        if not may_be_a_book(root):
            raise KernelError(f"Not a book: {root} has no {LEDGER_REL.as_posix()} ({WAYS_ON})")
        return root
    start = cwd.resolve()
    for folder in (start, *start.parents):
        if holds_ledger(folder):
            return folder
    raise KernelError(
        f"Not inside a book: no {LEDGER_REL.as_posix()} in {start} or any folder above it "
        f"({WAYS_ON})"
    )


def book_root_of(args: argparse.Namespace, cwd: Path) -> Path:
    """The book a parsed command line names, with or without `--root`."""
    raw: str | None = getattr(args, "root", None)
    return find_book_root(raw, cwd)
