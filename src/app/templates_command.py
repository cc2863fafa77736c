"""`state-runner templates`: scaffold role outputs for a person to fill in.

See docs/kernel-contract.md section 10.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.container import Container, build_container
from state_runner.app.settings import parse_int, resolve_io_dir
from state_runner.domain.errors import KernelError
from state_runner.domain.model import Ledger
from state_runner.domain.roles import dump_json
from state_runner.domain.rules import unknown_chapter

PLANNER_TEMPLATE = {
    "focus_areas": [],
    "structural_changes": [],
    "risk_flags": [],
    "target_word_delta": "+0",
}
CRITIC_TEMPLATE = {
    "structure_score": 0.0,
    "clarity_score": 0.0,
    "example_density": 0.0,
    "tradeoff_presence": False,
    "failure_modes_present": False,
    "drift_score": 0.0,
    "violations": [],
    "decision": "refine",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chapter-id", required=True)
    parser.add_argument("--iteration", help="iteration number (default: the next one)")
    parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    add_root_argument(parser)
    parser.add_argument("--io-dir", help="role I/O root (default: <root>/state/role_io)")


def command(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    root = book_root_of(args, cwd)
    container = build_container(root, resolve_io_dir(args.io_dir, root, cwd))
    with container.run_lock():
        return scaffold(args, container)


def scaffold(args: argparse.Namespace, container: Container) -> int:
    """Write the three output templates for the chapter's next (or given) iteration."""
    ledger = Ledger.from_json(container.ledger().load(), container.ledger().display())
    chapter = next((c for c in ledger.chapters() if c.chapter_id == args.chapter_id), None)
    if chapter is None:
        raise KernelError(unknown_chapter(args.chapter_id, ledger.to_json()["chapters"]))
    if args.iteration is not None:
        iteration = parse_int(args.iteration, "--iteration", minimum=1)
    else:
        iteration = chapter.current_iteration + 1
    workspace = container.workspace()
    chapter_text = workspace.read_text(workspace.resolve_chapter_path(chapter.path))
    role_files = container.role_files().iteration(args.chapter_id, iteration)
    files = {
        "planner.json": dump_json(PLANNER_TEMPLATE),
        "writer.md": chapter_text,
        "critic.json": dump_json(CRITIC_TEMPLATE),
    }
    for name, text in files.items():
        shown = role_files.shown(name)
        if role_files.read_output(name) is not None and not args.force:
            print(f"kept    {shown}")
            continue
        role_files.write_output(name, text)
        print(f"wrote   {shown}")
    return 0
