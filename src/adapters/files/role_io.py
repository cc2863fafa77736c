"""Role input/output files of each iteration (kernel.md sections 1 and 3)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from adapters.files.atomic import atomic_write_text
from adapters.files.jsonl_log import safe_name
from adapters.files.layout import IterationLayout
from adapters.files.text_files import read_utf8
from domain.errors import KernelError
from domain.roles import OUTPUT_FILES


class FsRoleIO:
    """RoleIO port over the role I/O directory tree."""

    def __init__(self, layout: IterationLayout) -> None:
        self.layout = layout

    def write_input(self, chapter_id: str, iteration: int, name: str, text: str) -> None:
        path = self.layout.in_dir(chapter_id, iteration) / safe_name(name, "file name")
        atomic_write_text(path, text)

    def read_output(self, chapter_id: str, iteration: int, name: str) -> str | None:
        path = self.layout.out_dir(chapter_id, iteration) / safe_name(name, "file name")
        if not path.exists():
            return None
        return read_utf8(path)

    def write_output(self, chapter_id: str, iteration: int, name: str, text: str) -> None:
        path = self.layout.out_dir(chapter_id, iteration) / safe_name(name, "file name")
        atomic_write_text(path, text)

    def output_display(self, chapter_id: str, iteration: int, name: str) -> str:
        return self.layout.show(self.layout.out_dir(chapter_id, iteration) / name)

    def iteration_display(self, chapter_id: str, iteration: int) -> str:
        return self.layout.show(self.layout.iteration_dir(chapter_id, iteration))

    def has_llm_trace(self, chapter_id: str, iteration: int, role: str) -> bool:
        trace = self.layout.trace_dir(chapter_id, iteration) / f"{safe_name(role, 'role')}"
        return trace.with_name(f"{trace.name}.response.txt").exists()

    def reject(self, chapter_id: str, iteration: int, roles: Sequence[str]) -> str:
        """Move the roles' outputs and every trace file of theirs (attempts too) aside."""
        out = self.layout.out_dir(chapter_id, iteration)
        traces = self.layout.trace_dir(chapter_id, iteration)
        target = _next_numbered(self.layout.rejected_dir(chapter_id, iteration))
        for role in roles:
            _move(out / OUTPUT_FILES[role], target / OUTPUT_FILES[role])
            if traces.is_dir():
                for trace in sorted(traces.glob(f"{safe_name(role, 'role')}.*")):
                    _move(trace, target / traces.name / trace.name)
        return self.layout.show(target)


def _next_numbered(parent: Path) -> Path:
    """`parent/<n>` for the first n above every numbered folder already there."""
    taken = [int(p.name) for p in parent.glob("*") if p.name.isdigit()] if parent.is_dir() else []
    return parent / str(max(taken, default=0) + 1)


def _move(source: Path, target: Path) -> None:
    if not source.exists():
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    except OSError as err:
        raise KernelError(f"Cannot move {source} to {target}: {err.strerror or err}") from err
