"""`init` tells an author whose git has no name and email how to set them, before their first
commit fails; with an identity it says nothing of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.workspace import run_cli

ADVICE = (
    "git does not know your name and email yet, which your own commits need: "
    'git config --global user.name "Your Name"; git config --global user.email you@example.com'
)


@pytest.mark.parametrize("configured", [False, True])
def test_init_names_the_git_identity_step_only_when_git_has_none(
    tmp_path: Path, configured: bool
) -> None:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = A\n\temail = a@example.com\n" if configured else "")
    env = {"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"}
    done = run_cli("init", str(tmp_path / "book"), cwd=tmp_path, env=env)
    assert done.code == 0, done.stderr
    assert (ADVICE in done.stdout.splitlines()) is not configured
