"""Which Copilot CLI binary the adapter starts, and how it was found.

The order: the adapter's configured path, else `COPILOT_CLI_PATH`, else `copilot` on `PATH`.
npm's install puts a launcher on `PATH` (`npm-loader.js`, a node script that starts the native
binary of the platform package as its child). The adapter starts the native binary itself:
stopping the CLI by PID must stop the process that serves the session, not a launcher whose
child would be left running.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from state_runner.domain.llm import ErrorKind, LLMClientError

TESTED_CLI_VERSION = "1.0.102"
"""The CLI version the pinned `github-copilot-sdk` release is built for, and CI tests with."""
INSTALL_COMMAND = f"npm install -g @github/copilot@{TESTED_CLI_VERSION}"
NPM_LAUNCHER = "npm-loader.js"
_ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class CliBinary:
    """The binary to start and where its path came from (shown by `doctor`)."""

    path: str
    found_by: str


def locate_cli(configured: str | None, env: Mapping[str, str]) -> CliBinary:
    """The CLI binary by the order above; a clear error with the install command if none."""
    if configured:
        return CliBinary(configured, "the adapter's cli_path")
    if env.get("COPILOT_CLI_PATH"):
        return CliBinary(env["COPILOT_CLI_PATH"], "COPILOT_CLI_PATH")
    on_path = shutil.which("copilot", path=env.get("PATH", os.defpath))
    if not on_path:
        raise LLMClientError(
            f"Copilot CLI not found: install it with `{INSTALL_COMMAND}` so that `copilot` is "
            "on PATH, or set COPILOT_CLI_PATH to the binary of npm @github/copilot",
            kind=ErrorKind.STARTUP,
        )
    return CliBinary(native_binary(on_path), "PATH")


def native_binary(on_path: str) -> str:
    """`on_path` itself, or the platform binary next to it when it is npm's launcher."""
    launcher = Path(os.path.realpath(on_path))
    if launcher.name != NPM_LAUNCHER:
        return on_path
    for candidate in _platform_binaries(launcher.parent):
        if os.access(candidate, os.X_OK) and candidate.is_file():
            return str(candidate)
    raise LLMClientError(
        f"the `copilot` on PATH ({on_path}) is npm's launcher, but its platform package "
        f"(@github/{_package_names()[-1]}) is missing: reinstall with `{INSTALL_COMMAND}`",
        kind=ErrorKind.STARTUP,
    )


def _platform_binaries(package_dir: Path) -> Iterator[Path]:
    """Where node would find the platform package from the launcher's package folder: its own
    `node_modules`, then each folder above (npm installs it nested or beside the launcher)."""
    executable = "copilot.exe" if sys.platform == "win32" else "copilot"
    for folder in (package_dir, *package_dir.parents):
        for name in _package_names():
            yield folder / "node_modules" / "@github" / name / executable


def _package_names() -> list[str]:
    """The platform package names to try, as the launcher does (musl first on Linux)."""
    arch = _ARCHES.get(platform.machine().lower(), platform.machine().lower())
    if sys.platform.startswith("linux"):
        return [f"copilot-linuxmusl-{arch}", f"copilot-linux-{arch}"]
    return [f"copilot-{sys.platform}-{arch}"]
