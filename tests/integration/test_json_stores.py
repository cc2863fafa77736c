"""JSON stores on a real file system: atomic writes, append-only logs, messages."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from state_runner.adapters.files.atomic import append_line, atomic_write_text, read_json, write_json
from state_runner.adapters.files.jsonl_log import LOG_TAIL
from state_runner.adapters.files.ledger_store import JsonLedgerStore
from state_runner.adapters.files.metrics_store import JsonMetricsStore
from state_runner.adapters.files.version_map_store import JsonVersionMapStore
from state_runner.domain.errors import KernelError

CID = "01-intro"
UNSAFE_IDS = ["", ".", "..", ".hidden", "a/b", "a\\b", "a\0b", "../escape"]


def compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def repo_entry(n: int) -> dict[str, Any]:
    return {"iteration": n, "outcome": {"status": "refine"}, "timestamp": f"t{n}"}


def chapter_entry(n: int) -> dict[str, Any]:
    return {"iteration": n, "critic_score": n / 1000, "planner_focus": ["## Thesis"]}


def write_raw(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture
def ledger_store(tmp_path: Path) -> JsonLedgerStore:
    write_raw(
        tmp_path / "state" / "ledger.json",
        {
            "version": 2,
            "chapters": {CID: {"iteration_log": [], "status": "active_refinement"}},
            "repo_iteration_log": [],
        },
    )
    return JsonLedgerStore(tmp_path)


# --- atomic.py --------------------------------------------------------------------------


def test_atomic_write_creates_parents_and_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.txt"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "second ünïcode\r\n")
    assert target.read_bytes() == "second ünïcode\r\n".encode()
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_atomic_write_keeps_the_permissions_of_the_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_atomic_write_keeps_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "ledger.json"
    target.write_text("old content\n", encoding="utf-8")

    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(KernelError) as caught:
        atomic_write_text(target, "new content\n")
    assert caught.value.message == (
        f"Cannot write {target}: No space left on device (free some disk space and run again)"
    )
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.json"]


def test_interrupted_atomic_write_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.txt"

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "text")
    assert list(tmp_path.iterdir()) == []


def test_append_line_appends_and_creates_parents(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "x.jsonl"
    append_line(log, '{"a":1}')
    append_line(log, '{"b":2}')
    assert log.read_text(encoding="utf-8") == '{"a":1}\n{"b":2}\n'


def test_append_line_rejects_newlines(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        append_line(tmp_path / "x.jsonl", "two\nlines")
    assert not (tmp_path / "x.jsonl").exists()


def test_append_line_starts_a_fresh_line_after_a_torn_append(tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    log.write_bytes(b'{"a":1}\n{"torn')
    append_line(log, '{"b":2}')
    assert log.read_bytes() == b'{"a":1}\n{"torn\n{"b":2}\n'


def test_write_json_format(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_json(target, {"b": [1, 2], "a": {"d": 1, "c": None}})
    expected = '{\n  "a": {\n    "c": null,\n    "d": 1\n  },\n  "b": [\n    1,\n    2\n  ]\n}\n'
    assert target.read_text(encoding="utf-8") == expected
    assert read_json(target, tmp_path) == {"a": {"c": None, "d": 1}, "b": [1, 2]}


def test_write_json_refuses_unserialisable_data_and_keeps_the_file(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_json(target, {"ok": True})
    with pytest.raises(KernelError, match=r"^Cannot serialise JSON for "):
        write_json(target, {"bad": object()})
    assert read_json(target, tmp_path) == {"ok": True}
    assert leftovers(tmp_path) == []


def test_read_json_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(KernelError) as caught:
        read_json(path, tmp_path)
    assert caught.value.message == f"Missing JSON file: {path}"


def test_read_json_invalid(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"a": ', encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads('{"a": ')
    with pytest.raises(KernelError) as caught:
        read_json(path, tmp_path)
    assert caught.value.message == f"Invalid JSON: {path}: {expected.value}"


def test_read_json_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"a": "café"}'.encode("latin-1"))
    with pytest.raises(KernelError) as caught:
        read_json(path, tmp_path)
    assert caught.value.message == f"Invalid JSON: {path}: not UTF-8 text"


def test_read_json_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"a": 1}')
    assert read_json(path, tmp_path) == {"a": 1}


# --- ledger store: loading --------------------------------------------------------------


def test_ledger_display_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = JsonLedgerStore(Path("."))
    assert store.display() == str(tmp_path.absolute() / "state" / "ledger.json")


def test_ledger_missing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.json"
    with pytest.raises(KernelError) as caught:
        JsonLedgerStore(tmp_path).load()
    assert caught.value.message == f"Missing JSON file: {path}"


def test_ledger_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.json"
    path.parent.mkdir()
    path.write_text("{,}", encoding="utf-8")
    with pytest.raises(KernelError) as caught:
        JsonLedgerStore(tmp_path).load()
    assert caught.value.message.startswith(f"Invalid JSON: {path}: Expecting property name")


@pytest.mark.parametrize("data", [[], "x", 3, None])
def test_ledger_top_level_must_be_an_object(tmp_path: Path, data: Any) -> None:
    path = tmp_path / "state" / "ledger.json"
    write_raw(path, data)
    with pytest.raises(KernelError) as caught:
        JsonLedgerStore(tmp_path).load()
    assert caught.value.message == f"Invalid ledger: {path}: top level must be a JSON object"


def test_ledger_save_round_trips(ledger_store: JsonLedgerStore) -> None:
    ledger = ledger_store.load()
    ledger["chapters"][CID]["status"] = "hold"
    ledger_store.save(ledger)
    assert ledger_store.load() == ledger
    assert ledger_store.path.read_text(encoding="utf-8").endswith("}\n")


# --- ledger store: append-only logs -----------------------------------------------------


def test_120_appends_keep_a_tail_of_50_and_the_full_log(ledger_store: JsonLedgerStore) -> None:
    assert LOG_TAIL == 50
    for n in range(1, 121):
        ledger = ledger_store.load()
        ledger_store.append_chapter_log(ledger, CID, chapter_entry(n))
        ledger_store.append_repo_log(ledger, repo_entry(n))
        ledger_store.save(ledger)
    saved = json.loads(ledger_store.path.read_text(encoding="utf-8"))
    assert saved["repo_iteration_log"] == [repo_entry(n) for n in range(71, 121)]
    assert saved["chapters"][CID]["iteration_log"] == [chapter_entry(n) for n in range(71, 121)]
    repo_log = ledger_store.log_dir / "repo_iteration_log.jsonl"
    chapter_log = ledger_store.log_dir / "chapters" / f"{CID}.jsonl"
    assert jsonl(repo_log) == [repo_entry(n) for n in range(1, 121)]
    assert jsonl(chapter_log) == [chapter_entry(n) for n in range(1, 121)]
    assert ledger_store.read_repo_log() == [repo_entry(n) for n in range(1, 121)]
    assert ledger_store.read_chapter_log(CID) == [chapter_entry(n) for n in range(1, 121)]
    assert leftovers(ledger_store.path.parent) == []


def test_log_lines_are_compact_sorted_json(ledger_store: JsonLedgerStore) -> None:
    ledger = ledger_store.load()
    entry = {"z": 1, "a": {"y": "multi\nline", "b": [1.5, None]}}
    ledger_store.append_repo_log(ledger, entry)
    text = (ledger_store.log_dir / "repo_iteration_log.jsonl").read_text(encoding="utf-8")
    assert text == compact(entry) + "\n"
    assert text == '{"a":{"b":[1.5,null],"y":"multi\\nline"},"z":1}\n'


def test_the_in_memory_tail_is_a_copy_of_what_was_logged(ledger_store: JsonLedgerStore) -> None:
    ledger = ledger_store.load()
    entry = repo_entry(1)
    ledger_store.append_repo_log(ledger, entry)
    entry["outcome"]["status"] = "changed later"
    assert ledger["repo_iteration_log"] == [repo_entry(1)]


def test_missing_log_lists_are_created(tmp_path: Path) -> None:
    write_raw(tmp_path / "state" / "ledger.json", {"chapters": {CID: {}}})
    store = JsonLedgerStore(tmp_path)
    ledger = store.load()
    store.append_repo_log(ledger, repo_entry(1))
    store.append_chapter_log(ledger, CID, chapter_entry(1))
    assert ledger["repo_iteration_log"] == [repo_entry(1)]
    assert ledger["chapters"][CID]["iteration_log"] == [chapter_entry(1)]


def inline_ledger(tmp_path: Path, count: int) -> JsonLedgerStore:
    write_raw(
        tmp_path / "state" / "ledger.json",
        {
            "version": 2,
            "chapters": {
                CID: {"iteration_log": [chapter_entry(n) for n in range(1, count + 1)]},
                "02-other": {"iteration_log": [chapter_entry(0)]},
            },
            "repo_iteration_log": [repo_entry(n) for n in range(1, count + 1)],
        },
    )
    return JsonLedgerStore(tmp_path)


def test_inline_ledger_is_read_as_is(tmp_path: Path) -> None:
    store = inline_ledger(tmp_path, 70)
    assert len(store.load()["repo_iteration_log"]) == 70
    assert store.read_repo_log() == [repo_entry(n) for n in range(1, 71)]
    assert store.read_chapter_log(CID) == [chapter_entry(n) for n in range(1, 71)]
    assert not store.log_dir.exists()


def test_inline_ledger_is_converted_on_the_first_append(tmp_path: Path) -> None:
    store = inline_ledger(tmp_path, 70)
    ledger = store.load()
    store.append_repo_log(ledger, repo_entry(71))
    store.append_chapter_log(ledger, CID, chapter_entry(71))
    store.save(ledger)

    assert jsonl(store.log_dir / "repo_iteration_log.jsonl") == [
        repo_entry(n) for n in range(1, 72)
    ]
    assert jsonl(store.log_dir / "chapters" / f"{CID}.jsonl") == [
        chapter_entry(n) for n in range(1, 72)
    ]
    saved = store.load()
    assert saved["repo_iteration_log"] == [repo_entry(n) for n in range(22, 72)]
    assert saved["chapters"][CID]["iteration_log"] == [chapter_entry(n) for n in range(22, 72)]
    assert saved["chapters"]["02-other"]["iteration_log"] == [chapter_entry(0)]
    assert not (store.log_dir / "chapters" / "02-other.jsonl").exists()
    assert store.read_chapter_log("02-other") == [chapter_entry(0)]
    assert leftovers(tmp_path) == []


def test_inline_tail_stays_a_suffix_of_the_log(tmp_path: Path) -> None:
    store = inline_ledger(tmp_path, 70)
    for n in range(71, 80):
        ledger = store.load()
        store.append_repo_log(ledger, repo_entry(n))
        store.save(ledger)
    tail = store.load()["repo_iteration_log"]
    full = store.read_repo_log()
    assert full == [repo_entry(n) for n in range(1, 80)]
    assert full[-len(tail) :] == tail


def test_an_unsaved_conversion_loses_no_history(tmp_path: Path) -> None:
    """A crash after the log append but before `save` keeps every entry in the log."""
    store = inline_ledger(tmp_path, 70)
    store.append_repo_log(store.load(), repo_entry(71))
    ledger = store.load()
    store.append_repo_log(ledger, repo_entry(72))
    store.save(ledger)
    assert store.read_repo_log() == [repo_entry(n) for n in range(1, 73)]


def test_append_never_reads_the_log_file(ledger_store: JsonLedgerStore) -> None:
    ledger = ledger_store.load()
    ledger_store.append_repo_log(ledger, repo_entry(1))
    log = ledger_store.log_dir / "repo_iteration_log.jsonl"
    log.write_bytes(b"\xff not json at all\n")
    ledger_store.append_repo_log(ledger, repo_entry(2))
    assert log.read_bytes() == b"\xff not json at all\n" + compact(repo_entry(2)).encode() + b"\n"


def test_reading_a_corrupt_log_names_the_line(ledger_store: JsonLedgerStore) -> None:
    log = ledger_store.log_dir / "repo_iteration_log.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text('{"iteration":1}\n\n[1]\n', encoding="utf-8")
    with pytest.raises(KernelError) as caught:
        ledger_store.read_repo_log()
    assert caught.value.message == f"Invalid log entry: {log}:3: must be a JSON object"
    log.write_text('{"iteration":1}\n{"torn', encoding="utf-8")
    with pytest.raises(KernelError, match=r"^Invalid JSON: .*repo_iteration_log\.jsonl:2: "):
        ledger_store.read_repo_log()


def test_append_to_an_unknown_chapter(ledger_store: JsonLedgerStore) -> None:
    with pytest.raises(KernelError) as caught:
        ledger_store.append_chapter_log(ledger_store.load(), "99-nope", chapter_entry(1))
    assert caught.value.message == "Unknown chapter_id: 99-nope"
    with pytest.raises(KernelError, match=r"^Unknown chapter_id: 99-nope$"):
        ledger_store.read_chapter_log("99-nope")


@pytest.mark.parametrize(
    ("ledger", "problem"),
    [
        ({"repo_iteration_log": {}}, "repo_iteration_log must be a list"),
        ({"chapters": []}, "chapters must be a JSON object"),
        ({"chapters": {CID: "x"}}, f"chapters.{CID} must be a JSON object"),
        ({"chapters": {CID: {"iteration_log": 5}}}, f"chapters.{CID}.iteration_log must be a list"),
    ],
)
def test_malformed_log_owners(tmp_path: Path, ledger: dict[str, Any], problem: str) -> None:
    store = JsonLedgerStore(tmp_path)
    append = (
        store.append_repo_log
        if "repo" in problem
        else lambda led, entry: store.append_chapter_log(led, CID, entry)
    )
    with pytest.raises(KernelError) as caught:
        append(ledger, repo_entry(1))
    assert caught.value.message == f"Invalid ledger: {store.path}: {problem}"
    assert not store.log_dir.exists()


def test_inline_log_entries_must_be_objects(tmp_path: Path) -> None:
    write_raw(tmp_path / "state" / "ledger.json", {"repo_iteration_log": [{}, 3]})
    store = JsonLedgerStore(tmp_path)
    with pytest.raises(KernelError) as caught:
        store.read_repo_log()
    assert caught.value.message == (
        f"Invalid ledger: {store.path}: repo_iteration_log[1] must be a JSON object"
    )


@pytest.mark.parametrize("chapter_id", UNSAFE_IDS)
def test_unsafe_chapter_ids_are_rejected(tmp_path: Path, chapter_id: str) -> None:
    write_raw(tmp_path / "state" / "ledger.json", {"chapters": {chapter_id: {}}})
    ledger_store = JsonLedgerStore(tmp_path)
    metrics_store = JsonMetricsStore(tmp_path)
    message = f"Unsafe chapter id for a file name: {chapter_id!r}"
    ledger = ledger_store.load()
    for action in (
        lambda: ledger_store.append_chapter_log(ledger, chapter_id, chapter_entry(1)),
        lambda: ledger_store.read_chapter_log(chapter_id),
        lambda: metrics_store.append_history(chapter_id, {"iteration": 1}),
        lambda: metrics_store.read_history(chapter_id),
    ):
        with pytest.raises(KernelError) as caught:
            action()
        assert caught.value.message == message
    assert ledger == {"chapters": {chapter_id: {}}}
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["ledger.json"]


@pytest.mark.parametrize("chapter_id", ["01-intro", "ch 2", "a..b", "é", "x.md"])
def test_ordinary_chapter_ids_are_accepted(tmp_path: Path, chapter_id: str) -> None:
    store = JsonMetricsStore(tmp_path)
    store.append_history(chapter_id, {"iteration": 1})
    assert (tmp_path / "state" / "metrics" / f"{chapter_id}.jsonl").exists()


# --- metrics store ----------------------------------------------------------------------


def metrics_entry(n: int) -> dict[str, Any]:
    return {"iteration": n, "timestamp": f"t{n}", "deterministic": {"passed": n % 2 == 0}}


def test_metrics_are_created_when_missing(tmp_path: Path) -> None:
    store = JsonMetricsStore(tmp_path)
    store.check()
    store.append_history(CID, metrics_entry(1))
    assert read_json(store.path, tmp_path) == {"chapters": {CID: {"history": [metrics_entry(1)]}}}
    assert jsonl(store.history_dir / f"{CID}.jsonl") == [metrics_entry(1)]
    assert store.display() == str(tmp_path / "state" / "metrics.json")


def test_120_metrics_appends_keep_a_tail_of_50(tmp_path: Path) -> None:
    store = JsonMetricsStore(tmp_path)
    for n in range(1, 121):
        store.append_history(CID, metrics_entry(n))
    saved = read_json(store.path, tmp_path)
    assert saved["chapters"][CID]["history"] == [metrics_entry(n) for n in range(71, 121)]
    assert jsonl(store.history_dir / f"{CID}.jsonl") == [metrics_entry(n) for n in range(1, 121)]
    assert store.read_history(CID) == [metrics_entry(n) for n in range(1, 121)]
    assert leftovers(tmp_path) == []


def test_inline_metrics_are_converted_on_the_first_append(tmp_path: Path) -> None:
    store = JsonMetricsStore(tmp_path)
    write_raw(
        store.path,
        {
            "chapters": {
                CID: {"history": [metrics_entry(n) for n in range(1, 71)], "extra": "kept"},
                "02-other": {"history": [metrics_entry(0)]},
            },
            "note": "kept",
        },
    )
    assert store.read_history(CID) == [metrics_entry(n) for n in range(1, 71)]
    store.append_history(CID, metrics_entry(71))
    assert jsonl(store.history_dir / f"{CID}.jsonl") == [metrics_entry(n) for n in range(1, 72)]
    saved = read_json(store.path, tmp_path)
    assert saved["chapters"][CID] == {
        "history": [metrics_entry(n) for n in range(22, 72)],
        "extra": "kept",
    }
    assert saved["chapters"]["02-other"] == {"history": [metrics_entry(0)]}
    assert saved["note"] == "kept"
    assert store.read_history("02-other") == [metrics_entry(0)]
    assert store.read_history("03-none") == []


def test_metrics_check_invalid_json(tmp_path: Path) -> None:
    store = JsonMetricsStore(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("nope", encoding="utf-8")
    with pytest.raises(KernelError, match=r"^Invalid JSON: .*metrics\.json: Expecting value"):
        store.check()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "top level must be a JSON object"),
        ({"chapters": []}, "chapters must be a JSON object"),
        ({"chapters": {CID: 1}}, f"chapters.{CID} must be a JSON object"),
        ({"chapters": {CID: {"history": {}}}}, f"chapters.{CID}.history must be a list"),
    ],
)
def test_metrics_check_reports_unusable_files(tmp_path: Path, data: Any, problem: str) -> None:
    store = JsonMetricsStore(tmp_path)
    write_raw(store.path, data)
    expected = f"Invalid metrics: {store.path}: {problem}"
    with pytest.raises(KernelError) as caught:
        store.check()
    assert caught.value.message == expected
    with pytest.raises(KernelError) as caught:
        store.append_history(CID, metrics_entry(1))
    assert caught.value.message == expected
    assert not store.history_dir.exists()


def test_metrics_check_accepts_a_file_without_chapters(tmp_path: Path) -> None:
    store = JsonMetricsStore(tmp_path)
    write_raw(store.path, {})
    store.check()
    store.append_history(CID, metrics_entry(1))
    assert read_json(store.path, tmp_path) == {"chapters": {CID: {"history": [metrics_entry(1)]}}}


# --- version map ------------------------------------------------------------------------


def test_version_map_record_creates_and_updates(tmp_path: Path) -> None:
    store = JsonVersionMapStore(tmp_path)
    store.record(CID, "abc123", "2024-01-01T00:00:00Z")
    assert read_json(store.path, tmp_path) == {
        "chapters": {CID: "abc123"},
        "generated_at": "2024-01-01T00:00:00Z",
    }
    store.record("02-next", None, "2024-01-02T00:00:00Z")
    store.record(CID, "def456", "2024-01-03T00:00:00Z")
    assert read_json(store.path, tmp_path) == {
        "chapters": {CID: "def456", "02-next": None},
        "generated_at": "2024-01-03T00:00:00Z",
    }
    assert store.display() == str(tmp_path / "state" / "version_map.json")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1], "top level must be a JSON object"),
        ({"chapters": "x"}, "chapters must be a JSON object"),
    ],
)
def test_version_map_rejects_unusable_files(tmp_path: Path, data: Any, problem: str) -> None:
    store = JsonVersionMapStore(tmp_path)
    write_raw(store.path, data)
    with pytest.raises(KernelError) as caught:
        store.record(CID, "abc", "t")
    assert caught.value.message == f"Invalid version map: {store.path}: {problem}"
    assert json.loads(store.path.read_text(encoding="utf-8")) == data
