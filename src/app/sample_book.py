"""Where the bundled sample book lives (source checkout or installed package)."""

from __future__ import annotations

from pathlib import Path

from state_runner.adapters.files.state_paths import LEDGER
from state_runner.domain.errors import KernelError

_HERE = Path(__file__).resolve().parent
CANDIDATES = (
    _HERE.parents[1] / "examples" / "sample-book",  # source checkout: src/app -> repo root
    _HERE.parent / "sample_book",  # installed wheel: state_runner/sample_book (package data)
)


def sample_book_dir() -> Path:
    for candidate in CANDIDATES:
        if (candidate / LEDGER).is_file():
            return candidate
    raise KernelError("The bundled sample book is missing from this installation")
