"""Which columns of the `status` table fit the terminal: the chapter id is never cut.

The table keeps every column when it fits. Otherwise it gives up, one step at a time and until
it fits: the long status name (`active_refinement` shown as `active`), then the columns
last activity, drift, passes, tokens, last verdict, status and lifecycle (whether a chapter is
refined or on hold is what an author looks for: it goes last). A cell other than the
id may still wrap at its spaces; the id column is never wrapped or shortened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len

SHORT_STATUS = {"active_refinement": "active"}
DROP_ORDER = ("last activity", "drift", "passes", "tokens", "last verdict", "status", "lifecycle")
CELL_PADDING = 2  # rich's default: one space on each side of a cell
ID_COLUMN = "chapter"


@dataclass(frozen=True)
class Grid:
    """Headers and rows (totals row last) of the table, cell texts as shown."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, header: str) -> list[str]:
        index = self.headers.index(header)
        return [header, *(row[index] for row in self.rows)]

    def without(self, header: str) -> Grid:
        index = self.headers.index(header)
        keep = [i for i in range(len(self.headers)) if i != index]
        return Grid(
            tuple(self.headers[i] for i in keep),
            tuple(tuple(row[i] for i in keep) for row in self.rows),
        )

    def mapped(self, header: str, change: Callable[[str], str]) -> Grid:
        index = self.headers.index(header)
        rows = tuple(
            tuple(change(cell) if i == index else cell for i, cell in enumerate(row))
            for row in self.rows
        )
        return Grid(self.headers, rows)


def narrowest(cells: Sequence[str], wraps: bool) -> int:
    """The fewest terminal cells a column's text needs: its longest word when it may wrap,
    its longest cell when not."""
    if not wraps:
        return max(cell_len(cell) for cell in cells)
    return max((cell_len(word) for cell in cells for word in cell.split()), default=1)


def least_width(grid: Grid) -> int:
    """The narrowest the table can be drawn: cells, padding and the vertical rules."""
    inner = sum(
        narrowest(grid.column(header), wraps=header != ID_COLUMN) + CELL_PADDING
        for header in grid.headers
    )
    return inner + len(grid.headers) + 1


def _shortened_status(grid: Grid) -> Grid:
    return grid.mapped("status", lambda cell: SHORT_STATUS.get(cell, cell))


def fit(grid: Grid, width: int) -> Grid:
    """`grid`, shortened and with columns dropped in the documented order until it fits
    `width` (the id column stays whole even when nothing else is left to drop)."""
    if least_width(grid) <= width:
        return grid
    grid = _shortened_status(grid)
    for header in DROP_ORDER:
        if least_width(grid) <= width:
            break
        grid = grid.without(header)
    return grid
