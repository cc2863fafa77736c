"""A state-runner LLM provider that replays a recorded run: `--llm-provider replay
--llm-option traces=DIR`, DIR being (a folder above) a run's `_llm_trace/` folders, e.g. the
book's `state/role_io`. A prompt recorded there gets its recorded response and token usage; any
other prompt is an `LLMClientError` naming the nearest recorded one."""

from __future__ import annotations

from pathlib import Path

from state_runner import LLMPort, LLMSettings
from state_runner_replay.adapter import ReplayAdapter, prompt_text

__all__ = ["ReplayAdapter", "make_replay", "prompt_text"]


def make_replay(settings: LLMSettings) -> LLMPort:
    """The provider factory (entry point `replay`)."""
    raw = settings.options.get("traces")
    if not raw:
        raise ValueError("replay needs --llm-option traces=DIR, the recorded run's role I/O folder")
    folder = Path(raw).expanduser()
    if not folder.is_dir():
        raise ValueError(f"replay: traces={raw} is not a folder")
    adapter = ReplayAdapter(folder)
    if not adapter.calls:
        raise ValueError(f"replay: no _llm_trace/*.prompt.txt with a response under {folder}")
    return adapter
