"""Git as a promotion needs it: a repository able to take the commit, the commit, and its undo.

`GitPromotionVcs` refuses a repository whose state would make the promotion commit fail or land
where nobody expects it (detached HEAD, an unfinished merge, rebase, cherry-pick or revert, an
`index.lock`), and gives the unit of work what it needs to make a promotion whole or undo it: the
index entries of the promoted paths before `git add`, their restoration, and whether HEAD is the
promotion commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from state_runner.adapters.git import GitVcs
from state_runner.adapters.git_command import GitTimeout, run_git
from state_runner.domain.errors import KernelError

UNFINISHED = (  # (git path, what is unfinished, the command that aborts it)
    ("MERGE_HEAD", "merge", "git merge --abort"),
    ("rebase-merge", "rebase", "git rebase --abort"),
    ("rebase-apply", "rebase", "git rebase --abort"),
    ("CHERRY_PICK_HEAD", "cherry-pick", "git cherry-pick --abort"),
    ("REVERT_HEAD", "revert", "git revert --abort"),
)
INDEX_LOCK = "index.lock"


def first_line(text: str) -> str:
    """The first non-blank line of `text`, stripped ("" when there is none)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


class GitPromotionVcs(GitVcs):
    """The git adapter with the checks and the undo a whole-or-nothing promotion needs."""

    def _git_paths(self) -> dict[str, Path]:
        names = [name for name, _, _ in UNFINISHED] + [INDEX_LOCK]
        args = [arg for name in names for arg in ("--git-path", name)]
        lines = self._git("rev-parse", *args).splitlines()
        return {name: self.root / line for name, line in zip(names, lines, strict=True)}

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def index_lock(self) -> Path:
        return self._git_paths()[INDEX_LOCK]

    def require_no_index_lock(self, why: str) -> None:
        lock = self.index_lock()
        if lock.exists():
            raise KernelError(
                f"{self._shown(lock)} exists: {why}; if no git process is running, remove it "
                "(a crashed git left it), then run again"
            )

    def check_commit_ready(self) -> None:
        """Refuse a repository in which the promotion commit would fail or go astray."""
        self._require_repo()
        if self._git("symbolic-ref", "-q", "HEAD", check=False).strip() == "":
            raise KernelError(
                "HEAD is detached: a promotion commit would belong to no branch; check out a "
                "branch (git switch <branch>), or run without --commit"
            )
        paths = self._git_paths()
        for name, what, abort in UNFINISHED:
            if paths[name].exists():
                raise KernelError(
                    f"A {what} is in progress ({self._shown(paths[name])}): the promotion commit "
                    f"would be mixed into it; finish it or abort it ({abort}), then run again"
                )
        self.require_no_index_lock("another git process holds the index")

    def commit(self, paths: Sequence[str], message: str) -> str:
        """`git add` and `git commit` the paths; a failure names the first line git printed."""
        self.check_commit_ready()
        present = [p for p in paths if (self.root / p).exists()]
        lock = self.index_lock()
        try:
            self._git("add", "--", *present)
            proc = run_git(
                self.root,
                ["commit", "-q", "-m", message, "--", *present],
                timeout_s=self.timeout_s,
                env=self._commit_env(),
            )
        except GitTimeout:
            lock.unlink(missing_ok=True)  # it was free before: the git we killed left it
            raise
        if proc.returncode != 0:
            detail = first_line(proc.stderr) or first_line(proc.stdout)
            raise KernelError(f"git commit failed: {detail or f'exit {proc.returncode}'}")
        head = self.head()
        if head is None:
            raise KernelError("git commit failed: no commit was created")
        return head

    def index_entries(self, paths: Sequence[str]) -> str:
        """The index entries under `paths` (`git ls-files -s`), to put back on an undo."""
        return self._git("ls-files", "-s", "--", *paths)

    def restore_index(self, paths: Sequence[str], entries: str) -> None:
        """Make the index under `paths` exactly `entries` again (what `index_entries` gave)."""
        self._git("rm", "--cached", "-r", "-f", "-q", "--ignore-unmatch", "--", *paths)
        if entries:
            self._git("update-index", "--index-info", input_text=entries)

    def promotion_commit(self, parent: str | None, message: str) -> str | None:
        """HEAD, when it is the commit `message` made on top of `parent`; else None."""
        head = self.head()
        if head is None or head == parent:
            return None
        shown = self._git("log", "-1", "--format=%P%n%s", head, check=False).split("\n")
        if len(shown) < 2 or shown[0].strip() != (parent or "") or shown[1] != message:
            return None
        return head
