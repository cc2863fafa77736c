"""`state-runner evals check [--chapter-id ID] [--strict] [--json]`: what the kernel will enforce,
the eval keys it ignores, and (with a chapter id) the three evals on the chapter as it is now.

It only reads: no iteration, ledger, metrics or hold is written and no lock is taken.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.container import build_container
from state_runner.app.evals_check import evals_check
from state_runner.app.evals_text import report_text
from state_runner.domain.model import Ledger

EXIT_WARNINGS = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    sub = parser.add_subparsers(dest="evals_cmd", required=True, metavar="COMMAND")
    check = sub.add_parser(
        "check", help="print what the evals enforce, and the eval keys the kernel ignores"
    )
    check.add_argument("--root", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    check.add_argument(
        "--chapter-id", metavar="ID", help="also run the three evals on this chapter's text"
    )
    check.add_argument("--strict", action="store_true", help="exit 1 when there is a warning")
    check.add_argument(
        "--json", action="store_true", help="print JSON (schema state-runner/evals-check)"
    )


def command(args: argparse.Namespace) -> int:
    root = book_root_of(args, Path.cwd())
    container = build_container(root)
    store = container.ledger()
    ledger = Ledger.from_json(store.load(), store.display())
    document = evals_check(
        container.workspace(), ledger, args.chapter_id, container.clock().now_iso()
    )
    if args.json:
        print(json.dumps(document, indent=2, sort_keys=True))
    else:
        print(report_text(document), end="")
    return EXIT_WARNINGS if args.strict and document["warnings"] else 0
