"""`config show|set` and a `kernel` run that takes its settings from the saved files."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.workspace import Book, run_cli


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return tmp_path / "xdg"


def cli(book: Book, user_dir: Path, *args: str, **env: str) -> tuple[int, str, str]:
    result = run_cli(*args, cwd=book.root, env={"XDG_CONFIG_HOME": str(user_dir), **env})
    return result.code, result.stdout, result.stderr


def show_line(out: str, key: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"{key} "))


def test_show_names_each_source_by_precedence(book: Book, user_dir: Path) -> None:
    book_file, user_file = book.root / "state-runner.toml", user_dir / "state-runner/config.toml"
    assert cli(book, user_dir, "config", "set", "llm-model", "from-user", "--user")[0] == 0
    assert cli(book, user_dir, "config", "set", "writer-model", "w-user", "--user")[0] == 0
    code, out, err = cli(book, user_dir, "config", "set", "llm-model", "from-book")
    assert (code, err) == (0, "")
    assert out == f"llm-model = from-book saved in {book_file}\n"
    code, out, _ = cli(book, user_dir, "config", "show", KERNEL_CRITIC_MODEL="c-env")
    assert code == 0
    assert show_line(out, "llm-model") == f"llm-model        from-book  (book file {book_file})"
    assert show_line(out, "writer-model") == f"writer-model     w-user  (user file {user_file})"
    assert show_line(out, "critic-model") == "critic-model     c-env  (env KERNEL_CRITIC_MODEL)"
    assert show_line(out, "max-iterations") == "max-iterations   3  (default)"
    assert len(out.splitlines()) == 13


def test_set_checks_key_and_value_as_the_flag_does(book: Book, user_dir: Path) -> None:
    code, _, err = cli(book, user_dir, "config", "set", "max-iterations", "0")
    assert (code, err) == (3, "KernelError: --max-iterations must be an integer >= 1 (got '0')\n")
    code, _, err = cli(book, user_dir, "config", "set", "api-token", "x")
    assert code == 3 and err.startswith("KernelError: unknown key 'api-token' (known keys: ")
    code, _, err = cli(book, user_dir, "config", "set", "llm-model", "sk-0123456789abcdef")
    assert code == 3 and "line 3: a value looks like an API token" in err
    assert "0123456789abcdef" not in err
    assert not (book.root / "state-runner.toml").exists()


def test_set_outside_a_book_needs_user(tmp_path: Path, user_dir: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(user_dir)}
    result = run_cli("config", "set", "llm-model", "m", cwd=tmp_path, env=env)
    assert result.code == 3
    assert result.stderr == (
        f"KernelError: no book here (no state/ledger.json in {tmp_path} or any folder above it): "
        "cd into a book or pass --root DIR, or add --user to save it for every book\n"
    )
    assert run_cli("config", "set", "llm-model", "m", "--user", cwd=tmp_path, env=env).code == 0


def test_kernel_llm_needs_no_other_flag_once_configured(book: Book, user_dir: Path) -> None:
    assert cli(book, user_dir, "config", "set", "llm-provider", "mock")[0] == 0
    assert cli(book, user_dir, "config", "set", "max-iterations", "1")[0] == 0
    code, out, err = cli(book, user_dir, "kernel", "--chapter-id", book.active_id, "--llm")
    assert code == 1, err  # on hold after the one configured iteration
    assert "after 1 iteration(s)" in out
    assert out.count("  iteration ") == 1


def test_flags_and_environment_beat_the_files(book: Book, user_dir: Path) -> None:
    assert cli(book, user_dir, "config", "set", "llm-provider", "nosuch-provider", "--user")[0] == 3
    (book.root / "state-runner.toml").write_text('llm-provider = "mock"\nmax-iterations = 1\n')
    args = ("kernel", "--chapter-id", book.active_id, "--llm", "--max-iterations", "2")
    code, out, err = cli(book, user_dir, *args, KERNEL_LLM_PROVIDER="nosuch")
    assert code == 3 and "unknown LLM provider 'nosuch' in KERNEL_LLM_PROVIDER" in err
    code, out, err = cli(book, user_dir, *args)
    assert code == 1, err
    assert out.count("  iteration ") == 2


def test_a_books_base_url_needs_the_users_file_to_agree(book: Book, user_dir: Path) -> None:
    book_file = book.root / "state-runner.toml"
    book_file.write_text(
        '# cloned\nllm-provider = "mock"\nllm-base-url = "http://127.0.0.1:9/v1"\n'
    )
    run = ("kernel", "--chapter-id", book.active_id, "--llm", "--max-iterations", "1")
    shown = cli(book, user_dir, "config", "show")[1]
    assert show_line(shown, "llm-base-url") == (
        f"llm-base-url     http://127.0.0.1:9/v1  (book file {book_file}; a run refuses it until "
        "your user file agrees)"
    )
    code, out, err = cli(book, user_dir, *run)
    assert (code, out) == (3, "")
    assert err == (
        f"KernelError: {book_file} line 3: llm-base-url http://127.0.0.1:9/v1 comes from the "
        "book's file, and a book from elsewhere must not choose where your key goes: to use it, "
        "run `state-runner config set llm-base-url http://127.0.0.1:9/v1 --user` (or pass "
        "--llm-base-url)\n"
    )
    assert not (book.root / "state/iterations").exists() or not any(
        (book.root / "state/iterations").iterdir()
    )
    assert (
        cli(book, user_dir, "config", "set", "llm-base-url", "http://127.0.0.1:9/v1/", "--user")[0]
        == 0
    )
    code, out, err = cli(book, user_dir, *run)
    assert code == 1, err
    assert (
        err.splitlines()[0]
        == f"state-runner: llm-base-url http://127.0.0.1:9/v1 from book file {book_file}"
    )


def test_a_broken_book_file_stops_the_run_naming_its_line(book: Book, user_dir: Path) -> None:
    (book.root / "state-runner.toml").write_text('llm-model = "m"\ntoken = "x"\n')
    code, _, err = cli(book, user_dir, "kernel", "--chapter-id", book.active_id)
    assert code == 3
    assert err.startswith(
        f"KernelError: {book.root / 'state-runner.toml'} line 2: the key 'token' is named like "
        "a credential; a configuration file holds no secrets"
    )
