"""The folder layout of `npm install -g --prefix PREFIX @github/copilot`, built by hand: a
`bin/copilot` link to the package's launcher, and the platform package nested inside it."""

from __future__ import annotations

import platform
from pathlib import Path

LAUNCHER = (
    "#!/bin/sh\necho 'the launcher ran: the adapter must start the native binary' >&2\nexit 1\n"
)


def platform_package() -> str:
    """The platform package npm installs on this machine (Linux)."""
    arm = platform.machine().lower() in ("aarch64", "arm64")
    return f"copilot-linux-{'arm64' if arm else 'x64'}"


def npm_global(prefix: Path, binary: Path | None) -> Path:
    """Lay out a global install under `prefix`, with `binary` (a link to it) as the platform
    package's `copilot`, or no platform package when None; returns the `bin` folder.
    The launcher is a stand-in that fails when run."""
    package = prefix / "lib" / "node_modules" / "@github" / "copilot"
    package.mkdir(parents=True)
    (package / "npm-loader.js").write_text(LAUNCHER)
    (package / "npm-loader.js").chmod(0o755)
    if binary is not None:
        nested = package / "node_modules" / "@github" / platform_package()
        nested.mkdir(parents=True)
        (nested / "copilot").symlink_to(binary)
    (prefix / "bin").mkdir()
    (prefix / "bin" / "copilot").symlink_to("../lib/node_modules/@github/copilot/npm-loader.js")
    return prefix / "bin"
