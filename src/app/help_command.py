"""`state-runner help [TOPIC]`: pages of the documentation that an installed user, who has no
checkout, can read. Each topic is a page of `docs/` shipped inside the package."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from state_runner.domain.errors import KernelError

TOPICS = {"book-format": "the files of a book, their fields, the JSON each role returns"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", nargs="?", help=f"one of: {', '.join(TOPICS)}")


def page(topic: str) -> str:
    """The text of one topic's page."""
    if topic not in TOPICS:
        raise KernelError(f"Unknown help topic: {topic} (topics: {', '.join(TOPICS)})")
    return (resources.files("state_runner.app") / "help_topics" / f"{topic}.md").read_text()


def command(args: argparse.Namespace) -> int:
    if args.topic is None:
        sys.stdout.write("".join(f"{name}  {what}\n" for name, what in TOPICS.items()))
        return 0
    sys.stdout.write(page(args.topic))
    return 0
