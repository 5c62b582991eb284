"""Small helpers for driving the UI in Selenium: waiting, finding, typing, signing in."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD


def wait_for(driver: Any, condition: Any, timeout: float = 15) -> Any:
    """Poll `condition` until it holds. Elements replaced mid-navigation are retried: Selenium's
    stale-element error, and chromedriver's "Node with given id does not belong to the
    document", which comes as a plain WebDriverException and failed a test now and then."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    def polled(d: Any) -> Any:
        try:
            return condition(d)
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return False
            raise

    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=ignored).until(
        polled
    )


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def current_page(driver: Any) -> Any:
    """The page's <body data-page>, read in one script call (no element handle to go stale)."""
    return driver.execute_script("return document.body && document.body.dataset.page")


def page_is(driver: Any, page_id: str) -> None:
    wait_for(driver, lambda d: current_page(d) == page_id)


def keys(driver: Any, *sequence: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in sequence:
        chain.send_keys(key)
    chain.perform()


def type_note(browser: Any, text: str) -> None:
    """On a case page, opens the note field with "t" and types `text` into it."""
    keys(browser, "t")
    wait_for(browser, lambda d: d.switch_to.active_element.get_attribute("id") == "note")
    keys(browser, text)


def log_in(driver: Any, base: str, username: str, path: str = "/ui") -> None:
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(base + path)
    page_is(driver, "login")
    css(driver, "#username").send_keys(username)
    css(driver, "#password").send_keys(PASSWORD + Keys.ENTER)
    wait_for(driver, lambda d: current_page(d) not in (None, "login"))


def allow_downloads(driver: Any, folder: Any) -> None:
    """Downloads land in `folder` (headless Chromium otherwise drops them)."""
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(folder), "eventsEnabled": True},
    )


def downloaded(folder: Any, suffix: str, timeout: float = 15) -> Any:
    """The first finished download in `folder` whose name ends with `suffix`."""
    import time
    from pathlib import Path

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in Path(folder).iterdir() if p.name.endswith(suffix)]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} download in {folder}: {list(Path(folder).iterdir())}")
