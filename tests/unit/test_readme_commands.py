"""What the README tells an installed user stays true: one way of writing commands, the pinned
CLI in its install command, and the `.gitignore` that `init` writes, shown as it is."""

from __future__ import annotations

import re
from pathlib import Path

from state_runner.adapters.llm.copilot.cli_binary import TESTED_CLI_VERSION

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_after_the_first_two_commands_only_the_clone_note_writes_uv_run_state_runner() -> None:
    after_the_top = README.split("\n## ", 1)[1]
    found = re.findall(r"uv run state-runner[^`\n]*", after_the_top)
    assert found == ["uv run state-runner status"]


def test_the_install_step_installs_the_cli_version_this_release_is_tested_with() -> None:
    installs = re.findall(r"npm install -g [^\n`]*@github/copilot@([0-9.]+)", README)
    assert installs and set(installs) == {TESTED_CLI_VERSION}


def test_the_gitignore_shown_is_the_one_init_writes() -> None:
    template = (REPO / "src" / "app" / "book_template" / "gitignore.txt").read_text()
    shown = README.split("init` writes this `.gitignore`", 1)[1].split("```", 2)[1]
    lines = [line.strip() for line in shown.strip().splitlines()]
    assert lines == template.strip("\n").splitlines()
