"""The wheel as a user installs it: built, installed into a fresh virtual environment, used from
a project that has its own `domain/`, `adapters/` and `app/` packages, and left working when
another wheel that ships `app/cli.py` is installed beside it and removed again.

Everything installs offline: the locked dependencies from uv's cache (filled by `uv sync`), then
the wheel itself; no network in this test.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.copilot_cli import leftover_pids, process_marker, require_cli

REPO = Path(__file__).resolve().parents[2]
TOP_LEVEL = {"state_runner", "state_runner_contract"}


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding the built wheel, and a user's project beside it."""

    venv: Path
    project: Path
    wheel: Path

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def run(
        self, *args: str | Path, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """A command from the user's project folder, with the environment's bin on PATH."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
        env.update(extra_env or {})
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = ""
        return subprocess.run(
            [str(a) for a in args], cwd=self.project, env=env, capture_output=True,
            text=True, timeout=300, check=False,
        )  # fmt: skip


def uv() -> str:
    found = shutil.which("uv")
    if found is None:
        pytest.fail("uv is not on PATH: the user-install test builds and installs with it")
    return found


def offline_uv(*args: str | Path, cwd: Path = REPO) -> None:
    env = {**os.environ, "UV_OFFLINE": "1", "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [uv(), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"uv {' '.join(map(str, args))} failed:\n{done.stderr}"


def user_project(root: Path) -> Path:
    """A project with packages named like ours, each with a module ours would have."""
    for package, module in (("domain", "llm"), ("adapters", "git"), ("app", "cli")):
        folder = root / package
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text(f"OWNER = 'the user project: {package}'\n")
        (folder / f"{module}.py").write_text("raise ImportError('the user project was used')\n")
    return root


def other_wheel(folder: Path) -> Path:
    """A wheel from another project that ships `app/cli.py` and a console script of its own."""
    name, version = "other_tool", "1.0"
    info = f"{name}-{version}.dist-info"
    files = {
        "app/__init__.py": "",
        "app/cli.py": "def main() -> None:\n    print('the other tool')\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: other-tool\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": "[console_scripts]\nother-tool = app.cli:main\n",
    }
    rows = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        rows.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*rows, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("user-install")
    dist = base / "dist"
    offline_uv("build", "--wheel", "--out-dir", dist)
    (wheel,) = dist.glob("state_runner-*.whl")
    venv = base / "venv"
    offline_uv("venv", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    locked = base / "pylock.toml"  # the locked dependencies, whose wheels `uv sync` cached
    offline_uv(
        "export", "--frozen", "--no-dev", "--extra", "contract", "--no-emit-project",
        "--no-emit-workspace", "--format", "pylock.toml", "--output-file", locked,
    )  # fmt: skip
    offline_uv("pip", "install", "--python", python, "-r", locked)
    offline_uv("pip", "install", "--python", python, "--no-deps", f"{wheel}[contract]")
    offline_uv("pip", "check", "--python", python)  # the wheel's own requirements are met
    yield Installed(venv=venv, project=user_project(base / "project"), wheel=wheel)


def test_the_wheel_has_no_top_level_package_but_the_two(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = archive.namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == TOP_LEVEL
    assert set(names) >= set(mapped_source_files())


def mapped_source_files() -> Iterator[str]:
    """Every file of the checkout the wheel must carry, at its place in the wheel."""
    mapping = {
        "src/domain/": "state_runner/domain/", "src/adapters/": "state_runner/adapters/",
        "src/app/": "state_runner/app/", "src/state_runner/": "state_runner/",
        "src/state_runner_contract/": "state_runner_contract/",
        "examples/sample-book/": "state_runner/sample_book/",
    }  # fmt: skip
    listed = subprocess.run(
        ["git", "ls-files", *mapping], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for path in listed:
        source = next(prefix for prefix in mapping if path.startswith(prefix))
        if not (REPO / path).is_symlink():
            yield mapping[source] + path.removeprefix(source)


def test_state_runner_imports_beside_a_project_with_its_own_domain_package(
    installed: Installed,
) -> None:
    probe = (
        "import domain, state_runner, state_runner_contract; "
        "from state_runner.domain.llm import LLMPort; "
        "print(domain.OWNER); print(state_runner_contract.LLMPortContract.__name__)"
    )
    done = installed.run(installed.bin("python"), "-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["the user project: domain", "LLMPortContract"]


def test_the_demo_runs_from_the_installed_wheel_with_no_checkout(installed: Installed) -> None:
    done = installed.run("state-runner", "demo")
    assert done.returncode == 0, done.stderr
    assert "promoted to 'refined'" in done.stdout + done.stderr
    assert str(REPO) not in done.stdout + done.stderr


def test_init_runs_from_the_installed_wheel(installed: Installed) -> None:
    book = installed.project / "new-book"
    done = installed.run("state-runner", "init", book)
    assert done.returncode == 0, done.stderr
    assert (book / "state" / "ledger.json").is_file()


def test_the_book_format_page_is_readable_from_the_installed_wheel(installed: Installed) -> None:
    done = installed.run("state-runner", "help", "book-format")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "docs" / "book-format.md").read_text()


def test_another_wheel_with_app_cli_neither_replaces_nor_removes_ours(
    installed: Installed,
) -> None:
    ours = installed.run("state-runner", "--version")
    assert ours.returncode == 0, ours.stderr
    python = installed.bin("python")
    offline_uv("pip", "install", "--python", python, other_wheel(installed.project.parent))
    assert installed.run("other-tool").stdout == "the other tool\n"
    beside = installed.run("state-runner", "--version")
    assert (beside.returncode, beside.stdout) == (0, ours.stdout)
    offline_uv("pip", "uninstall", "--python", python, "other-tool")
    after = installed.run("state-runner", "--version")
    assert (after.returncode, after.stdout) == (0, ours.stdout)


def test_doctor_offline_runs_from_the_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    """The loopback fakes ship in the wheel's test kit: no checkout, no `tests/` needed."""
    home, temp = tmp_path / "user-home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    marker = process_marker()
    cli_env = {"COPILOT_CLI_PATH": str(require_cli()), "HOME": str(home), "TMPDIR": str(temp)}
    done = installed.run("state-runner", "doctor", "--mode", "offline", extra_env={
        **cli_env, **marker})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    assert last.startswith("ok    loopback: "), done.stdout
    assert last.endswith("requests to the fakes, none to an MCP server, none bound off the machine")
    assert leftover_pids(environ=marker) == set()
