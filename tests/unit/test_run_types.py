"""The run's shared types live in a leaf module: kernel, preflight and judging form no cycle."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import state_runner.domain.run_types as run_types
from state_runner.app.kernel_command import add_arguments
from state_runner.app.settings import writer_retries
from state_runner.domain import kernel, outcome

DOMAIN = Path(run_types.__file__).parent
RUN_MODULES = {"kernel", "preflight", "judging", "generation", "outcome", "repair", "rejection"}


def _imported_domain_modules(path: Path) -> set[str]:
    """Every `state_runner.domain.<name>` a module imports, TYPE_CHECKING blocks included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        prefix = "state_runner.domain."
        found |= {name[len(prefix) :].split(".")[0] for name in names if name.startswith(prefix)}
    return found


def test_the_leaf_module_imports_no_module_of_the_run() -> None:
    assert not _imported_domain_modules(DOMAIN / "run_types.py") & RUN_MODULES


def test_preflight_and_judging_do_not_import_the_kernel_or_each_other() -> None:
    assert "kernel" not in _imported_domain_modules(DOMAIN / "preflight.py")
    assert not _imported_domain_modules(DOMAIN / "judging.py") & {"kernel", "preflight"}
    assert "TYPE_CHECKING" not in (DOMAIN / "preflight.py").read_text(encoding="utf-8")


def test_the_kernel_still_offers_its_public_names() -> None:
    assert kernel.KernelOptions is run_types.KernelOptions
    assert kernel.KernelPorts is run_types.KernelPorts
    assert kernel.IterationSummary is outcome.IterationSummary is run_types.IterationSummary
    assert set(kernel.__all__) == {
        "IterationSummary", "Kernel", "KernelOptions", "KernelPorts", "RunOutcome"
    }  # fmt: skip


def test_the_defaults_are_stated_once_and_the_cli_and_settings_use_them() -> None:
    options = run_types.KernelOptions("c")
    assert (options.max_iterations, options.max_diff_ratio) == (3, 0.35)
    assert (options.max_drift_score, options.writer_retries) == (0.30, 2)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    assert int(args.max_iterations) == run_types.DEFAULT_MAX_ITERATIONS
    assert float(args.max_diff_ratio) == run_types.DEFAULT_MAX_DIFF_RATIO
    assert float(args.max_drift_score) == run_types.DEFAULT_MAX_DRIFT_SCORE
    assert writer_retries(None, {}) == run_types.DEFAULT_WRITER_RETRIES
