"""Composition root: the only place that names concrete adapters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.files.iteration_files import FsRoleFiles
from adapters.files.journal import UndoJournal
from adapters.files.layout import IterationLayout
from adapters.files.ledger_store import JsonLedgerStore
from adapters.files.metrics_store import JsonMetricsStore
from adapters.files.run_lock import RunLock
from adapters.files.state_paths import ROLE_IO
from adapters.files.unit_of_work import FsStateUnitOfWork
from adapters.files.version_map_store import JsonVersionMapStore
from adapters.files.workspace import FsWorkspace
from adapters.git import GitVcs
from adapters.llm.copilot_sdk import CopilotConfig, CopilotSDKAdapter
from adapters.llm.demo_model import DemoLLM
from adapters.llm.mock import MockLLM
from app.settings import LLMSettings
from domain.errors import KernelError
from domain.kernel import Kernel, KernelPorts
from domain.llm import LLMPort


def mock_llm(model: str | None) -> Iterator[LLMPort]:
    """The deterministic offline provider, closed on shutdown."""
    llm = MockLLM(model or "mock")
    try:
        yield llm
    finally:
        llm.close()


def demo_llm() -> Iterator[LLMPort]:
    """The demo model: fixes the sample book's planted flaw, approves what the evals pass."""
    llm = DemoLLM()
    try:
        yield llm
    finally:
        llm.close()


def copilot_llm(
    model: str | None,
    base_url: str | None,
    api_key_env: str,
    timeout_s: float,
    wire_api: str,
    verbose: bool,
    env: Mapping[str, str] | None = None,
) -> Iterator[LLMPort]:
    """The Copilot SDK adapter; its CLI starts when the kernel warms it up (or at the first
    call) and stops on shutdown."""
    if not model:
        raise KernelError("--llm-model (or env KERNEL_LLM_MODEL) is required for provider copilot")
    adapter = CopilotSDKAdapter(
        CopilotConfig(
            model=model,
            base_url=base_url,
            api_key_env=api_key_env,
            timeout_s=timeout_s,
            wire_api=wire_api,
            verbose=verbose,
        ),
        env=env,
    )
    try:
        yield adapter
    finally:
        adapter.close()


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from a `config` dict (see `app.cli`)."""

    config = providers.Configuration()
    env: providers.Object[Mapping[str, str] | None] = providers.Object(None)  # None: os.environ

    clock = providers.Singleton(SystemClock)
    workspace = providers.Singleton(FsWorkspace, root=config.root)
    layout = providers.Singleton(IterationLayout, io_root=config.io_dir, workspace_root=config.root)
    role_files = providers.Singleton(FsRoleFiles, layout=layout, clock=clock)
    ledger = providers.Singleton(JsonLedgerStore, root=config.root)
    metrics = providers.Singleton(JsonMetricsStore, root=config.root)
    version_map = providers.Singleton(JsonVersionMapStore, root=config.root)
    vcs = providers.Singleton(GitVcs, root=config.root)
    run_lock = providers.Singleton(RunLock, root=config.root)
    journal = providers.Singleton(UndoJournal, root=config.root)
    state = providers.Singleton(
        FsStateUnitOfWork,
        workspace=workspace,
        ledger=ledger,
        metrics=metrics,
        version_map=version_map,
        journal=journal,
        vcs=vcs,
    )

    llm = providers.Selector(
        config.llm["provider"],
        mock=providers.Resource(mock_llm, model=config.llm.model),
        demo=providers.Resource(demo_llm),
        copilot=providers.Resource(
            copilot_llm,
            model=config.llm.model,
            base_url=config.llm.base_url,
            api_key_env=config.llm.api_key_env,
            timeout_s=config.llm.timeout_s,
            wire_api=config.llm.wire_api,
            verbose=config.llm.verbose,
            env=env,
        ),
    )

    kernel_ports = providers.Factory(
        KernelPorts,
        workspace=workspace,
        files=role_files,
        ledger=ledger,
        state=state,
        vcs=vcs,
        clock=clock,
    )
    kernel = providers.Factory(Kernel, ports=kernel_ports)


def build_container(
    root: Path,
    io_dir: Path | None = None,
    llm: LLMSettings | None = None,
    env: Mapping[str, str] | None = None,
) -> Container:
    """A container for one workspace (role I/O under `io_dir`, default `<root>/state/role_io`)
    and, for LLM use, one provider (reading `env`, default this process's environment)."""
    container = Container()
    if env is not None:
        container.env.override(providers.Object(dict(env)))
    container.config.from_dict(
        {
            "root": root,
            "io_dir": io_dir if io_dir is not None else root / ROLE_IO,
            "llm": asdict(llm or LLMSettings(provider="mock")),
        }
    )
    return container
