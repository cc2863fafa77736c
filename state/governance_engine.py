#!/usr/bin/env python3
"""Compatibility entry point: `python state/governance_engine.py [--ledger P] COMMAND`.

Same as `state-runner governance ...`; kept so existing scripts and habits keep working.
"""

from __future__ import annotations

import sys

from _entry import main

if __name__ == "__main__":
    sys.exit(main(["governance", *sys.argv[1:]]))
