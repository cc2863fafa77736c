#!/usr/bin/env python3
"""Compatibility entry point: `python state/kernel.py --chapter-id ID [flags]`.

Same as `state-runner kernel ...`; kept so existing scripts and habits keep working.
"""

from __future__ import annotations

import sys

from _entry import main

if __name__ == "__main__":
    sys.exit(main(["kernel", *sys.argv[1:]]))
