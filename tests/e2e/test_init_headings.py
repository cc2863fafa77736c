"""`init --headings` / `--title`: a book built on the author's own section headings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from state_runner.app.cli import main
from state_runner.app.container import build_container
from state_runner.domain import governance
from state_runner.domain.evals import run_deterministic_evals
from state_runner.domain.preflight import read_eval_configs

BREAD = "Why it matters, What you need, ## Method, When it goes wrong"
BREAD_HEADINGS = ["## Why it matters", "## What you need", "## Method", "## When it goes wrong"]


class Terminal(io.StringIO):
    """A stdin that says it is a terminal and answers `input()` with its text."""

    def isatty(self) -> bool:
        return True


def init(root: Path, *extra: str) -> int:
    return main(["init", str(root), *extra])


def example_passes_every_eval(root: Path, chapter_id: str) -> bool:
    workspace = build_container(root).workspace()
    text = workspace.read_text(f"book/chapters/{chapter_id}.md")
    result = run_deterministic_evals(
        text,
        configs=read_eval_configs(workspace),
        baseline_text=text,
        other_chapters={},
        timestamp="2026-01-01T00:00:00Z",
        chapter_id=chapter_id,
    )
    return result.passed


def test_init_with_headings_builds_the_book_on_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "bread"
    assert init(root, "--headings", BREAD, "--title", "Bread at home") == 0
    out = capsys.readouterr().out
    assert "state-runner chapters remove 01-example --delete-file" in out
    assert "has no anchors" in out
    assert not (root / "book/chapters/01-retries-and-backoff.md").exists()
    chapter = (root / "book/chapters/01-example.md").read_text()
    assert [line for line in chapter.splitlines() if line.startswith("## ")] == BREAD_HEADINGS
    quality = (root / "evals/chapter-quality.yaml").read_text()
    assert "Thesis" not in quality and '{name: "method", heading: "## Method"}' in quality
    drift = (root / "evals/drift-detection.yaml").read_text()
    assert "retry" not in drift and "jitter" not in drift
    planner = (root / "prompts/planner.md").read_text()
    assert "Trade-offs" not in planner and '"## When it goes wrong: add one' in planner
    assert (root / "ROADMAP.md").read_text().startswith("# Roadmap: Bread at home\n")
    ledger = json.loads((root / "state/ledger.json").read_text())
    assert governance.validate_ledger(ledger) == []
    assert list(ledger["chapters"]) == ["01-example"]
    assert ledger["chapters"]["01-example"]["research"]["hypothesis"].startswith("A chapter")
    assert example_passes_every_eval(root, "01-example")


def test_the_example_chapter_passes_with_the_mock_kernel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "bread"
    assert init(root, "--headings", BREAD) == 0
    args = ["kernel", "--root", str(root), "--chapter-id", "01-example"]
    assert main([*args, "--llm", "--llm-provider", "mock"]) == 1
    assert "chapter-quality pass, style-guard pass, drift pass" in capsys.readouterr().out


def test_twelve_headings_still_give_a_passing_example(tmp_path: Path) -> None:
    names = ", ".join(f"Part {chr(ord('A') + n)}" for n in range(12))
    assert init(tmp_path / "long", "--headings", names) == 0
    text = (tmp_path / "long/book/chapters/01-example.md").read_text()
    assert text.count("\n## Part ") == 12
    assert example_passes_every_eval(tmp_path / "long", "01-example")


def test_headings_with_yaml_or_json_characters_are_kept_as_written(tmp_path: Path) -> None:
    names = ["Step 1: mix", "1_2", "Ça va?", 'Say "hi" \\ wait', "Rule {1}, [note]"]
    assert init(tmp_path / "odd", "--headings", ", ".join(names)) == 0
    configs = read_eval_configs(build_container(tmp_path / "odd").workspace())
    expected = ["## " + name for name in [*names[:4], "Rule {1}", "[note]"]]
    assert configs.chapter_quality["required_headings"] == expected
    sections = configs.chapter_quality["scored_sections"]
    assert [s["name"] for s in sections][:2] == ["step_1_mix", "1_2"]
    assert example_passes_every_eval(tmp_path / "odd", "01-example")


def test_chapters_add_follows_the_author_s_headings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "bread"
    assert init(root, "--headings", BREAD) == 0
    assert main(["chapters", "--root", str(root), "add", "02-rye", "--title", "Rye"]) == 0
    text = (root / "book/chapters/02-rye.md").read_text()
    assert [line for line in text.splitlines() if line.startswith("## ")] == BREAD_HEADINGS


def test_init_asks_for_headings_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("Method, Result\n"))
    assert init(tmp_path / "asked") == 0
    assert "Section headings of your chapters" in capsys.readouterr().out
    text = (tmp_path / "asked/book/chapters/01-example.md").read_text()
    assert "\n## Method\n" in text and "\n## Result\n" in text


@pytest.mark.parametrize("answer", ["\n", ""])
def test_an_empty_answer_keeps_the_sample_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    assert init(tmp_path / "sample") == 0
    assert (tmp_path / "sample/book/chapters/01-retries-and-backoff.md").is_file()


def test_without_a_terminal_init_keeps_the_sample_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Method, Result\n"))
    assert init(tmp_path / "sample", "--title", "Mine") == 0
    assert (tmp_path / "sample/book/chapters/01-retries-and-backoff.md").is_file()
    assert (tmp_path / "sample/ROADMAP.md").read_text().startswith("# Roadmap: Mine\n")
    assert "## Thesis" in (tmp_path / "sample/evals/chapter-quality.yaml").read_text()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--headings", "Method, , Result"], "--headings: heading 2 is empty (give names "
         "separated by commas)"),
        (["--headings", ""], "--headings: heading 1 is empty (give names separated by commas)"),
        (["--headings", "Method, ## Method"], "--headings: 'Method' is given twice: headings "
         "must differ"),
        (["--headings", "Method, bell\x07"], "--headings: heading 2 holds a control "
         "character: 'bell\\x07'"),
        (["--headings", "Method\nResult"], "--headings: heading 1 holds a control "
         "character: 'Method\\nResult'"),
        (["--headings", "### Method"], "--headings: heading 1 '### Method' starts with '#': "
         "give the name only"),
        (["--headings", "x" * 81], "--headings: heading 1 is longer than 80 characters"),
        (["--headings", ",".join("abcdefghijklm")], "--headings: 13 headings given, at most 12"),
        (["--title", " "], "--title: the title must have 1 to 80 characters"),
        (["--title", "a\x1bb"], "--title: the title holds a control character: 'a\\x1bb'"),
    ],
)  # fmt: skip
def test_init_refuses_bad_headings_in_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    assert init(tmp_path / "book", *flags) == 3
    assert capsys.readouterr().err == f"KernelError: {message}\n"
    assert not (tmp_path / "book").exists()
