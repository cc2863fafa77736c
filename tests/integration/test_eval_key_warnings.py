"""A kernel run warns about each eval key it ignores, on stderr, and records what it would have
recorded without the key (issue 19 item 2)."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import providers

from state_runner.app.container import build_container
from state_runner.domain.kernel import KernelOptions
from state_runner.domain.llm_settings import LLMSettings
from support.fakes import FakeClock
from support.workspace import Book, sample_book

MISSPELLED = "forbiden_phrases:\n  marketing_language: [cache]\n"


def run_mock(book: Book) -> tuple[int, list[str], list[str]]:
    """One mock LLM run of the active chapter at a fixed time: exit code, notices, progress."""
    container = build_container(
        book.root, book.root / "state/role_io", LLMSettings(provider="mock", model="mock")
    )
    container.clock.override(providers.Object(FakeClock()))
    notices: list[str] = []
    progress: list[str] = []
    try:
        kernel = container.kernel(
            ports__llm=container.llm(),
            ports__notice=notices.append,
            ports__progress=progress.append,
        )
        outcome = kernel.run(KernelOptions(chapter_id=book.active_id, use_llm=True))
    finally:
        container.shutdown_resources()
    return outcome.exit_code, notices, progress


def records(book: Book) -> dict[str, bytes]:
    """The ledger, metrics and chapter logs, and the chapters (role I/O holds the eval text)."""
    snapshot = book.snapshot(role_io=False)
    return {str(Path(path).relative_to(book.root)): data for path, data in snapshot.items()}


def test_a_misspelled_key_is_one_warning_and_changes_no_record(tmp_path: Path) -> None:
    plain = sample_book(tmp_path / "plain")
    warned = sample_book(tmp_path / "warned")
    quality = warned.root / "evals" / "chapter-quality.yaml"
    quality.write_text(quality.read_text() + MISSPELLED)
    warned.commit_all("misspelled key")

    plain_code, plain_notices, plain_progress = run_mock(plain)
    code, notices, progress = run_mock(warned)

    assert notices == [
        "evals/chapter-quality.yaml: unknown key 'forbiden_phrases' "
        "(did you mean 'forbidden_phrases'?); it is ignored"
    ]
    assert plain_notices == []
    assert code == plain_code
    assert progress == plain_progress
    assert records(warned) == records(plain)
    assert {"state/ledger.json", "state/metrics.json"} <= set(records(warned))
