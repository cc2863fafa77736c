"""`status` on a real (pseudo-)terminal: at 80 and 120 columns every chapter id is shown whole,
and the columns given up first are the ones the docs name."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.terminal import run_in_terminal

LONG_IDS = ("07-when-the-dough-will-not-rise", "08-why-the-crust-goes-soft-overnight")


@pytest.fixture(scope="module")
def bread_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new book with two long chapter ids, one of them run once with the mock."""
    root = tmp_path_factory.mktemp("bread") / "book"
    assert main(["init", str(root), "--headings", "Why it matters, Method"]) == 0
    for cid in LONG_IDS:
        assert main(["chapters", "--root", str(root), "add", cid, "--title", "Dough"]) == 0
    kernel = ["kernel", "--root", str(root), "--chapter-id", "01-example", "--llm"]
    assert main([*kernel, "--llm-provider", "mock", "--max-iterations", "1"]) == 1
    return root


def table_lines(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if line.startswith(("│", "┃"))]


@pytest.mark.parametrize("columns", [80, 120])
def test_every_chapter_id_is_whole_on_the_terminal(bread_book: Path, columns: int) -> None:
    code, screen = run_in_terminal("status", cwd=bread_book, columns=columns)
    assert code == 0, screen
    rows = table_lines(screen)
    for cid in (*LONG_IDS, "01-example"):
        assert any(f"│ {cid} " in row for row in rows), screen
    assert "…" not in screen
    assert max(len(line) for line in screen.splitlines()) <= columns


def test_80_columns_give_up_last_activity_drift_passes_and_tokens_first(bread_book: Path) -> None:
    _, narrow = run_in_terminal("status", cwd=bread_book, columns=80)
    header = " ".join(table_lines(narrow)[:2])  # a header may take two lines
    assert all(name not in header for name in ("activity", "drift", "passes", "tokens"))
    assert all(name in header for name in ("chapter", "status", "lifecycle", "iter"))
    _, wide = run_in_terminal("status", cwd=bread_book, columns=200)
    assert all(name in wide for name in ("activity", "drift", "lifecycle", "active_refinement"))
