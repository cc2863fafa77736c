"""Composition root: the only place that names concrete adapters (the LLM providers come
from the entry-point registry, `app/llm_registry.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from dependency_injector import containers, providers

from state_runner.adapters.clock import SystemClock
from state_runner.adapters.files.iteration_files import FsRoleFiles
from state_runner.adapters.files.journal import UndoJournal
from state_runner.adapters.files.layout import IterationLayout
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.metrics_store import JsonMetricsStore
from state_runner.adapters.files.run_lock import RunLock
from state_runner.adapters.files.state_paths import ROLE_IO
from state_runner.adapters.files.unit_of_work import FsStateUnitOfWork
from state_runner.adapters.files.version_map_store import JsonVersionMapStore
from state_runner.adapters.files.workspace import FsWorkspace
from state_runner.adapters.git import GitVcs
from state_runner.app import llm_registry
from state_runner.domain.kernel import Kernel, KernelPorts
from state_runner.domain.llm import LLMPort
from state_runner.domain.llm_settings import LLMSettings


def provide_llm(settings: LLMSettings) -> Iterator[LLMPort]:
    """The provider `settings.provider` names, found in the registry; closed on shutdown."""
    llm = llm_registry.make(settings)
    try:
        yield llm
    finally:
        llm.close()


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from a `config` dict (see `app.cli`)."""

    config = providers.Configuration()
    llm_settings: providers.Object[LLMSettings] = providers.Object(LLMSettings(provider="mock"))

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

    # One Resource per registered provider, added by build_container from the registry.
    llm = providers.Selector(config.llm_provider)

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
    settings = llm or LLMSettings(provider="mock")
    if env is not None:
        settings = replace(settings, env=dict(env))
    container.llm_settings.override(providers.Object(settings))
    container.config.from_dict(
        {
            "root": root,
            "io_dir": io_dir if io_dir is not None else root / ROLE_IO,
            "llm_provider": settings.provider,
        }
    )
    names = set(llm_registry.installed()) | {settings.provider}  # unknown: the registry says so
    container.llm.set_providers(
        **{name: providers.Resource(provide_llm, settings=container.llm_settings) for name in names}
    )
    return container
