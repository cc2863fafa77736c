"""`python -m state_runner` runs the `state-runner` command line."""

from state_runner.app.cli import run

run()
