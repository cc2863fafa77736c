"""Every refusal is exit 3 with one `KernelError:` line and nothing written.

See docs/kernel-contract.md sections 2, 3 and 11.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from state_runner.app import llm_registry
from support.workspace import Book, Run, git, run_cli

INSTALLED = "installed providers: " + ", ".join(sorted(llm_registry.installed()))


def assert_refused(result: tuple[int, str, str], message: str) -> None:
    code, _, err = result
    assert code == 3
    assert err == f"KernelError: {message}\n"


def set_chapter(book: Book, cid: str, **fields: object) -> None:
    ledger = book.ledger()
    ledger["chapters"][cid].update(fields)
    book.write_ledger(ledger)


def governance_refusal(name: str) -> str:
    return (
        f"Immutable governance files modified; kernel refuses to proceed: {name}. Restore them "
        f"(git restore --staged --worktree -- {name}), or commit and push a deliberate change "
        "before running the kernel"
    )


@pytest.mark.parametrize("staged", [False, True])
def test_governance_edit_is_refused(book: Book, kernel: Run, staged: bool) -> None:
    (book.root / "AGENTS.md").write_text("# Agents\nAnything goes now.\n")
    if staged:
        git(book.root, "add", "AGENTS.md")
    before = book.snapshot()
    assert_refused(
        kernel("--chapter-id", book.active_id),
        governance_refusal("AGENTS.md"),
    )
    assert book.snapshot() == before
    assert not (book.root / "state/role_io").exists()


def test_committed_but_unpushed_governance_edit_is_refused(
    book: Book, kernel: Run, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git(book.root, "clone", "-q", "--bare", str(book.root), str(remote))
    git(book.root, "remote", "add", "origin", str(remote))
    git(book.root, "fetch", "-q", "origin")
    branch = git(book.root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    git(book.root, "branch", "-q", "--set-upstream-to", f"origin/{branch}")
    (book.root / "CONSTITUTION.md").write_text("# Constitution\nRewritten.\n")
    book.commit_all("sneaky")
    assert_refused(
        kernel("--chapter-id", book.active_id),
        governance_refusal("CONSTITUTION.md"),
    )


def test_untracked_governance_file_counts_as_modified(book: Book, kernel: Run) -> None:
    git(book.root, "rm", "-q", "--cached", "CONSTITUTION.md")
    git(book.root, "commit", "-q", "-m", "untrack")
    assert_refused(
        kernel("--chapter-id", book.active_id),
        governance_refusal("CONSTITUTION.md"),
    )


def test_workspace_must_be_a_git_repository(book: Book, kernel: Run) -> None:
    shutil.rmtree(book.root / ".git")
    code, _, err = kernel("--chapter-id", book.active_id)
    assert code == 3
    assert err.startswith(f"KernelError: Workspace is not a git repository: {book.root}")


def test_missing_ledger(book: Book, kernel: Run) -> None:
    path = book.root / "state/ledger.json"
    path.unlink()
    assert_refused(
        kernel("--chapter-id", "x"),
        f"Not a book: {book.root} has no state/ledger.json (cd into a book, pass --root DIR, "
        "or create one with: state-runner init DIR)",
    )


def test_invalid_ledger_json(book: Book, kernel: Run) -> None:
    path = book.root / "state/ledger.json"
    path.write_text("{not json")
    assert_refused(
        kernel("--chapter-id", "x"),
        f"Invalid JSON: {path}: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
    )


def test_unknown_chapter(book: Book, kernel: Run) -> None:
    known = ", ".join(sorted(book.ledger()["chapters"]))
    assert_refused(
        kernel("--chapter-id", "99-nope"), f"Unknown chapter_id: 99-nope (the ledger has: {known})"
    )


@pytest.mark.parametrize("status", ["locked", "hold"])
def test_ineligible_status(book: Book, kernel: Run, status: str) -> None:
    cid = book.active_id
    set_chapter(book, cid, status=status)
    before = book.snapshot()
    release = {"hold": "unhold", "locked": "unlock"}[status]
    assert_refused(
        kernel("--chapter-id", cid),
        f"Chapter is not eligible (status='{status}'). "
        f"Try: state-runner governance {release} --chapter-id {cid}",
    )
    assert book.snapshot() == before


def test_the_sample_books_locked_chapter_is_refused(book: Book, kernel: Run) -> None:
    assert_refused(
        kernel("--chapter-id", book.locked_id),
        "Chapter is not eligible (status='locked'). "
        f"Try: state-runner governance unlock --chapter-id {book.locked_id}",
    )


def test_frozen_chapter(book: Book, kernel: Run) -> None:
    set_chapter(book, book.active_id, lifecycle="frozen")
    assert_refused(kernel("--chapter-id", book.active_id), "Chapter is frozen.")


@pytest.mark.parametrize("path", [None, "", 42])
def test_chapter_without_a_path(book: Book, kernel: Run, path: object) -> None:
    set_chapter(book, book.active_id, path=path)
    assert_refused(kernel("--chapter-id", book.active_id), "Chapter is missing a valid path")


def test_missing_chapter_file(book: Book, kernel: Run) -> None:
    chapter = book.chapter_path(book.active_id)
    chapter.unlink()
    book.commit_all("drop chapter")
    assert_refused(kernel("--chapter-id", book.active_id), f"Missing file: {chapter}")


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_chapter_path_outside_the_workspace(
    book: Book, kernel: Run, tmp_path: Path, kind: str
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(book.chapter_path(book.active_id).read_text())
    if kind == "dotdot":
        raw = "../outside.md"
    elif kind == "absolute":
        raw = str(outside)
    else:
        link = book.root / "book/chapters/link.md"
        os.symlink(outside, link)
        raw = "book/chapters/link.md"
    set_chapter(book, book.active_id, path=raw)
    before = book.snapshot()
    assert_refused(
        kernel("--chapter-id", book.active_id),
        f"Chapter path must stay inside the workspace: {raw}",
    )
    assert book.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-iterations", "abc"], "--max-iterations must be an integer >= 1 (got 'abc')"),
        (["--max-iterations", "0"], "--max-iterations must be an integer >= 1 (got '0')"),
        (["--max-diff-ratio", "2"], "--max-diff-ratio must be a number between 0 and 1 (got '2')"),
        (
            ["--max-drift-score", "x"],
            "--max-drift-score must be a number between 0 and 1 (got 'x')",
        ),
        (
            ["--llm", "--llm-provider", "gpt"],
            f"unknown LLM provider 'gpt' in --llm-provider ({INSTALLED})",
        ),
        (
            ["--llm"],
            "--llm-model (or env KERNEL_LLM_MODEL) is required with --llm for provider 'copilot' "
            "(the default provider; --llm-provider mock runs offline)",
        ),
        (
            ["--llm", "--llm-provider", "mock", "--llm-timeout-s", "0"],
            "--llm-timeout-s must be a positive number of seconds (got '0')",
        ),
        (
            ["--llm-model", "gpt-4.1", "--llm-base-url", "http://127.0.0.1:1/v1"],
            "--llm-model, --llm-base-url only apply with --llm: add --llm to have the model "
            "write the missing role outputs, or leave them out to write the outputs yourself",
        ),
        (
            ["--llm-provider", "mock"],
            "--llm-provider only applies with --llm: add --llm to have the model write the "
            "missing role outputs, or leave it out to write the outputs yourself",
        ),
    ],
)
def test_bad_flag_values(book: Book, kernel: Run, args: list[str], message: str) -> None:
    assert_refused(kernel("--chapter-id", book.active_id, *args), message)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"KERNEL_LLM_PROVIDER": "bogus"},
            f"unknown LLM provider 'bogus' in KERNEL_LLM_PROVIDER ({INSTALLED})",
        ),
        (
            {"KERNEL_LLM_TIMEOUT_S": "-3"},
            "KERNEL_LLM_TIMEOUT_S must be a positive number of seconds (got '-3')",
        ),
        (
            {"KERNEL_LLM_WIRE_API": "soap"},
            "KERNEL_LLM_WIRE_API must be one of completions, responses (got 'soap')",
        ),
    ],
)
def test_bad_environment_values_through_a_real_process(
    book: Book, env: dict[str, str], message: str
) -> None:
    result = run_cli("kernel", "--chapter-id", book.active_id, cwd=book.root, env=env)
    assert result.code == 3
    assert result.stderr == f"KernelError: {message}\n"
    assert "Traceback" not in result.stdout + result.stderr


def test_usage_errors_are_exit_2(book: Book) -> None:
    result = run_cli("kernel", "--chapter", cwd=book.root)
    assert result.code == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_io_dir_outside_the_workspace(book: Book, kernel: Run, tmp_path: Path) -> None:
    code, _, err = kernel("--chapter-id", book.active_id, "--io-dir", str(tmp_path / "io"))
    assert code == 3
    assert err.startswith("KernelError: --io-dir must be inside the workspace")
    assert not (tmp_path / "io").exists()


def test_bad_eval_config_is_refused_before_anything_is_written(book: Book, kernel: Run) -> None:
    path = book.root / "evals/style-guard.yaml"
    path.write_text("limits: [unclosed\n")
    book.commit_all("break yaml")
    before = book.snapshot()
    code, _, err = kernel("--chapter-id", book.active_id)
    assert code == 3
    assert err.startswith(f"KernelError: Invalid YAML: {path}: ")
    assert err.count("\n") == 1
    assert book.snapshot() == before


def test_invalid_planner_output_in_file_mode(book: Book, kernel: Run) -> None:
    cid = book.active_id
    book.write_outputs(
        cid, 1, planner="{broken", writer=book.chapter_path(cid).read_text(), critic="{}"
    )
    ledger_before = (book.root / "state/ledger.json").read_bytes()
    assert_refused(
        kernel("--chapter-id", cid),
        f"Invalid JSON: state/role_io/{cid}/iter_01/out/planner.json: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1). "
        f"Fix state/role_io/{cid}/iter_01/out/planner.json and re-run.",
    )
    assert (book.root / "state/ledger.json").read_bytes() == ledger_before


def test_writer_changing_headings_in_file_mode(book: Book, kernel: Run) -> None:
    cid = book.active_id
    chapter = book.chapter_path(cid).read_text()
    book.write_outputs(cid, 1, writer=chapter.replace("## Thesis", "## Claim"), critic="{}")
    assert_refused(
        kernel("--chapter-id", cid),
        "critic: missing keys: ['clarity_score', "
        "'decision', 'drift_score', 'example_density', 'failure_modes_present', "
        "'structure_score', 'tradeoff_presence', 'violations']. "
        f"Fix state/role_io/{cid}/iter_01/out/critic.json and re-run.",
    )
