"""`state-runner init DIR`: a complete new book in a fresh git repository, ready for the kernel."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from state_runner.adapters.files.atomic import write_json
from state_runner.adapters.files.state_paths import LEDGER, METRICS, VERSION_MAP
from state_runner.app.container import build_container
from state_runner.domain.errors import KernelError
from state_runner.domain.model import new_chapter_entry, new_ledger
from state_runner.domain.roles import chapter_hypothesis

TEMPLATE = Path(__file__).resolve().parent / "book_template"
FIRST_CHAPTER = "01-retries-and-backoff"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="where to create the book (new or empty)")


def create_book(target: Path) -> None:
    """Copy the template, write the state files, commit everything."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KernelError(f"{target} is not an empty directory: init creates a new book there")
    shutil.copytree(TEMPLATE, target, dirs_exist_ok=True)
    (target / "gitignore.txt").rename(target / ".gitignore")
    path = f"book/chapters/{FIRST_CHAPTER}.md"
    hypothesis = chapter_hypothesis((target / "ROADMAP.md").read_text(), FIRST_CHAPTER)
    ledger = new_ledger()
    ledger["chapters"][FIRST_CHAPTER] = new_chapter_entry(path, hypothesis)
    write_json(target / LEDGER, ledger)
    write_json(target / METRICS, {"chapters": {}})
    write_json(target / VERSION_MAP, {"chapters": {}, "generated_at": None})
    build_container(target).vcs().create_repository("New book (state-runner init)")


def command(args: argparse.Namespace) -> int:
    target = Path(args.directory).resolve()
    create_book(target)
    cid = FIRST_CHAPTER
    print(
        f"Created a book in {target} with one chapter ({cid}), committed to a new git repository.\n"
        "Next:\n"
        f"  cd {target}\n"
        "  state-runner governance validate                  # the ledger is complete\n"
        f"  state-runner kernel --chapter-id {cid} --llm --llm-provider mock   # offline try-out\n"
        '  state-runner chapters add 02-your-topic --title "Your topic"   # one of your own\n'
        "Adapt evals/*.yaml and prompts/*.md to your book: docs/book-format.md in the "
        "state-runner repository describes every file."
    )
    return 0
