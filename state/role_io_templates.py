#!/usr/bin/env python3
"""Compatibility entry point: `python state/role_io_templates.py --chapter-id ID [...]`.

Same as `state-runner templates ...`; kept so existing scripts and habits keep working.
"""

from __future__ import annotations

import sys

from _entry import main

if __name__ == "__main__":
    sys.exit(main(["templates", *sys.argv[1:]]))
