"""The workspace's git repository, through the `git` command."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from state_runner.adapters.git_command import GIT_TIMEOUT_S, run_git
from state_runner.domain.errors import KernelError, one_line

FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "state-runner",
    "GIT_AUTHOR_EMAIL": "state-runner@localhost",
    "GIT_COMMITTER_NAME": "state-runner",
    "GIT_COMMITTER_EMAIL": "state-runner@localhost",
}


FALLBACK_ID = ["-c", "user.name=state-runner", "-c", "user.email=state-runner@localhost"]


class GitVcs:
    """Vcs port over `git -C <root>`."""

    def __init__(self, root: Path, timeout_s: float = GIT_TIMEOUT_S) -> None:
        self.root = root.resolve()
        self.timeout_s = timeout_s

    def _git(
        self,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        input_text: str | None = None,
    ) -> str:
        proc = run_git(self.root, args, timeout_s=self.timeout_s, env=env, input_text=input_text)
        if check and proc.returncode != 0:
            detail = one_line(proc.stderr or proc.stdout) or f"exit {proc.returncode}"
            raise KernelError(f"git {args[0]} failed: {detail}")
        return proc.stdout if proc.returncode == 0 else ""

    def create_repository(self, message: str) -> None:
        """`git init`, add everything, commit; the person's git identity, or a neutral one."""
        self._git("init", "-q")
        self._git("add", "-A")
        identity = [] if self.has_identity() else FALLBACK_ID
        self._git(*identity, "commit", "-q", "-m", message)

    def has_identity(self) -> bool:
        """Whether git knows the person's email, which their own commits need."""
        return bool(self._git("config", "user.email", check=False).strip())

    def _require_repo(self) -> None:
        if self._git("rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
            raise KernelError(
                f"Workspace is not a git repository: {self.root} "
                "(the governance check needs git: run 'git init' and commit the book)"
            )

    def _require_commit(self) -> None:
        """No first commit: no base to tell a changed governance file from the book's own."""
        if self.head() is None:
            raise KernelError(
                f"Workspace repository has no commits yet: {self.root} "
                '(commit the book first: git add -A && git commit -m "book")'
            )

    def head(self) -> str | None:
        return self._git("rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None

    def _base(self) -> str | None:
        """HEAD, or its merge base with the upstream so unpushed commits count as changes."""
        head = self.head()
        if head is None:
            return None
        upstream = self._git("rev-parse", "--verify", "-q", "@{upstream}", check=False).strip()
        if upstream:
            return self._git("merge-base", "HEAD", upstream, check=False).strip() or head
        return head

    def changed_files(self) -> list[str]:
        self._require_repo()
        self._require_commit()
        base = self._base()
        untracked = self._git("ls-files", "--others", "--exclude-standard").splitlines()
        if base is None:
            tracked = self._git("ls-files", "--cached").splitlines()
        else:
            tracked = self._git("diff", "--name-only", "--relative", base).splitlines()
        return sorted(set(tracked) | set(untracked))

    def _commit_env(self) -> dict[str, str] | None:
        if self.has_identity():
            return None
        return {**os.environ, **FALLBACK_IDENTITY}

    def commit(self, paths: Sequence[str], message: str) -> str:
        self._require_repo()
        present = [p for p in paths if (self.root / p).exists()]
        self._git("add", "--", *present)
        self._git("commit", "-q", "-m", message, "--", *present, env=self._commit_env())
        head = self.head()
        if head is None:
            raise KernelError("git commit failed: no commit was created")
        return head
