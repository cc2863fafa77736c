"""`state-runner evals check`: what the evals enforce, the keys the kernel ignores, and the evals
on one chapter's current text, without writing a byte (issue 19 item 3)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from state_runner.app.cli import main
from support.workspace import Book, Run, run_cli

MISSPELLED = "forbiden_phrases:\n  marketing_language: [cache]\n"
EXEMPT = "chapters:\n  02-write-policies:\n    exempt: true\n"
WARNING = (
    "evals/chapter-quality.yaml: unknown key 'forbiden_phrases' "
    "(did you mean 'forbidden_phrases'?); it is ignored"
)
FAILING = "03-stampede-control"  # its text says "world-class"


@pytest.fixture
def checked(book: Book) -> Book:
    """The sample book with a misspelled key and an exempt chapter, committed."""
    quality = book.root / "evals" / "chapter-quality.yaml"
    quality.write_text(quality.read_text() + MISSPELLED + EXEMPT)
    book.commit_all("a misspelled key and an exempt chapter")
    return book


def checksums(root: Path) -> dict[str, str]:
    """Every path under the workspace, .git included: a digest per file, "dir" per folder."""
    return {
        str(path.relative_to(root)): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        )
        for path in sorted(root.rglob("*"))
    }


def test_the_report_names_the_rules_the_warning_and_the_failing_checks(checked: Book) -> None:
    before = checksums(checked.root)
    result = run_cli("evals", "check", "--chapter-id", FAILING, cwd=checked.root)
    assert checksums(checked.root) == before
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "  hype keywords: game-changer, revolutionary, blazing fast," in out
    assert "  exempt chapters: 02-write-policies\n" in out
    assert "\nChapter 02-write-policies: exempt (no required headings, no scored sections)\n" in out
    assert "\nChapters 01-cache-invalidation, 03-stampede-control:\n" in out
    assert "    examples_count: ## Concrete Example 1, ## Concrete Example 2, 120+ chars\n" in out
    assert f"\nWarnings: 1\n  {WARNING}\n" in out
    assert f"\nChapter {FAILING} as it is now (book/chapters/{FAILING}.md):\n" in out
    assert "  chapter-quality: fail (section scores total 1.00)\n" in out
    assert (
        "  failed chapter-quality: forbidden marketing_language:world-class; "
        "section scores total 1.00\n"
    ) in out
    # the near-copy share (docs/book-format.md 3.3): the sample chapters share no passages
    assert (
        "  similarity to the other chapters: 01-cache-invalidation 0.00, 02-write-policies 0.00\n"
        in out
    )


def test_strict_exits_1_on_a_warning_and_0_without(
    checked: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checksums(checked.root)
    assert main(["evals", "check", "--root", str(checked.root), "--strict"]) == 1
    assert main(["evals", "--root", str(checked.root), "check"]) == 0
    assert checksums(checked.root) == before
    quality = checked.root / "evals" / "chapter-quality.yaml"
    quality.write_text(quality.read_text().replace(MISSPELLED, ""))
    assert main(["evals", "check", "--root", str(checked.root), "--strict"]) == 0
    assert "Warnings: none" in capsys.readouterr().out


def test_json_is_a_versioned_document(checked: Book, capsys: pytest.CaptureFixture[str]) -> None:
    before = checksums(checked.root)
    code = main(["evals", "check", "--root", str(checked.root), "--json", "--chapter-id", FAILING])
    assert code == 0
    assert checksums(checked.root) == before
    document = json.loads(capsys.readouterr().out)
    assert sorted(document) == ["book", "chapters", "check", "schema", "version", "warnings"]
    assert (document["schema"], document["version"]) == ("state-runner/evals-check", 1)
    assert document["warnings"] == [WARNING]
    assert document["book"]["exempt_chapters"] == ["02-write-policies"]
    assert document["book"]["drift_max_score"] == 0.3
    assert [c["chapter_id"] for c in document["chapters"]] == [
        "01-cache-invalidation", "02-write-policies", FAILING,
    ]  # fmt: skip
    exempt = document["chapters"][1]
    assert exempt == {
        "chapter_id": "02-write-policies", "exempt": True, "required_headings": [],
        "scored_sections": [], "refine_min_total": 0.65,
    }  # fmt: skip
    check = document["check"]
    assert sorted(check) == ["chapter_id", "deterministic", "failed_checks", "path", "similarities"]
    assert check["deterministic"]["chapter_quality"]["forbidden_hits"] == [
        "marketing_language:world-class"
    ]
    assert check["failed_checks"][0].startswith("chapter-quality: forbidden")
    assert [s["chapter_id"] for s in check["similarities"]] == [
        "01-cache-invalidation", "02-write-policies",
    ]  # fmt: skip
    assert check["deterministic"]["similarity_max"] == max(
        s["cosine"] for s in check["similarities"]
    )
    assert document["chapters"][0]["scored_sections"][0] == {
        "name": "thesis_clarity", "headings": ["## Thesis"], "min_chars": 120,
    }  # fmt: skip


def test_a_locked_chapter_is_checked_and_an_unknown_one_refused(
    checked: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(checked.root)
    assert main(["evals", "check", "--root", root, "--chapter-id", checked.locked_id]) == 0
    capsys.readouterr()
    assert main(["evals", "check", "--root", root, "--chapter-id", "99-none"]) == 3
    assert capsys.readouterr().err == (
        "KernelError: Unknown chapter_id: 99-none (the ledger has: 01-cache-invalidation, "
        "02-write-policies, 03-stampede-control)\n"
    )


def test_an_invalid_eval_file_is_the_kernels_refusal(
    checked: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    (checked.root / "evals" / "style-guard.yaml").write_text("limits: 3\n")
    assert main(["evals", "check", "--root", str(checked.root)]) == 3
    assert capsys.readouterr().err == (
        "KernelError: Invalid eval config evals/style-guard.yaml: limits must be a mapping\n"
    )


def test_a_kernel_run_prints_the_warning_first_on_stderr(checked: Book, kernel: Run) -> None:
    code, _, err = kernel("--chapter-id", checked.active_id, "--llm", "--llm-provider", "mock")
    assert code == 1
    assert err.startswith(f"state-runner: {WARNING}\n")
    assert err.count("unknown key") == 1
