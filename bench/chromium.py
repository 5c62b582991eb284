"""Headless Chromium from Debian's `chromium` and `chromium-driver`, the way the browser tests
and the keyboard bench both drive it (one set of flags, so a Chromium upgrade is fixed once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def installed() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def headless_chromium(profile_dir: Path | str) -> Any:
    """A driver at 1280x800 with its own profile, pages given 30 s to load."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,800",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    return driver
