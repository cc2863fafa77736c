"""`state-runner chapters add|list|remove`: register a new chapter, list the ledger's chapters,
or drop one."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from state_runner.adapters.files.atomic import atomic_write_text
from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.chapter_removal import remove_command
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.evals.quality_config import rules_for
from state_runner.domain.ledger_checks import check_file_name
from state_runner.domain.model import Ledger, new_chapter_entry
from state_runner.domain.preflight import read_eval_configs
from state_runner.domain.roles import chapter_hypothesis

PLACEHOLDER = "TODO: write this section."
EXEMPT_SECTION = "## Text"
HYPOTHESIS_PLACEHOLDER = "TODO: a claim about this chapter's subject that a reader could test."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    sub = parser.add_subparsers(dest="chapters_cmd", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="create a chapter with the book's required sections")
    add.add_argument("chapter_id", metavar="ID", help="e.g. 02-consistency (file name, no .md)")
    add.add_argument("--title", required=True, help="the chapter's title")
    sub.add_parser("list", help="the ledger's chapters with status and lifecycle")
    remove = sub.add_parser("remove", help="drop a chapter from the ledger and ROADMAP")
    remove.add_argument("chapter_id", metavar="ID", help="a chapter id of the ledger")
    remove.add_argument("--delete-file", action="store_true", help="delete its file as well")


def chapter_text(title: str, headings: list[str]) -> str:
    sections = "".join(f"{heading}\n\n{PLACEHOLDER}\n\n" for heading in headings)
    return f"# {title}\n\n{sections}".rstrip() + "\n"


def roadmap_block(chapter_id: str, title: str, roadmap: str) -> str:
    """The ROADMAP block for a chapter with a two-digit prefix that has none yet, else ""."""
    number = re.match(r"\d{2}", chapter_id)
    if number is None or re.search(rf"^## Chapter {number.group(0)}(?!\d)", roadmap, re.M):
        return ""
    block = f"## Chapter {number.group(0)} {title}\n\n### Research hypothesis\n\n"
    return block + HYPOTHESIS_PLACEHOLDER + "\n"


def add_chapter(root: Path, chapter_id: str, title: str) -> tuple[str, bool]:
    """Write the chapter file, the ledger entry and (when new) the ROADMAP block; returns the
    path and whether a ROADMAP block was added."""
    check_file_name(chapter_id)
    container = build_container(root)
    store, workspace = container.ledger(), container.workspace()
    ledger = Ledger.from_json(store.load(), store.display())
    if chapter_id in ledger.to_json()["chapters"]:
        raise KernelError(f"Chapter {chapter_id} is already in the ledger")
    path = f"book/chapters/{chapter_id}.md"
    if workspace.exists(path):
        raise KernelError(f"{root / path} already exists: register it in the ledger by hand")
    rules = rules_for(read_eval_configs(workspace).chapter_quality, chapter_id)
    # an exempt chapter still needs one `## ` section: the planner declares what may change
    headings = [EXEMPT_SECTION] if rules["exempt"] else list(rules["required_headings"])
    roadmap = workspace.read_text("ROADMAP.md") if workspace.exists("ROADMAP.md") else ""
    block = roadmap_block(chapter_id, title, roadmap)
    atomic_write_text(root / path, chapter_text(title, headings))
    if block:
        atomic_write_text(root / "ROADMAP.md", roadmap.rstrip() + "\n\n" + block)
    hypothesis = "" if block else chapter_hypothesis(roadmap, chapter_id)
    ledger.to_json()["chapters"][chapter_id] = new_chapter_entry(path, hypothesis)
    store.save(ledger.to_json())
    return path, bool(block)


def list_chapters(root: Path) -> None:
    """One line per chapter; the id column as wide as the longest id (at least 28)."""
    store = build_container(root).ledger()
    ledger = Ledger.from_json(store.load(), store.display())
    chapters = list(ledger.chapters())
    width = max([28, *(len(chapter.chapter_id) for chapter in chapters)])
    print(f"{'ID':<{width}} {'STATUS':<18} {'LIFECYCLE':<10} {'ITER':>4}  PATH")
    for chapter in chapters:
        print(
            f"{chapter.chapter_id:<{width}} {chapter.status or '-':<18} "
            f"{chapter.lifecycle or '-':<10} {chapter.current_iteration:>4}  {chapter.path}"
        )


def command(args: argparse.Namespace) -> int:
    root = book_root_of(args, Path.cwd())
    if args.chapters_cmd == "list":
        list_chapters(root)
        return 0
    if args.chapters_cmd == "remove":
        return remove_command(root, args.chapter_id, args.delete_file)
    with build_container(root).run_lock():
        path, new_block = add_chapter(root, args.chapter_id, args.title)
    roadmap = "a ROADMAP block" if new_block else "no ROADMAP block (one exists)"
    print(
        f"Added {args.chapter_id}: {path} (sections to write), its ledger entry and {roadmap}; "
        "nothing is committed.\n"
        f"Next: write the sections, commit, then state-runner kernel --chapter-id {args.chapter_id}"
    )
    return 0
