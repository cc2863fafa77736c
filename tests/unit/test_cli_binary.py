"""Which Copilot CLI binary the adapter starts: the configured path, COPILOT_CLI_PATH, or the
`copilot` on PATH, with npm's launcher resolved to the platform binary it would start."""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path

import pytest

from state_runner.adapters.llm.copilot.cli_binary import (
    TESTED_CLI_VERSION,
    CliBinary,
    locate_cli,
    native_binary,
)
from state_runner.domain.llm import ErrorKind, LLMClientError
from support.npm_layout import npm_global, platform_package

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def linux_x64(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")


def executable(path: Path, text: str = "#!/bin/sh\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def installed(prefix: Path) -> Path:
    """A global npm install with a stand-in native binary; its bin folder."""
    return npm_global(prefix, executable(prefix / "native"))


def test_the_configured_path_comes_first(tmp_path: Path) -> None:
    env = {"COPILOT_CLI_PATH": "/env/copilot", "PATH": str(installed(tmp_path))}
    assert locate_cli("/set/copilot", env) == CliBinary("/set/copilot", "the adapter's cli_path")


def test_copilot_cli_path_comes_before_path(tmp_path: Path) -> None:
    env = {"COPILOT_CLI_PATH": "/env/copilot", "PATH": str(installed(tmp_path))}
    assert locate_cli(None, env) == CliBinary("/env/copilot", "COPILOT_CLI_PATH")


def test_npm_global_launcher_on_path_resolves_to_the_nested_platform_binary(
    tmp_path: Path,
) -> None:
    bin_dir = npm_global(tmp_path, executable(tmp_path / "native"))
    nested = tmp_path / "lib/node_modules/@github/copilot/node_modules/@github" / platform_package()
    assert locate_cli(None, {"PATH": str(bin_dir)}) == CliBinary(str(nested / "copilot"), "PATH")


def test_launcher_of_a_prefix_install_resolves_to_the_hoisted_platform_binary(
    tmp_path: Path,
) -> None:
    """`npm install --prefix DIR` puts the platform package beside the launcher's package."""
    modules = tmp_path / "node_modules"
    executable(modules / "@github" / "copilot" / "npm-loader.js")
    binary = executable(modules / "@github" / platform_package() / "copilot")
    (modules / ".bin").mkdir()
    (modules / ".bin" / "copilot").symlink_to("../@github/copilot/npm-loader.js")
    assert locate_cli(None, {"PATH": str(modules / ".bin")}) == CliBinary(str(binary), "PATH")


def test_a_native_binary_on_path_is_started_as_it_is(tmp_path: Path) -> None:
    binary = executable(tmp_path / "bin" / "copilot")
    assert native_binary(str(binary)) == str(binary)


def test_a_launcher_without_its_platform_package_names_the_package_and_the_reinstall(
    tmp_path: Path,
) -> None:
    bin_dir = npm_global(tmp_path, None)
    with pytest.raises(LLMClientError) as raised:
        locate_cli(None, {"PATH": str(bin_dir)})
    assert raised.value.kind is ErrorKind.STARTUP
    assert raised.value.message == (
        f"the `copilot` on PATH ({bin_dir / 'copilot'}) is npm's launcher, but its platform "
        f"package (@github/{platform_package()}) is missing: reinstall with "
        f"`npm install -g @github/copilot@{TESTED_CLI_VERSION}`"
    )


def test_no_cli_anywhere_gives_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(LLMClientError) as raised:
        locate_cli(None, {"PATH": str(tmp_path)})
    assert raised.value.kind is ErrorKind.STARTUP
    assert raised.value.message == (
        f"Copilot CLI not found: install it with `npm install -g @github/copilot@"
        f"{TESTED_CLI_VERSION}` so that `copilot` is on PATH, or set COPILOT_CLI_PATH to the "
        "binary of npm @github/copilot"
    )


def test_the_tested_version_is_the_sdks_pinned_cli_and_the_one_ci_installs() -> None:
    from copilot._cli_version import CLI_VERSION

    ci_pin = re.search(r"^CLI_VERSION=(\S+)$", (REPO / ".ci" / "run").read_text(), re.M)
    assert ci_pin is not None
    assert TESTED_CLI_VERSION == CLI_VERSION == ci_pin.group(1)
