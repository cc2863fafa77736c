"""The drift cap each iteration of a chapter ran with, for the report's failed checks: read from
the iteration's kernel trace (`out/kernel_trace.jsonl`) while it is still there."""

from __future__ import annotations

from collections.abc import Iterable

from state_runner.adapters.files.iteration_files import EVENT_LOG
from state_runner.adapters.files.jsonl_log import read_entries
from state_runner.app.container import Container
from state_runner.domain.chapter_history import drift_cap


def drift_caps(
    container: Container, chapter_id: str, iterations: Iterable[int]
) -> dict[int, float]:
    """Iteration -> its drift cap, for the iterations whose trace names one."""
    layout = container.layout()
    caps: dict[int, float] = {}
    for number in iterations:
        trace = layout.out_dir(chapter_id, number) / EVENT_LOG
        if trace.is_file():
            cap = drift_cap(read_entries(trace, layout.workspace_root), number)
            if cap is not None:
                caps[number] = cap
    return caps
