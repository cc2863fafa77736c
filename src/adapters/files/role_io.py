"""Role input/output files of each iteration (kernel.md sections 1 and 3)."""

from __future__ import annotations

from adapters.files.atomic import atomic_write_text
from adapters.files.jsonl_log import safe_name
from adapters.files.layout import IterationLayout
from adapters.files.text_files import read_utf8


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
