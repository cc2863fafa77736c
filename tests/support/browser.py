"""Debian's headless Chromium through its ChromeDriver, for tests of the report page.

`.ci/run` installs the `chromium` and `chromium-driver` packages; elsewhere a test skips, naming
them, unless `STATE_RUNNER_REQUIRE_BROWSER=1` (then it fails).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ENV_REQUIRE = "STATE_RUNNER_REQUIRE_BROWSER"


def require_browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    driver = shutil.which("chromedriver") or (
        CHROMEDRIVER if os.path.exists(CHROMEDRIVER) else None
    )
    if chromium and driver:
        return chromium, driver
    message = "Debian's chromium and chromium-driver are not installed (apt-get install them)"
    if os.environ.get(ENV_REQUIRE) == "1":
        pytest.fail(f"{message} ({ENV_REQUIRE}=1)", pytrace=False)
    pytest.skip(message)


@contextmanager
def headless_chromium(width: int = 1400, height: int = 1800) -> Iterator[Any]:
    """A WebDriver on a headless Chromium that keeps the page's console log; loopback only."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        f"--window-size={width},{height}", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
