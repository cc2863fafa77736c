"""LLM prompt/response traces and the `kernel_trace.jsonl` event log of each iteration."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.files.atomic import append_line, atomic_write_text
from adapters.files.jsonl_log import safe_name
from adapters.files.layout import IterationLayout
from domain.ports import Clock

EVENT_LOG = "kernel_trace.jsonl"


class FsTraceSink:
    """TraceSink port writing under `<iteration>/out/`."""

    def __init__(self, layout: IterationLayout, clock: Clock) -> None:
        self.layout = layout
        self.clock = clock

    def llm_trace(
        self, chapter_id: str, iteration: int, role: str, prompt: str, response: str
    ) -> None:
        folder = self.layout.trace_dir(chapter_id, iteration)
        safe_name(role, "role")
        atomic_write_text(folder / f"{role}.prompt.txt", prompt)
        atomic_write_text(folder / f"{role}.response.txt", response)

    def event(
        self, chapter_id: str, iteration: int, event: str, payload: Mapping[str, Any]
    ) -> None:
        record = {"timestamp": self.clock.now_iso(), "event": event, "payload": dict(payload)}
        line = json.dumps(record, sort_keys=True)
        append_line(self.layout.out_dir(chapter_id, iteration) / EVENT_LOG, line)
