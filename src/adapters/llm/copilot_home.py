"""The Copilot CLI's private home: created per adapter, removed on close, swept after crashes.

Names carry the owning process id (`state-runner-copilot-<pid>-<random>`), so a later run can
tell the homes of dead runs (a SIGKILLed kernel cannot clean up) from those of live ones.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

HOME_PREFIX = "state-runner-copilot-"
_NAME = re.compile(rf"^{re.escape(HOME_PREFIX)}(\d+)-")


def create_home() -> str:
    return tempfile.mkdtemp(prefix=f"{HOME_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_homes(folder: str | None = None) -> list[Path]:
    """Delete homes left by processes that no longer exist; returns what was removed."""
    removed: list[Path] = []
    base = Path(folder or tempfile.gettempdir())
    for path in base.glob(f"{HOME_PREFIX}*"):
        match = _NAME.match(path.name)
        if match is None or not path.is_dir() or _alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
