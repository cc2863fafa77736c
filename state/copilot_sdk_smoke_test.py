#!/usr/bin/env python3
"""Setup check: `python state/copilot_sdk_smoke_test.py --mode live|offline [flags]`.

Same as `state-runner doctor ...`: one tiny plain chat through the Copilot adapter, one line per
step, exit 0 when every step holds and 3 otherwise. `--mode live` uses your own settings and
account; `--mode offline` runs against loopback fakes of GitHub, the Copilot API and a BYOK
server (from the shipped test kit, `state_runner_contract.servers`), so it needs no account and
no network.
"""

from __future__ import annotations

import sys

from _entry import main

if __name__ == "__main__":
    sys.exit(main(["doctor", *sys.argv[1:]]))
