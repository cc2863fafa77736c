"""`state-runner governance`: validate the ledger, select, promote, unhold, unlock."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.files.ledger_store import JsonLedgerStore as LedgerStore
from adapters.files.state_paths import LEDGER
from app.container import build_container
from domain import governance
from domain.errors import KernelError

LEDGER_REL = Path(LEDGER)
WRITING_COMMANDS = ("promotions", "unhold", "unlock")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ledger", help="path to state/ledger.json (default: ./state/ledger.json)")
    sub = parser.add_subparsers(dest="governance_cmd", required=True, metavar="COMMAND")
    sub.add_parser("validate", help="check the ledger against the schema v2 rules")
    sub.add_parser("select", help="print the next chapter to refine")
    sub.add_parser("promotions", help="promote draft chapters with enough consecutive passes")
    for name, default in (("unhold", "active_refinement"), ("unlock", "active_refinement")):
        cmd = sub.add_parser(name, help=f"{name} chapters (set their status)")
        cmd.add_argument("--chapter-id", nargs="+", required=True, metavar="ID")
        cmd.add_argument("--status", default=default, help=f"new status ({default})")


def workspace_of(raw: str | None) -> Path:
    """The workspace root for `--ledger` (which must be `<workspace>/state/ledger.json`)."""
    path = Path(raw).resolve() if raw else (Path.cwd() / LEDGER_REL).resolve()
    root = path.parent.parent
    if path != root / LEDGER_REL:
        raise KernelError(f"--ledger must point to <workspace>/state/ledger.json (got {path})")
    return root


def command(args: argparse.Namespace) -> int:
    root = workspace_of(args.ledger)
    container = build_container(root)
    if args.governance_cmd in WRITING_COMMANDS:
        with container.run_lock():
            return run(args, container.ledger())
    return run(args, container.ledger())


def run(args: argparse.Namespace, store: LedgerStore) -> int:
    ledger = store.load()
    cmd = args.governance_cmd
    if cmd == "validate":
        problems = governance.validate_ledger(ledger)
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
