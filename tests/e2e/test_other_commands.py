"""governance, templates and demo through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.workspace import Book, run_cli, run_script


def test_demo_refines_the_planted_flaw_and_promotes_in_two_iterations(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = run_cli("demo", "--into", str(target), cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "03-stampede-control: promoted to 'refined' after 2 iteration(s)" in result.stdout
    assert result.stdout.count("  iteration ") == 2
    assert "declared ## System Breakdown" in result.stdout
    assert "-Our world-class caching layer combines" in result.stdout  # the diff is printed
    assert "+The cache layer combines these four techniques" in result.stdout
    ledger = json.loads((target / "state/ledger.json").read_text())
    assert ledger["chapters"]["03-stampede-control"]["lifecycle"] == "refined"
    assert (target / ".git").is_dir()
    assert str(target / "state/ledger.json") in result.stdout


def test_demo_without_into_removes_its_temporary_copy(tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path)}
    result = run_cli("demo", cwd=tmp_path, env=env)
    assert result.code == 0, result.stderr
    assert "promoted to 'refined'" in result.stdout
    assert "The temporary copy was removed" in result.stdout
    assert list(tmp_path.glob("state-runner-demo-*")) == []


def test_demo_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = run_cli("demo", "--into", str(tmp_path), cwd=tmp_path)
    assert result.code == 3
    assert result.stderr == f"KernelError: Demo directory is not empty: {tmp_path}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_governance_validate_select_and_compat_script(book: Book) -> None:
    ledger = str(book.root / "state/ledger.json")
    result = run_script("governance_engine.py", "--ledger", ledger, "validate", cwd=book.root)
    assert result.code == 0, result.stderr
    assert result.stdout == f"ledger OK: {ledger}\n"
    result = run_cli("governance", "select", cwd=book.root)
    assert (result.code, result.stdout) == (0, book.active_id + "\n")


def test_governance_validate_reports_problems_on_one_line(
    book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    data = book.ledger()
    data["version"] = 1
    del data["chapter_selection_strategy"]
    book.write_ledger(data)
    assert main(["governance", "--ledger", str(book.root / "state/ledger.json"), "validate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("GovernanceError: 2 problem(s): ")
    assert err.count("\n") == 1


def test_unhold_and_promotions(book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    cid = book.active_id
    data = book.ledger()
    data["chapters"][cid]["status"] = "hold"
    data["chapters"][cid]["stability"]["consecutive_passes"] = 2
    book.write_ledger(data)
    ledger = str(book.root / "state/ledger.json")
    assert main(["governance", "--ledger", ledger, "unhold", "--chapter-id", cid]) == 0
    assert book.ledger()["chapters"][cid]["status"] == "active_refinement"
    assert main(["governance", "--ledger", ledger, "promotions"]) == 0
    assert capsys.readouterr().out.endswith(f"promoted to refined: {cid}\n")
    assert book.ledger()["chapters"][cid]["lifecycle"] == "refined"
    assert main(["governance", "--ledger", ledger, "unlock", "--chapter-id", cid]) == 3
    assert capsys.readouterr().err.startswith(f"KernelError: Chapter {cid} is not locked")


def test_templates_scaffold_then_keep_then_force(book: Book) -> None:
    cid = book.active_id
    first = run_script("role_io_templates.py", "--chapter-id", cid, cwd=book.root)
    assert first.code == 0, first.stderr
    out = book.iter_dir(cid, 1) / "out"
    assert first.stdout.count("wrote") == 3
    assert (out / "writer.md").read_text() == book.chapter_path(cid).read_text()
    assert json.loads((out / "planner.json").read_text())["focus_areas"] == []
    assert json.loads((out / "critic.json").read_text())["decision"] == "refine"
    (out / "writer.md").write_text("edited by a person\n")
    again = run_cli("templates", "--chapter-id", cid, cwd=book.root)
    assert again.stdout.count("kept") == 3
    assert (out / "writer.md").read_text() == "edited by a person\n"
    forced = run_cli("templates", "--chapter-id", cid, "--force", "--iteration", "1", cwd=book.root)
    assert forced.stdout.count("wrote") == 3
    assert (out / "writer.md").read_text() == book.chapter_path(cid).read_text()


def test_filled_templates_drive_a_kernel_iteration(book: Book) -> None:
    """The file-driven loop a person follows: scaffold, fill in, run."""
    cid = book.active_id
    assert run_cli("templates", "--chapter-id", cid, cwd=book.root).code == 0
    out = book.iter_dir(cid, 1) / "out"
    plan = json.loads((out / "planner.json").read_text())
    plan["focus_areas"] = ["## Thesis"]
    (out / "planner.json").write_text(json.dumps(plan))
    result = run_cli("kernel", "--chapter-id", cid, "--max-iterations", "1", cwd=book.root)
    assert result.code == 1, result.stderr
    assert book.ledger()["chapters"][cid]["current_iteration"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--root", "{root}", "validate"],
        ["validate", "--root", "{root}"],
        ["validate", "--ledger", "{root}/state/ledger.json"],
        ["--ledger", "{root}/state/ledger.json", "validate"],
    ],
)
def test_governance_finds_the_workspace_from_root_or_ledger_before_or_after(
    book: Book, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    filled = [arg.format(root=book.root) for arg in args]
    assert main(["governance", *filled]) == 0
    assert capsys.readouterr().out == f"ledger OK: {book.root / 'state/ledger.json'}\n"


def test_governance_refuses_a_ledger_of_another_root(
    book: Book, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere/state/ledger.json"
    code = main(["governance", "--root", str(book.root), "select", "--ledger", str(other)])
    assert code == 3
    assert capsys.readouterr().err == (
        f"KernelError: --ledger {other} is not the ledger of --root {book.root}\n"
    )
