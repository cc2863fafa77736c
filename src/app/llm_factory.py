"""Open an LLM provider outside a kernel run (used by `state/llm_client.py`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from app.container import Container
from app.settings import LLMSettings
from domain.llm import LLMPort


class OpenedLLM:
    """A provider instance plus the container that owns (and shuts down) it."""

    def __init__(self, settings: LLMSettings) -> None:
        self.container = Container()
        self.container.config.from_dict(
            {"root": Path.cwd(), "io_dir": Path.cwd(), "llm": asdict(settings)}
        )
        self.llm: LLMPort = self.container.llm()

    def shutdown(self) -> None:
        self.container.shutdown_resources()
