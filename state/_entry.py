"""Shared import shim for the `state/*.py` entry points (works with or without installation)."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from state_runner.app.cli import main
except ImportError:  # run from a plain checkout: use the sources next to this folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from state_runner.app.cli import main

__all__ = ["main"]
