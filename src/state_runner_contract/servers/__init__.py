"""Loopback servers for adapter tests: an OpenAI-compatible model server and a GitHub fake.

Stdlib only (no pytest, no hypothesis): usable without the `contract` extra.
`state_runner_contract.servers.model_server` holds `ModelServer` and its reply types;
`state_runner_contract.servers.github_fake` the GitHub + Copilot API answers it can give.
"""
