"""`state-runner status [--root DIR] [--json]`: one row per chapter and a totals row; a table
on a terminal, plain columns when piped, or the versioned JSON document."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from state_runner.adapters.files.layout import IterationLayout
from state_runner.adapters.files.lock_holder import lock_holder
from state_runner.adapters.files.trace_reader import iteration_events
from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.container import build_container
from state_runner.app.repair_notice import status_line
from state_runner.app.status_columns import ID_COLUMN, Grid, fit
from state_runner.domain.status import BookStatus, ChapterRow, book_status

if TYPE_CHECKING:
    from rich.console import Console

HEADERS = (
    "chapter", "status", "lifecycle", "iter", "passes", "last verdict", "drift", "tokens",
    "last activity",
)  # fmt: skip
NUMERIC = {"iter", "passes", "drift", "tokens"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument(
        "--json", action="store_true", help="print the status as JSON (schema state-runner/status)"
    )


def verdict_cell(row: ChapterRow) -> str:
    if row.verdict == "refine" and row.failing_checks:
        return f"refine: {', '.join(row.failing_checks)}"
    return row.verdict


def cells(row: ChapterRow) -> list[str]:
    drift = "-" if row.drift_score is None else f"{row.drift_score:.2f}"
    return [
        row.chapter_id, row.status, row.lifecycle, str(row.iteration),
        str(row.consecutive_passes), verdict_cell(row), drift, f"{row.tokens:,}",
        row.last_activity or "-",
    ]  # fmt: skip


def totals(status: BookStatus) -> list[str]:
    tokens = status.prompt_tokens + status.completion_tokens
    label = f"total ({len(status.chapters)} chapters)"
    return [label, "", "", str(status.iterations), "", "", "", f"{tokens:,}", ""]


def plain(status: BookStatus) -> str:
    """Whitespace-aligned columns, numbers right-aligned: for pipes and files."""
    rows = [list(HEADERS), *(cells(r) for r in status.chapters), totals(status)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for row in rows:
        parts = [
            cell.rjust(width) if HEADERS[i] in NUMERIC else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def table(status: BookStatus, console: Console | None = None) -> None:
    """A rich table on the terminal, narrowed to its width (`status_columns.fit`)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    rows = [*(tuple(cells(r)) for r in status.chapters), tuple(totals(status))]
    grid = fit(Grid(HEADERS, tuple(rows)), console.width)
    view = Table(title="Book status", show_footer=False)
    for header in grid.headers:
        view.add_column(
            header, justify="right" if header in NUMERIC else "left", no_wrap=header == ID_COLUMN
        )
    for row, cells_shown in zip(status.chapters, grid.rows, strict=False):
        style = {"pass": "green", "refine": "yellow"}.get(row.verdict)
        view.add_row(*cells_shown, style=style)
    view.add_section()
    view.add_row(*grid.rows[-1], style="bold")
    console.print(view)


def chapter_traces(
    layout: IterationLayout, root: Path, ledger: Mapping[str, Any]
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Each ledger chapter's iteration event logs (for the tokens the ledger does not hold)."""
    chapters = ledger.get("chapters")
    ids = sorted(chapters) if isinstance(chapters, dict) else []
    return {cid: iteration_events(layout, root, cid) for cid in ids if isinstance(cid, str)}


def command(args: argparse.Namespace) -> int:
    root = book_root_of(args, Path.cwd())
    container = build_container(root)
    ledger = container.ledger()
    document = ledger.load()
    traces = chapter_traces(container.layout(), root, document)
    status = replace(book_status(document, ledger.read_repo_log(), traces), run=lock_holder(root))
    notice = status_line(container.journal())
    if notice is not None:
        sys.stderr.write(notice + "\n")
    if args.json:
        print(json.dumps(status.to_json(), indent=2, sort_keys=True))
    elif sys.stdout.isatty():
        table(status)
    else:
        sys.stdout.write(plain(status))
    if status.run is not None and not args.json:
        print(status.run.line())
    return 0
