"""Configuration files: no secrets, known keys, values checked as the flags check them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from state_runner.app.config_files import (
    BOOK_FILE,
    CONFIG_LIMIT,
    ConfigFile,
    load_book,
    parse,
    user_file_path,
)
from state_runner.app.config_keys import KEYS, FlagDefault
from state_runner.app.config_layers import resolve
from state_runner.app.config_write import with_line, write_setting
from state_runner.domain.errors import KernelError

PATH = Path("/b/state-runner.toml")

SECRET_LINES = [
    ('api-key = "abc"', "the key 'api-key' is named like a credential"),
    ('github_token = "abc"', "the key 'github_token' is named like a credential"),
    ('password = "x"', "the key 'password' is named like a credential"),
    ('llm-model = "sk-abcdefgh12345678"', "a value looks like an API token"),
    ('llm-model = "ghp_abcdefghijklmnopqrstuv"', "a value looks like an API token"),
    ('llm-model = "github_pat_11ABCDEFG0123456789"', "a value looks like an API token"),
    ("# old key: gho_abcdefghijklmnop1234", "a value looks like an API token"),
    ('llm-base-url = "https://me:pw@host.example/v1"', "a URL carries user-info, a query"),
    ('llm-base-url = "https://host.example/v1?api-key=abc"', "a URL carries user-info, a query"),
    ('llm-model = "Qx7Lm2Zp9Rt4Vw8Ys1Nb6Kc3Hd5Jf0Ga"', "a value looks like a key (a long random"),
]


@pytest.mark.parametrize(("line", "what"), SECRET_LINES)
def test_a_line_that_looks_like_a_secret_is_refused_naming_file_and_line(
    line: str, what: str
) -> None:
    text = f'# my book\nllm-provider = "mock"\n{line}\n'
    with pytest.raises(KernelError) as caught:
        parse(text, PATH, "book file")
    message = caught.value.message
    assert message.startswith(f"{PATH} line 3: {what}")
    assert "a configuration file holds no secrets" in message and "llm-api-key-env" in message
    assert "\n" not in message
    assert "abcdefgh12345678" not in message and "pw@" not in message


def test_ordinary_settings_pass_and_are_checked_as_the_flags_check_them() -> None:
    text = (
        "# models for this book\n"
        'llm-model = "claude-sonnet-4.5"\n'
        'writer-model = "gpt-4o-mini-2024-07-18"\n'
        'llm-base-url = "http://127.0.0.1:8080/v1/"\n'
        'llm-api-key-env = "MY_PROVIDER_KEY"\n'
        "max-iterations = 5\n"
        'max-diff-ratio = "0.5"\n'
        "llm-timeout-s = 30\n"
    )
    config = parse(text, PATH, "book file")
    assert config.values == {
        "llm-model": "claude-sonnet-4.5",
        "writer-model": "gpt-4o-mini-2024-07-18",
        "llm-base-url": "http://127.0.0.1:8080/v1",
        "llm-api-key-env": "MY_PROVIDER_KEY",
        "max-iterations": "5",
        "max-diff-ratio": "0.5",
        "llm-timeout-s": "30.0",
    }
    assert config.lines["llm-model"] == 2 and config.lines["llm-timeout-s"] == 8


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("max-iterations = 0", "line 2: max-iterations must be an integer >= 1 (got '0')"),
        ('llm-base-url = "ftp://x"', "line 2: llm-base-url must be an http:// or https:// URL"),
        ('llm-api-key-env = "MY KEY"', "line 2: llm-api-key-env must be an environment variable"),
        ("writer-retries = true", "line 2: writer-retries must be a string or a number"),
        ('llm-modle = "x"', "line 2: unknown key 'llm-modle' (known keys: llm-provider, "),
        ("max-iterations = [1]", "line 2: max-iterations must be a string or a number"),
        ('llm.model = "x"', "line 2: unknown key 'llm' (known keys: "),
        ('[llm-model]\nname = "x"', "line 2: llm-model must be a string or a number"),
    ],
)
def test_a_bad_key_or_value_is_one_line_naming_the_line(line: str, message: str) -> None:
    with pytest.raises(KernelError) as caught:
        parse(f"# c\n{line}\n", PATH, "user file")
    assert caught.value.message.startswith(f"{PATH} {message}")


def test_an_unknown_provider_names_the_line_and_the_installed_ones() -> None:
    with pytest.raises(KernelError) as caught:
        parse('llm-provider = "nope"\n', PATH, "book file")
    assert caught.value.message.startswith(
        f"unknown LLM provider 'nope' in {PATH} line 1: llm-provider (installed providers: "
    )


def test_invalid_toml_names_the_file_and_where() -> None:
    with pytest.raises(KernelError) as caught:
        parse('llm-model = "x\n', PATH, "book file")
    assert caught.value.message.startswith(f"{PATH}: not valid TOML: ")
    assert "line 1" in caught.value.message


def test_the_book_file_is_read_through_the_safe_reader(tmp_path: Path) -> None:
    (tmp_path / BOOK_FILE).write_text("# x\n" * (CONFIG_LIMIT // 4 + 1))
    with pytest.raises(KernelError, match=r"File too large: .*limit 65536 bytes"):
        load_book(tmp_path)
    outside = tmp_path.parent / "elsewhere.toml"
    outside.write_text('llm-model = "x"\n')
    (tmp_path / BOOK_FILE).unlink()
    os.symlink(outside, tmp_path / BOOK_FILE)
    with pytest.raises(KernelError, match="outside"):
        load_book(tmp_path)
    (tmp_path / BOOK_FILE).unlink()
    assert load_book(tmp_path).values == {}


def test_a_file_that_is_not_utf8_or_not_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / BOOK_FILE).write_bytes(b'llm-model = "\xff"\n')
    with pytest.raises(KernelError) as caught:
        load_book(tmp_path)
    assert caught.value.message == f"{tmp_path / BOOK_FILE}: not UTF-8 text: save it as UTF-8"
    (tmp_path / BOOK_FILE).unlink()
    (tmp_path / BOOK_FILE).mkdir()
    with pytest.raises(KernelError, match=r"Not a regular file: .*\(a folder\)"):
        load_book(tmp_path)


def test_the_user_file_honours_an_absolute_xdg_config_home(tmp_path: Path) -> None:
    assert user_file_path({"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "state-runner" / "config.toml"
    )
    home = Path.home() / ".config" / "state-runner" / "config.toml"
    assert user_file_path({"XDG_CONFIG_HOME": "relative"}) == home
    assert user_file_path({}) == home


def test_writing_keeps_the_other_lines_and_their_comments(tmp_path: Path) -> None:
    text = '# my settings\nllm-model = "a"  # the cheap one\n\n# budget\nmax-iterations = 2\n'
    assert with_line(text, KEYS["llm-model"], "b") == (
        '# my settings\nllm-model = "b"\n\n# budget\nmax-iterations = 2\n'
    )
    assert with_line("max-iterations = 2", KEYS["max-run-tokens"], "900") == (
        "max-iterations = 2\nmax-run-tokens = 900\n"
    )
    path = tmp_path / BOOK_FILE
    path.write_text(text)
    write_setting(path, tmp_path, "book file", KEYS["max-iterations"], "4")
    assert path.read_text() == text.replace("max-iterations = 2", "max-iterations = 4")
    assert [p.name for p in tmp_path.iterdir()] == [BOOK_FILE]  # no temp file left


def test_writing_refuses_a_value_that_looks_like_a_secret(tmp_path: Path) -> None:
    path = tmp_path / BOOK_FILE
    path.write_text('llm-model = "a"\n')
    with pytest.raises(KernelError, match=r"line 1: a value looks like an API token"):
        write_setting(path, tmp_path, "book file", KEYS["llm-model"], "sk-0123456789abcdef")
    assert path.read_text() == 'llm-model = "a"\n'


def test_precedence_is_flag_env_book_user_default() -> None:
    key = KEYS["max-iterations"]
    model = KEYS["llm-model"]
    book = ConfigFile(PATH, "book file", {"max-iterations": "5", "llm-model": "b"})
    user = ConfigFile(Path("/u.toml"), "user file", {"max-iterations": "7", "llm-model": "u"})
    files = (book, user)
    assert resolve(key, "3", {}, files).source == "flag"  # typed, even when it equals the default
    assert resolve(key, FlagDefault("3"), {}, files).value == "5"  # argparse's default gives way
    assert resolve(key, FlagDefault("3"), {}, (user,)).source == "user file /u.toml"
    assert resolve(key, None, {}, ()).source == "default"
    assert resolve(model, None, {"KERNEL_LLM_MODEL": "e"}, files).source == "env KERNEL_LLM_MODEL"
    assert resolve(model, None, {"KERNEL_LLM_MODEL": " "}, files).value == "b"  # blank = unset
    assert resolve(model, "f", {"KERNEL_LLM_MODEL": "e"}, files).value == "f"
