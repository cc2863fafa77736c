"""Where an iteration's role I/O lives: `<io-dir>/<chapter>/iter_NN/{in,out}`."""

from __future__ import annotations

from pathlib import Path

from state_runner.adapters.files.jsonl_log import safe_name

TRACE_DIR = "_llm_trace"


class IterationLayout:
    """Paths of the role I/O tree, and how to show them to a person."""

    def __init__(self, io_root: Path, workspace_root: Path) -> None:
        self.io_root = io_root
        self.workspace_root = workspace_root.resolve()

    def iteration_dir(self, chapter_id: str, iteration: int) -> Path:
        return self.io_root / safe_name(chapter_id) / f"iter_{iteration:02d}"

    def in_dir(self, chapter_id: str, iteration: int) -> Path:
        return self.iteration_dir(chapter_id, iteration) / "in"

    def out_dir(self, chapter_id: str, iteration: int) -> Path:
        return self.iteration_dir(chapter_id, iteration) / "out"

    def trace_dir(self, chapter_id: str, iteration: int) -> Path:
        """Raw LLM prompts and replies: `out/_llm_trace/`."""
        return self.out_dir(chapter_id, iteration) / TRACE_DIR

    def rejected_dir(self, chapter_id: str, iteration: int) -> Path:
        """Outputs that failed a gate, one numbered folder per rejection: `out/rejected/`."""
        return self.out_dir(chapter_id, iteration) / "rejected"

    def show(self, path: Path) -> str:
        """Relative to the workspace when inside it, else absolute."""
        absolute = path.absolute()
        try:
            return absolute.relative_to(self.workspace_root).as_posix()
        except ValueError:
            return str(absolute)
