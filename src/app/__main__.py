"""`python -m app` runs the `state-runner` command line."""

from app.cli import run

run()
