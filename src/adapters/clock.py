"""System clock: UTC ISO-8601 timestamps and a monotonic millisecond timer."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SystemClock:
    """The real clock."""

    def now_iso(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def monotonic_ms(self) -> float:
        return time.monotonic() * 1000.0
