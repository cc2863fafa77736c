"""Duplicate JSON keys are refused wherever the kernel parses JSON, never silently dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from state_runner.adapters.files.atomic import read_json
from state_runner.adapters.files.journal import UndoJournal
from state_runner.adapters.files.jsonl_log import read_entries
from state_runner.domain import roles, strict_json
from state_runner.domain.errors import KernelError


def test_a_repeated_key_at_any_depth_is_named() -> None:
    with pytest.raises(strict_json.DuplicateKeyError, match=r'^duplicate key "b"$'):
        strict_json.loads('{"a": [{"b": 1, "b": 2}]}')
    assert strict_json.loads('{"a": {"b": 1}, "b": 2}') == {"a": {"b": 1}, "b": 2}


def test_read_json_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"chapters": {}, "chapters": {"x": 1}}')
    with pytest.raises(KernelError) as caught:
        read_json(path, tmp_path)
    assert caught.value.message == (
        f'Invalid JSON: {path}: duplicate key "chapters"; keep one of them (a rewrite would drop'
        " the other) and run again"
    )


def test_a_log_line_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"iteration": 1}\n{"iteration": 2, "iteration": 3}\n')
    with pytest.raises(KernelError, match=rf'^Invalid JSON: {path}:2: duplicate key "iteration"'):
        read_entries(path, tmp_path)


def test_a_journal_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state/journal.json").write_text('{"version": 1, "version": 1}')
    with pytest.raises(KernelError, match='duplicate key "version"'):
        UndoJournal(tmp_path).recover()


def test_a_role_reply_or_output_with_a_duplicate_key_is_refused() -> None:
    with pytest.raises(KernelError) as caught:
        roles.extract_json_object('{"x": 1, "x": 2}')
    assert caught.value.message == 'LLM response contained invalid JSON: duplicate key "x"'
    with pytest.raises(KernelError) as caught:
        roles.load_output_json('{"x": 1, "x": 2}', "out/critic.json")
    assert caught.value.message == 'Invalid JSON: out/critic.json: duplicate key "x"'
