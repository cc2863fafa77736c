"""Run the kernel in-process through the real container with a fake LLM in place."""

from __future__ import annotations

from dependency_injector import providers

from state_runner.app.container import build_container
from state_runner.domain.kernel import KernelOptions, RunOutcome
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import LLMSettings
from support.workspace import Book


def run_with_llm(book: Book, llm: LLMPort, **options: object) -> RunOutcome:
    """One LLM-mode run of the book's active chapter (KernelOptions fields as keywords)."""
    container = build_container(
        book.root, book.root / "state/role_io", LLMSettings(provider="mock", model="mock")
    )
    container.llm.override(providers.Object(llm))
    fields: dict[str, object] = {"chapter_id": book.active_id, "use_llm": True, **options}
    opts = KernelOptions(**fields)  # type: ignore[arg-type]
    try:
        return container.kernel(ports__llm=container.llm()).run(opts)
    finally:
        container.shutdown_resources()
