"""`state-runner governance`: validate the ledger, select, promote, unhold, unlock."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from state_runner.adapters.files.state_paths import LEDGER
from state_runner.app.book_root import add_root_argument, find_book_root
from state_runner.app.container import build_container
from state_runner.app.repair_notice import validation_problems
from state_runner.domain import governance
from state_runner.domain.book_problems import eval_file_problems, missing_chapter_files
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import JsonObject, LedgerSource, Workspace

LEDGER_REL = Path(LEDGER)


class LedgerStore(LedgerSource, Protocol):
    """The ledger file as governance reads and writes it (the container supplies it)."""

    def save(self, ledger: JsonObject) -> None: ...


WRITING_COMMANDS = ("promotions", "unhold", "unlock")


def add_location(parser: argparse.ArgumentParser, default: object) -> None:
    """`--ledger` and `--root`; accepted before the action and after it."""
    parser.add_argument(
        "--ledger",
        default=default,
        help="path to state/ledger.json (default: the book around the current directory)",
    )
    add_root_argument(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_location(parser, None)
    sub = parser.add_subparsers(dest="governance_cmd", required=True, metavar="COMMAND")
    actions = [
        sub.add_parser("validate", help="check the ledger against the schema v2 rules"),
        sub.add_parser("select", help="print the next chapter to refine"),
        sub.add_parser("promotions", help="promote draft chapters with enough consecutive passes"),
    ]
    for name, default in (("unhold", "active_refinement"), ("unlock", "active_refinement")):
        cmd = sub.add_parser(name, help=f"{name} chapters (set their status)")
        cmd.add_argument("--chapter-id", nargs="+", required=True, metavar="ID")
        cmd.add_argument("--status", default=default, help=f"new status ({default})")
        actions.append(cmd)
    for action in actions:  # after the action they override what came before it
        add_location(action, argparse.SUPPRESS)


def workspace_of(ledger: str | None, root: str | None = None) -> Path:
    """The workspace of `--ledger` (`<workspace>/state/ledger.json`), `--root`, or the book
    around the current directory."""
    if root is not None or ledger is None:
        workspace = find_book_root(root, Path.cwd())
        if ledger is not None and Path(ledger).resolve() != workspace / LEDGER_REL:
            raise KernelError(f"--ledger {ledger} is not the ledger of --root {root}")
        return workspace
    path = Path(ledger).resolve()
    workspace = path.parent.parent
    if path != workspace / LEDGER_REL:
        raise KernelError(f"--ledger must point to <workspace>/state/ledger.json (got {path})")
    return workspace


def command(args: argparse.Namespace) -> int:
    root = workspace_of(args.ledger, getattr(args, "root", None))
    container = build_container(root)
    if args.governance_cmd in WRITING_COMMANDS:
        with container.run_lock():
            return run(args, container.ledger(), container.workspace())
    pending = validation_problems(container.journal())
    return run(args, container.ledger(), container.workspace(), pending)


def run(
    args: argparse.Namespace, store: LedgerStore, workspace: Workspace, pending: Sequence[str] = ()
) -> int:
    """Run one action; `pending` holds validate's problems found outside the ledger."""
    ledger = store.load()
    cmd = args.governance_cmd
    if cmd == "validate":
        problems = [
            *governance.ledger_problems(ledger, workspace),
            *missing_chapter_files(ledger, workspace),
            *eval_file_problems(workspace),
            *pending,
        ]
        if problems:
            sys.stderr.write(
                f"GovernanceError: {len(problems)} problem(s): " + "; ".join(problems) + "\n"
            )
            return 1
        print(f"ledger OK: {store.display()}")
        return 0
    if cmd == "select":
        print(governance.select_next_chapter(ledger))
        return 0
    if cmd == "promotions":
        promoted = governance.apply_promotions(ledger)
        if promoted:
            store.save(ledger)
            print("promoted to refined: " + ", ".join(promoted))
        else:
            print("no promotions")
        return 0
    only_from = "hold" if cmd == "unhold" else "locked"
    changed = governance.set_status(ledger, args.chapter_id, args.status, only_from=only_from)
    store.save(ledger)
    print(f"status set to {args.status!r}: " + ", ".join(changed))
    return 0
