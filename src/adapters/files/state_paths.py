"""Every `state/...` path of a workspace, named once (workspace-relative POSIX strings)."""

from __future__ import annotations

STATE_DIR = "state"
LEDGER = "state/ledger.json"
LEDGER_LOGS = "state/ledger"
REPO_LOG = "state/ledger/repo_iteration_log.jsonl"
METRICS = "state/metrics.json"
METRICS_LOGS = "state/metrics"
VERSION_MAP = "state/version_map.json"
JOURNAL = "state/journal.json"
RUN_LOCK = "state/kernel.lock"
ROLE_IO = "state/role_io"

STATE_FILES = (LEDGER, METRICS, VERSION_MAP)
LOG_DIRS = (LEDGER_LOGS, METRICS_LOGS)
