"""`state-runner init DIR`: a complete new book in a fresh git repository, ready for the kernel."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from state_runner.adapters.files.atomic import write_json
from state_runner.adapters.files.state_paths import LEDGER, METRICS, VERSION_MAP
from state_runner.app.book_headings import ask_headings, check_title, parse_headings
from state_runner.app.container import build_container
from state_runner.app.own_headings_book import apply_headings
from state_runner.domain.errors import KernelError
from state_runner.domain.model import new_chapter_entry, new_ledger
from state_runner.domain.roles import chapter_hypothesis

TEMPLATE = Path(__file__).resolve().parent / "book_template"
FIRST_CHAPTER = "01-retries-and-backoff"
ROADMAP_TITLE = "# Roadmap\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="where to create the book (new or empty)")
    parser.add_argument(
        "--headings",
        help='your chapters\' section headings, comma-separated, e.g. "Why it matters, Method" '
        "(asked on a terminal when omitted; else the sample software book's)",
    )
    parser.add_argument("--title", help="the book's title, written at the top of ROADMAP.md")


def book_options(args: argparse.Namespace) -> tuple[list[str] | None, str | None]:
    """The validated headings (None: the sample book's) and title; one-line refusals."""
    raw = args.headings if args.headings is not None else ask_headings()
    try:
        headings = None if raw is None else parse_headings(raw)
    except ValueError as exc:
        raise KernelError(f"--headings: {exc}") from None
    try:
        title = None if args.title is None else check_title(args.title)
    except ValueError as exc:
        raise KernelError(f"--title: {exc}") from None
    return headings, title


def create_book(target: Path, headings: list[str] | None = None, title: str | None = None) -> str:
    """Copy the template (with the author's headings when given), write the state files, commit
    everything; returns the example chapter's id."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KernelError(f"{target} is not an empty directory: init creates a new book there")
    shutil.copytree(TEMPLATE, target, dirs_exist_ok=True)
    (target / "gitignore.txt").rename(target / ".gitignore")
    first = FIRST_CHAPTER if headings is None else apply_headings(target, headings)
    roadmap_path = target / "ROADMAP.md"
    roadmap = roadmap_path.read_text(encoding="utf-8")
    if title is not None:
        roadmap = roadmap.replace(ROADMAP_TITLE, f"# Roadmap: {title}\n", 1)
        roadmap_path.write_text(roadmap, encoding="utf-8")
    ledger = new_ledger()
    hypothesis = chapter_hypothesis(roadmap, first)
    ledger["chapters"][first] = new_chapter_entry(f"book/chapters/{first}.md", hypothesis)
    write_json(target / LEDGER, ledger)
    write_json(target / METRICS, {"chapters": {}})
    write_json(target / VERSION_MAP, {"chapters": {}, "generated_at": None})
    build_container(target).vcs().create_repository("New book (state-runner init)")
    return first


NO_GIT_IDENTITY = (
    "git does not know your name and email yet, which your own commits need: "
    'git config --global user.name "Your Name"; git config --global user.email you@example.com\n'
)


def own_headings_note(cid: str) -> str:
    return (
        f"The example chapter {cid} uses your headings; drop it once you have your own:\n"
        f"  state-runner chapters remove {cid} --delete-file\n"
        "Optional: evals/drift-detection.yaml has no anchors (the sample's were software "
        "terms); to have the drift check watch your key terms, list them there, e.g. "
        "anchors: [starter, flour, proofing].\n"
    )


def command(args: argparse.Namespace) -> int:
    target = Path(args.directory).resolve()
    headings, title = book_options(args)
    cid = create_book(target, headings, title)
    print(
        f"Created a book in {target} with one chapter ({cid}), committed to a new git repository.\n"
        + (own_headings_note(cid) if headings is not None else "")
        + ("" if build_container(target).vcs().has_identity() else NO_GIT_IDENTITY)
        + "Next:\n"
        f"  cd {target}\n"
        "  state-runner governance validate                  # the ledger is complete\n"
        f"  state-runner kernel --chapter-id {cid} --llm --llm-provider mock   # offline try-out\n"
        '  state-runner chapters add 02-your-topic --title "Your topic"   # one of your own\n'
        "Adapt evals/*.yaml and prompts/*.md to your book: `state-runner help book-format` "
        "describes every file."
    )
    return 0
