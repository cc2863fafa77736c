"""The files of one chapter iteration: role inputs and outputs, LLM traces, the event log."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from state_runner.adapters.files.atomic import append_line, atomic_write_text
from state_runner.adapters.files.jsonl_log import safe_name
from state_runner.adapters.files.layout import IterationLayout
from state_runner.adapters.files.os_errors import describe
from state_runner.adapters.files.read_limits import ROLE_OUTPUT_LIMIT
from state_runner.adapters.files.text_files import read_utf8
from state_runner.domain.errors import KernelError
from state_runner.domain.ports import Clock
from state_runner.domain.roles import OUTPUT_FILES

EVENT_LOG = "kernel_trace.jsonl"


class FsIterationFiles:
    """IterationFiles port over `<io-dir>/<chapter>/iter_NN/`."""

    def __init__(self, layout: IterationLayout, clock: Clock, chapter_id: str, iteration: int):
        self.layout = layout
        self.clock = clock
        self.inputs = layout.in_dir(chapter_id, iteration)
        self.outputs = layout.out_dir(chapter_id, iteration)
        self.traces = layout.trace_dir(chapter_id, iteration)
        self.rejected = layout.rejected_dir(chapter_id, iteration)
        self.folder = layout.iteration_dir(chapter_id, iteration)

    def write_input(self, name: str, text: str) -> None:
        atomic_write_text(self.inputs / safe_name(name, "file name"), text)

    def read_output(self, name: str) -> str | None:
        path = self.outputs / safe_name(name, "file name")
        if not path.exists():
            return None
        return read_utf8(path, self.layout.workspace_root, ROLE_OUTPUT_LIMIT)

    def write_output(self, name: str, text: str) -> None:
        atomic_write_text(self.outputs / safe_name(name, "file name"), text)

    def shown(self, name: str) -> str:
        return self.layout.show(self.outputs / name)

    def shown_folder(self) -> str:
        return self.layout.show(self.folder)

    def trace(self, name: str, prompt: str, response: str) -> None:
        safe_name(name, "trace name")
        atomic_write_text(self.traces / f"{name}.prompt.txt", prompt)
        atomic_write_text(self.traces / f"{name}.response.txt", response)

    def event(self, event: str, payload: Mapping[str, Any]) -> None:
        record = {"timestamp": self.clock.now_iso(), "event": event, "payload": dict(payload)}
        append_line(self.outputs / EVENT_LOG, json.dumps(record, sort_keys=True))

    def has_llm_trace(self, role: str) -> bool:
        return (self.traces / f"{safe_name(role, 'role')}.response.txt").exists()

    def reject(self, roles: Sequence[str]) -> str:
        """Move the roles' outputs and every trace file of theirs (attempts too) aside."""
        target = _next_numbered(self.rejected)
        for role in roles:
            _move(self.outputs / OUTPUT_FILES[role], target / OUTPUT_FILES[role])
            if self.traces.is_dir():
                for trace in sorted(self.traces.glob(f"{safe_name(role, 'role')}.*")):
                    _move(trace, target / self.traces.name / trace.name)
        return self.layout.show(target)


class FsRoleFiles:
    """RoleFiles port: opens the files of any chapter iteration."""

    def __init__(self, layout: IterationLayout, clock: Clock) -> None:
        self.layout = layout
        self.clock = clock

    def iteration(self, chapter_id: str, iteration: int) -> FsIterationFiles:
        return FsIterationFiles(self.layout, self.clock, chapter_id, iteration)


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
        raise KernelError(f"Cannot move {source} to {target}: {describe(target, err)}") from err
