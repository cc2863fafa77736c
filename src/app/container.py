"""Composition root: the only place that names concrete adapters and builds LLM ports (their
factories come from the entry-point registry, `app/llm_registry.py`); it owns their shutdown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
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
from state_runner.adapters.git_promotion import GitPromotionVcs
from state_runner.app import llm_registry
from state_runner.domain.errors import KernelError
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


def provide_role_llms(
    settings: LLMSettings, role_models: Mapping[str, str]
) -> Iterator[dict[str, LLMPort]]:
    """A port of its own for each role whose model differs from `settings.model` (one per
    distinct model; the other roles use the default port). Every port made is closed on
    shutdown, and at once when a later one fails to start."""
    with ExitStack() as made:
        by_model: dict[str, LLMPort] = {}
        ports: dict[str, LLMPort] = {}
        for role, model in role_models.items():
            if model == settings.model:
                continue
            if model not in by_model:
                try:
                    port = llm_registry.make(replace(settings, model=model))
                except KernelError as exc:
                    raise KernelError(f"--{role}-model {model}: {exc.message}") from None
                made.callback(port.close)
                by_model[model] = port
            ports[role] = by_model[model]
        yield ports


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from a `config` dict (see `app.cli`)."""

    config = providers.Configuration()
    llm_settings: providers.Object[LLMSettings] = providers.Object(LLMSettings(provider="mock"))
    role_models: providers.Object[Mapping[str, str]] = providers.Object({})

    clock = providers.Singleton(SystemClock)
    workspace = providers.Singleton(FsWorkspace, root=config.root)
    layout = providers.Singleton(IterationLayout, io_root=config.io_dir, workspace_root=config.root)
    role_files = providers.Singleton(FsRoleFiles, layout=layout, clock=clock)
    ledger = providers.Singleton(JsonLedgerStore, root=config.root)
    metrics = providers.Singleton(JsonMetricsStore, root=config.root)
    version_map = providers.Singleton(JsonVersionMapStore, root=config.root)
    vcs = providers.Singleton(GitPromotionVcs, root=config.root)
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

    llm = providers.Resource(provide_llm, settings=llm_settings)  # the registry picks by name
    role_llms = providers.Resource(
        provide_role_llms, settings=llm_settings, role_models=role_models
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
    role_models: Mapping[str, str] | None = None,
) -> Container:
    """A container for one workspace (role I/O under `io_dir`, default `<root>/state/role_io`)
    and, for LLM use, one provider (reading `env`, default this process's environment) with a
    model per role (`role_models`; the roles not named use `llm.model`)."""
    container = Container()
    settings = llm or LLMSettings(provider="mock")
    if env is not None:
        settings = replace(settings, env=dict(env))
    container.llm_settings.override(providers.Object(settings))
    container.role_models.override(providers.Object(dict(role_models or {})))
    container.config.from_dict(
        {
            "root": root,
            "io_dir": io_dir if io_dir is not None else root / ROLE_IO,
        }
    )
    return container
