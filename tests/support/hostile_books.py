"""Hostile books made by the tests: a sample-book copy turned bad in one way, and a canary.

Each case builds its book from the sample book, commits it (a book arrives as a clone), and names
the exact line the kernel must refuse it with. The canary is a file outside the workspace whose
content must never reach the model server, nor any file or output of the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from state_runner_contract.servers.model_server import ModelServer, RecordedRequest, Reply
from support.workspace import REQUIRED_HEADINGS, Book

LOCK_FILE = "state/kernel.lock"  # the run lock: the only file a refused run may leave behind


@dataclass(frozen=True)
class Canary:
    """A chapter-shaped file outside the workspace with a unique token in it."""

    path: Path
    token: str

    @classmethod
    def plant(cls, folder: Path) -> Canary:
        token = f"CANARY-{uuid.uuid4().hex}"
        sections = [f"{heading}\n\n{token} under {heading}." for heading in REQUIRED_HEADINGS]
        body = "\n\n".join(sections)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "canary.md"
        path.write_text(f"# Outside\n\n{body}\n", encoding="utf-8")
        return cls(path, token)


@dataclass(frozen=True)
class HostileCase:
    """One class of hostile book: how to make it, the run's extra flags, the refusal expected.

    `commit`: the change is committed (a clone carries it), else made in the working tree after
    the last commit (what git cannot carry: a FIFO, a detached HEAD). `reaches_model`: the
    refusal comes after a model call, so the iteration's role I/O record may be written (only
    `state/role_io/`); everything else stays as it was. `secrets`: text that must appear in no
    output and no file."""

    name: str
    make: Callable[[Book, Canary], None]
    refusal: Callable[[Book, ModelServer], str]
    flags: Callable[[Book, ModelServer], tuple[str, ...]] = lambda book, server: ()
    commit: bool = True
    reaches_model: bool = False
    responder: Callable[[RecordedRequest], Reply] | None = None
    secrets: tuple[str, ...] = field(default=())


def workspace_bytes(root: Path, *, role_io: bool = True) -> dict[str, bytes | str]:
    """Every entry under the workspace (git's own files too) by relative path: file bytes, or
    where a symlink points; the run lock is left out, and `state/role_io/` unless `role_io`."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == LOCK_FILE or (not role_io and rel.startswith("state/role_io")):
            continue
        if path.is_symlink():
            found[rel] = f"-> {path.readlink()}"
        elif path.is_file():
            found[rel] = path.read_bytes()
        elif not path.is_dir():
            found[rel] = f"special file {path.lstat().st_mode:o}"
    return found


def active_chapter(book: Book) -> Path:
    return book.chapter_path(book.active_id)


def chapter_rel(book: Book) -> str:
    return active_chapter(book).relative_to(book.root).as_posix()


def replace_with_symlink(target: Path, link: Path) -> None:
    """Replace `link` (a file of the book) by a symlink to `target`."""
    link.unlink()
    link.symlink_to(target)
