"""`state-runner report --chapter-id ID [--root DIR] [--out FILE.html]`: the chapter's
refinement report, one self-contained HTML page (app/report_page.py)."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from state_runner.adapters.files.read_limits import CHAPTER_LIMIT, ROLE_OUTPUT_LIMIT
from state_runner.adapters.files.text_files import read_utf8
from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.container import Container, build_container
from state_runner.app.report_caps import drift_caps
from state_runner.app.report_page import render
from state_runner.domain.chapter_history import chapter_history
from state_runner.domain.errors import KernelError
from state_runner.domain.rules import unknown_chapter

REPORTS = Path("state") / "reports"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chapter-id", required=True, help="a key of ledger.chapters")
    add_root_argument(parser)
    parser.add_argument(
        "--out", metavar="FILE.html", help="where to write it (default: state/reports/ID.html)"
    )


def diffs(container: Container, chapter_id: str, iterations: list[int]) -> dict[int, str]:
    """Each iteration's unified diff, from its role I/O (`in/writer_chapter.md` to
    `out/writer.md`), where both files are still there."""
    layout = container.layout()
    found = {}
    for number in iterations:
        before = layout.in_dir(chapter_id, number) / "writer_chapter.md"
        after = layout.out_dir(chapter_id, number) / "writer.md"
        if before.is_file() and after.is_file():
            root = layout.workspace_root
            old = read_utf8(before, root, CHAPTER_LIMIT).splitlines(keepends=True)
            new = read_utf8(after, root, ROLE_OUTPUT_LIMIT).splitlines(keepends=True)
            found[number] = "".join(
                difflib.unified_diff(old, new, f"iteration {number} before", "after")
            )
    return found


def command(args: argparse.Namespace) -> int:
    root = book_root_of(args, Path.cwd())
    container = build_container(root)
    ledger = container.ledger()
    chapters = ledger.load().get("chapters") or {}
    if args.chapter_id not in chapters:
        raise KernelError(unknown_chapter(args.chapter_id, chapters))
    logs = (
        container.metrics().read_history(args.chapter_id),
        ledger.read_chapter_log(args.chapter_id),
        ledger.read_repo_log(),
    )
    numbers = [p.iteration for p in chapter_history(args.chapter_id, *logs)]
    caps = drift_caps(container, args.chapter_id, numbers)
    points = chapter_history(args.chapter_id, *logs, caps)
    page = render(
        args.chapter_id, points, diffs(container, args.chapter_id, [p.iteration for p in points])
    )
    out = Path(args.out) if args.out else root / REPORTS / f"{args.chapter_id}.html"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise KernelError(f"Cannot write the report to {out}: {exc.strerror or exc}") from None
    print(f"{args.chapter_id}: report of {len(points)} iteration(s) written to {out}")
    return 0
