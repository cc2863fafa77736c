"""The public API module (`state_runner`, the package's `__init__`) stands on the domain alone,
and nothing of the product imports it: import-linter checks the direct imports of the module
(its packages-as-a-whole contracts cannot name a package's `__init__` alone), this checks all of
what importing it pulls in."""

from __future__ import annotations

import grimp

PRODUCT = ("state_runner.domain", "state_runner.adapters", "state_runner.app")


def graph() -> grimp.ImportGraph:
    return grimp.build_graph("state_runner", "state_runner_contract", cache_dir=None)


def test_importing_the_public_api_pulls_in_only_the_domain() -> None:
    pulled = graph().find_upstream_modules("state_runner", as_package=False)
    assert pulled, "the public API re-exports the port from the domain"
    assert {m for m in pulled if not m.startswith("state_runner.domain.")} == set()


def test_no_module_of_the_product_imports_the_public_api() -> None:
    importers = graph().find_modules_that_directly_import("state_runner")
    assert {m for m in importers if m.startswith(PRODUCT)} == set()
