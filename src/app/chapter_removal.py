"""`state-runner chapters remove ID [--delete-file]`: the ledger entry and its ROADMAP block go;
the chapter file only when asked; its logs under state/ stay as history."""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

from state_runner.adapters.files.atomic import atomic_write_text
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.model import Ledger
from state_runner.domain.rules import unknown_chapter

ROADMAP = "ROADMAP.md"


@dataclass(frozen=True)
class Removal:
    """What `remove_chapter` did."""

    path: str
    roadmap_block: bool
    file_deleted: bool


def without_roadmap_block(roadmap: str, chapter_id: str, others: list[str]) -> str:
    """The ROADMAP without the `## Chapter NN` block of the id's two-digit prefix (up to the next
    `## ` heading), unless another chapter still has that prefix; unchanged when there is none."""
    number = re.match(r"\d{2}", chapter_id)
    if number is None or any(other.startswith(number.group(0)) for other in others):
        return roadmap
    block = re.compile(rf"^## Chapter {number.group(0)}(?!\d).*\n(?:(?!## ).*(?:\n|$))*", re.M)
    kept = block.sub("", roadmap, count=1)
    return kept if kept == roadmap else kept.rstrip() + "\n"


def deletable_file(root: Path, path: str) -> Path | None:
    """The chapter file to delete (None when it is absent); refuses anything but a file."""
    target = root / path
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return None
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise KernelError(f"--delete-file: {target} is not a file: nothing was removed")
    return target


def remove_chapter(root: Path, chapter_id: str, delete_file: bool) -> Removal:
    """Drop the chapter from the ledger and ROADMAP (and its file when asked); the caller holds
    the run lock. Refuses an unknown id and the book's only chapter."""
    container = build_container(root)
    store, workspace = container.ledger(), container.workspace()
    ledger = Ledger.from_json(store.load(), store.display()).to_json()
    chapters = ledger["chapters"]
    if chapter_id not in chapters:
        raise KernelError(unknown_chapter(chapter_id, chapters))
    if len(chapters) == 1:
        raise KernelError(
            f"Chapter {chapter_id} is the book's only chapter: add another first "
            "(state-runner chapters add ID --title TITLE), then remove it"
        )
    entry = chapters[chapter_id]
    path = workspace.resolve_chapter_path(entry.get("path") if isinstance(entry, dict) else None)
    target = deletable_file(root, path) if delete_file else None
    roadmap = workspace.read_text(ROADMAP) if workspace.exists(ROADMAP) else ""
    others = [other for other in chapters if other != chapter_id]
    kept = without_roadmap_block(roadmap, chapter_id, others)
    del chapters[chapter_id]
    store.save(ledger)
    if kept != roadmap:
        atomic_write_text(root / ROADMAP, kept)
    if target is not None:
        target.unlink()
    return Removal(path, kept != roadmap, target is not None)


def remove_command(root: Path, chapter_id: str, delete_file: bool) -> int:
    """Remove under the run lock and say what went and what stayed."""
    with build_container(root).run_lock():
        removal = remove_chapter(root, chapter_id, delete_file)
    roadmap = "its ROADMAP block" if removal.roadmap_block else "no ROADMAP block (none of its own)"
    if removal.file_deleted:
        kept = f"deleted {removal.path}"
    elif delete_file:
        kept = f"{removal.path} did not exist"
    else:
        kept = f"{removal.path} stays (--delete-file removes it)"
    print(
        f"Removed {chapter_id}: its ledger entry and {roadmap}; {kept}; its logs under state/ "
        "stay as history; nothing is committed."
    )
    return 0
