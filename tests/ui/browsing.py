"""Small helpers for driving the UI in Selenium: waiting, finding, typing, signing in."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD


def wait_for(driver: Any, condition: Any, timeout: float = 15, *, ignore: Any = ()) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (StaleElementReferenceException, NoSuchElementException, *ignore)
    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=ignored).until(
        condition
    )


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def page_is(driver: Any, page_id: str) -> None:
    """Wait for the page whose <body data-page> is `page_id`. Read in one script call, and
    any driver error ignored while polling: mid-navigation chromedriver may report the old
    body as "Node with given id does not belong to the document" (a plain WebDriverException,
    not a stale-element one), which made a keyboard test fail now and then under load."""
    from selenium.common.exceptions import WebDriverException

    wait_for(
        driver,
        lambda d: d.execute_script("return document.body && document.body.dataset.page") == page_id,
        ignore=(WebDriverException,),
    )


def keys(driver: Any, *sequence: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in sequence:
        chain.send_keys(key)
    chain.perform()


def log_in(driver: Any, base: str, username: str, path: str = "/ui") -> None:
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(base + path)
    page_is(driver, "login")
    css(driver, "#username").send_keys(username)
    css(driver, "#password").send_keys(PASSWORD + Keys.ENTER)
    wait_for(
        driver, lambda d: d.find_element("tag name", "body").get_attribute("data-page") != "login"
    )
