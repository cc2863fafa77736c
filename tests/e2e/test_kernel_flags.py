"""The later kernel's flags: --list-chapters, --writer-retries, ad-hoc instructions."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.kernel_model import revise
from support.workspace import Book, Run, run_cli, run_script


def test_list_chapters_prints_ledger_ids_sorted(book: Book, kernel: Run) -> None:
    code, out, err = kernel("--list-chapters")
    assert (code, err) == (0, "")
    assert out.splitlines() == sorted(book.ledger()["chapters"])


def test_list_chapters_from_the_compatibility_script(book: Book) -> None:
    result = run_script("kernel.py", "--root", str(book.root), "--list-chapters", cwd=book.root)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == sorted(book.ledger()["chapters"])


def test_chapter_id_is_required_to_run(kernel: Run) -> None:
    code, out, err = kernel()
    assert (code, out) == (3, "")
    assert err == "KernelError: --chapter-id is required (or use --list-chapters)\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--writer-retries", "-1"], {}, "--writer-retries must be an integer >= 0 (got '-1')"),
        ([], {"KERNEL_WRITER_RETRIES": "two"}, "KERNEL_WRITER_RETRIES must be an integer >= 0"),
    ],
)
def test_bad_writer_retries_is_a_one_line_error(
    book: Book, kernel: Run, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str],
    message: str,
) -> None:  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = kernel("--chapter-id", book.active_id, *args)
    assert code == 3
    assert err.startswith(f"KernelError: {message}") and err.count("\n") == 1


def test_unreadable_adhoc_file_is_a_one_line_error(book: Book, kernel: Run) -> None:
    missing = book.root / "nowhere.txt"
    before = book.snapshot()
    code, _, err = kernel(
        "--chapter-id", book.active_id, "--llm", "--llm-provider", "mock",
        "--adhoc-instructions-file", str(missing),
    )  # fmt: skip
    assert code == 3
    assert err == (
        f"KernelError: Cannot read ad-hoc instructions file {missing}: No such file or directory\n"
    )
    assert book.snapshot() == before


def test_adhoc_files_then_text_from_flags_and_env(book: Book, tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("  From file A.\n\n")
    second.write_text("From file B.\n")
    cid = book.active_id
    mock = ["kernel", "--chapter-id", cid, "--llm", "--llm-provider", "mock"]
    mock += ["--max-iterations", "1"]
    flags = run_cli(
        *mock, "--adhoc-instructions-file", str(first), "--adhoc-instructions-file", str(second),
        "--adhoc-instructions", "From the flag.", cwd=book.root,
    )  # fmt: skip
    assert flags.code == 1, flags.stderr
    adhoc = book.iter_dir(cid, 1) / "in/adhoc_instructions.txt"
    assert adhoc.read_text() == "From file A.\n\nFrom file B.\n\nFrom the flag.\n"

    ledger = book.ledger()
    ledger["chapters"][cid]["status"] = "active_refinement"
    book.write_ledger(ledger)
    env = {
        "KERNEL_ADHOC_INSTRUCTIONS_FILE": os.pathsep.join([str(second), str(first)]),
        "KERNEL_ADHOC_INSTRUCTIONS": "From the env.",
    }
    by_env = run_cli(*mock, cwd=book.root, env=env)
    assert by_env.code == 1, by_env.stderr
    adhoc = book.iter_dir(cid, 2) / "in/adhoc_instructions.txt"
    assert adhoc.read_text() == "From file B.\n\nFrom file A.\n\nFrom the env.\n"


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"state-runner {metadata.version('state-runner')}\n"


def test_missing_outputs_report_the_previous_iteration(book: Book, kernel: Run) -> None:
    cid = book.active_id
    chapter = book.chapter_path(cid).read_text()
    flawed = revise(chapter).replace("test this claim", "test this world-class claim")
    book.write_outputs(cid, 1, writer=flawed)
    code, out, err = kernel("--chapter-id", cid)
    assert code == 2
    assert f"{cid}: waiting for role outputs after 1 iteration(s)" in out
    assert "failed chapter-quality: forbidden marketing_language:world-class" in out
    assert err.splitlines()[-1] == (
        "Last iteration (1): critic approve, evals fail (chapter-quality: forbidden "
        "marketing_language:world-class; section scores total 1.00), consecutive passes 0"
    )
    assert err.splitlines()[1] == f"- state/role_io/{cid}/iter_02/out/planner.json"


def test_first_run_without_outputs_has_no_previous_verdict(book: Book, kernel: Run) -> None:
    code, _, err = kernel("--chapter-id", book.active_id)
    assert code == 2
    assert "Last iteration" not in err


def test_a_missing_roadmap_is_said_not_passed_over(book: Book, kernel: Run) -> None:
    (book.root / "ROADMAP.md").unlink()
    book.commit_all("no roadmap")
    code, _, err = kernel("--chapter-id", book.active_id, "--llm", "--llm-provider", "mock")
    assert code == 1
    assert err.startswith(
        "state-runner: ROADMAP.md not found: the planner gets no research hypothesis\n"
    )
