"""The book workspace on disk: chapters, prompts, evals and ROADMAP under one root."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from state_runner.adapters.files.atomic import atomic_write_text
from state_runner.adapters.files.read_limits import workspace_limit
from state_runner.adapters.files.text_files import read_utf8
from state_runner.domain.errors import KernelError, one_line
from state_runner.domain.ledger_checks import check_not_guarded


def inside(path: Path, root: Path) -> bool:
    """Whether `path` (resolved, symlinks followed) lies inside `root` (resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


class FsWorkspace:
    """Workspace port over a directory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, rel_path: str) -> Path:
        return self.root / rel_path

    def resolve_chapter_path(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise KernelError("Chapter is missing a valid path")
        if (
            "\x00" in raw
            or PurePosixPath(raw).is_absolute()
            or PureWindowsPath(raw).is_absolute()
            or PureWindowsPath(raw).drive
            or not inside(self.root / raw, self.root)
        ):
            raise KernelError(f"Chapter path must stay inside the workspace: {raw}")
        canonical = (self.root / raw).resolve().relative_to(self.root).as_posix()
        check_not_guarded(raw, canonical)
        return canonical

    def exists(self, rel_path: str) -> bool:
        """Whether anything is at `rel_path`, links followed: a folder or FIFO there is then
        refused when read, not passed over as missing."""
        return self.path(rel_path).exists()

    def read_text(self, rel_path: str) -> str:
        return read_utf8(self.path(rel_path), self.root, workspace_limit(rel_path))

    def write_text(self, rel_path: str, text: str) -> None:
        atomic_write_text(self.path(rel_path), text)

    def parse_yaml(self, text: str, rel_path: str) -> Any:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise KernelError(
                f"Invalid YAML: {self.path(rel_path)}: {one_line(str(exc))}"
            ) from None
