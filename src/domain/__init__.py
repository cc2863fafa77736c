"""Pure domain of state-runner: kernel flow, contracts, guards, evals and ports (stdlib only)."""
