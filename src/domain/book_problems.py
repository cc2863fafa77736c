"""What `governance validate` reports beyond the ledger's own rules: chapter files that are
missing, and eval files that do not parse, do not validate, or hold keys the kernel ignores.

The kernel does not refuse a run for these (another chapter's missing file is skipped, an
ignored key is a warning), so they are kept apart from `governance.ledger_problems`.
"""

from __future__ import annotations

import json

from state_runner.domain.errors import KernelError
from state_runner.domain.evals import validate_eval_configs
from state_runner.domain.evals.known_keys import unknown_keys
from state_runner.domain.json_schema_checks import member
from state_runner.domain.ports import Workspace
from state_runner.domain.roles import EVAL_NAMES


def missing_chapter_files(ledger: object, workspace: Workspace) -> list[str]:
    """One problem per ledger chapter whose path is valid but names no file."""
    chapters = ledger.get("chapters") if isinstance(ledger, dict) else None
    problems: list[str] = []
    for chapter_id, chapter in chapters.items() if isinstance(chapters, dict) else ():
        path = chapter.get("path") if isinstance(chapter, dict) else None
        try:
            resolved = workspace.resolve_chapter_path(path)
        except KernelError:
            continue  # ledger_problems reports a bad path
        if not workspace.exists(resolved):
            where = member(member("chapters", chapter_id), "path")
            shown = resolved if resolved.isprintable() else json.dumps(resolved)
            problems.append(
                f"{where}: {shown} does not exist; restore the file, or remove the chapter "
                "from the ledger"
            )
    return problems


def eval_file_problems(workspace: Workspace) -> list[str]:
    """Per eval file: the refusal a run would give (missing, unreadable, invalid YAML or
    config), else one line per key the kernel ignores."""
    problems: list[str] = []
    for name in EVAL_NAMES:
        rel_path = f"evals/{name}.yaml"
        try:
            doc = workspace.parse_yaml(workspace.read_text(rel_path), rel_path)
            validate_eval_configs({name: doc})
        except KernelError as exc:
            problems.append(exc.message)
            continue
        problems.extend(unknown_keys(name, doc))
    return problems
