"""No module of the product imports the test suite (`tests`, `support`): an AST scan of src/
and state/, so the product works the same from an installed wheel as from a checkout."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRODUCT = (REPO / "src", REPO / "state")
TEST_PACKAGES = {"tests", "support"}
DYNAMIC_IMPORTS = {"import_module", "__import__"}


def imported_names(tree: ast.AST) -> Iterator[str]:
    """Every module name the code imports: statements and `import_module("...")` calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in DYNAMIC_IMPORTS and isinstance(first, ast.Constant):
                yield str(first.value)


def suite_imports(source: str) -> list[str]:
    """The imported names of `source` whose top-level package is one of the test suite's."""
    names = imported_names(ast.parse(source))
    return [name for name in names if name.split(".")[0] in TEST_PACKAGES]


def product_files() -> list[Path]:
    return sorted(path for root in PRODUCT for path in root.rglob("*.py"))


def test_no_product_module_imports_the_test_suite() -> None:
    files = product_files()
    assert len(files) > 50  # the scan sees the product
    found = {
        str(path.relative_to(REPO)): hits
        for path in files
        if (hits := suite_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scan_finds_every_form_of_import() -> None:
    source = (
        "import support.model_server\nfrom tests.support import fakes\n"
        "import importlib\nimportlib.import_module('support.github_fake')\n"
        "from state_runner_contract.servers import model_server\nfrom . import support\n"
    )
    assert suite_imports(source) == [
        "support.model_server", "tests.support", "support.github_fake"
    ]  # fmt: skip
