"""`status_columns.fit`: the id column stays whole; other columns go in the documented order."""

from __future__ import annotations

from state_runner.app.status_columns import DROP_ORDER, Grid, fit, least_width
from state_runner.app.status_command import HEADERS

LONG_ID = "07-when-the-dough-will-not-rise"
ROW = (
    LONG_ID, "active_refinement", "draft", "3", "0", "refine: style_guard, critic", "0.25",
    "12,345", "2026-12-04T04:38:15Z",
)  # fmt: skip
TOTALS = ("total (1 chapters)", "", "", "3", "", "", "", "12,345", "")
GRID = Grid(HEADERS, (ROW, TOTALS))


def test_a_table_that_fits_is_kept_whole() -> None:
    assert fit(GRID, 300) == GRID


def test_the_status_is_shortened_before_any_column_goes() -> None:
    shortened = fit(GRID, least_width(GRID) - 1)
    assert shortened.headers == HEADERS
    assert shortened.rows[0][1] == "active" and shortened.rows[0][0] == LONG_ID


def test_columns_go_in_the_documented_order_and_the_id_stays() -> None:
    most_gone = 0
    for width in range(least_width(GRID), 10, -1):
        kept = fit(GRID, width)
        assert kept.headers[0] == "chapter" and kept.rows[0][0] == LONG_ID
        gone = {header for header in HEADERS if header not in kept.headers}
        assert gone == set(DROP_ORDER[: len(gone)])  # always the first ones of the order
        most_gone = max(most_gone, len(gone))
    assert most_gone == len(DROP_ORDER)
    assert DROP_ORDER[-2:] == ("status", "lifecycle")  # whether a chapter is refined goes last


def test_at_80_columns_a_31_character_id_keeps_status_lifecycle_iter_and_verdict() -> None:
    kept = fit(GRID, 80)
    assert least_width(kept) <= 80
    assert kept.headers == ("chapter", "status", "lifecycle", "iter", "last verdict")
