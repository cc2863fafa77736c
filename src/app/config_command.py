"""`state-runner config show|set`: the saved settings, and where each effective one comes from."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from state_runner.app.book_root import add_root_argument, book_root_of
from state_runner.app.config_files import BOOK_FILE, load_user, user_file_path
from state_runner.app.config_keys import ENDPOINT_KEYS, known
from state_runner.app.config_layers import Effective, effective_settings, untrusted
from state_runner.app.config_write import write_setting
from state_runner.domain.errors import KernelError
from state_runner.domain.secrets import redact_url

LEDGER = Path("state") / "ledger.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    sub = parser.add_subparsers(dest="config_cmd", required=True, metavar="COMMAND")
    sub.add_parser("show", help="every effective setting and where it comes from")
    put = sub.add_parser("set", help=f"save one setting in the book's {BOOK_FILE} (or --user)")
    put.add_argument("key", metavar="KEY", help="a kernel flag without the dashes: llm-model, ...")
    put.add_argument("value", metavar="VALUE", help="checked as the flag would check it")
    put.add_argument("--user", action="store_true", help="save it in your own file, for every book")


def book_root(args: argparse.Namespace) -> Path | None:
    """The book around the current folder (or `--root`), None when there is none."""
    try:
        return book_root_of(args, Path.cwd())
    except KernelError:
        return None


def shown_value(item: Effective) -> str:
    if item.value is None:
        return "-"
    return redact_url(item.value) if item.key == "llm-base-url" else item.value


def show(root: Path | None) -> int:
    """One line per key: name, value, source (a default shows as the default's text)."""
    env = dict(os.environ)
    items = effective_settings(env, root)
    user = load_user(env)
    width = max(len(item.key) for item in items)
    for item in items:
        value = shown_value(item) if item.source != "default" else known(item.key, "").default
        refused = "; a run refuses it until your user file agrees" * bool(untrusted(item, user))
        print(f"{item.key:<{width}}  {value}  ({item.source}{refused})")
    return 0


def set_value(args: argparse.Namespace, root: Path | None) -> int:
    """Check KEY and VALUE as the flag would, then write the one line."""
    key = known(args.key, "")
    value = key.check(args.value, f"--{key.name}")
    shown = shown_value(Effective(key.name, value, ""))
    user = user_file_path(dict(os.environ))
    if args.user:
        write_setting(user, None, "user file", key, value)
        print(f"{key.name} = {shown} saved in {user}")
        return 0
    if root is None:
        where = getattr(args, "root", None) or Path.cwd()
        raise KernelError(
            f"no book here (no {LEDGER} in {where} or any folder above it): cd into a book or pass"
            " --root DIR, or add --user to save it for every book"
        )
    write_setting(root / BOOK_FILE, root, "book file", key, value)
    print(f"{key.name} = {shown} saved in {root / BOOK_FILE}")
    if key.name in ENDPOINT_KEYS:
        write_setting(user, None, "user file", key, value)
        print(f"{key.name} also saved in {user}: a book's {key.name} is used only if yours agrees")
    return 0


def command(args: argparse.Namespace) -> int:
    root = book_root(args)
    if args.config_cmd == "show":
        return show(root)
    return set_value(args, root)
