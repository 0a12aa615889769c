"""Pages in a real browser: the distribution's Chromium, driven through its chromedriver.

The service runs as `mupass-forum serve` (the smoke suite's server fixtures), the browser talks
to it over loopback only, at a phone's width (390 px) unless a test says otherwise. Without
Chromium the tests are skipped, except under ``CI=true``, where `.ci/run` installs it and a
missing browser fails the run. A failing test leaves a screenshot of what the browser showed,
named in the test's report.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from tests.conftest import needs_service
from tests.smoke.conftest import (  # noqa: F401 (fixtures used by the browser tests)
    server_database,
    server_env,
    smtp,
    start_server,
)

PHONE = (390, 844)
DESKTOP = (1280, 900)
#: Every browser of the running test, for the screenshots of a failure.
_browsers: list[tuple[str, webdriver.Chrome, Path]] = []


def _executable(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def new_browser(
    profile_dir: Path, size: tuple[int, int] = PHONE, accept_language: str = "en"
) -> webdriver.Chrome:
    chromium = _executable("chromium", "chromium-browser")
    driver = _executable("chromedriver")
    if chromium is None or driver is None:
        needs_service("Chromium", FileNotFoundError("install chromium and chromium-driver"))
    options = Options()
    options.binary_location = str(chromium)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        # This machine reaches no other host: no background traffic, no updates, no sync.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile_dir}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(argument)
    # The languages the browser asks for, as its owner set them.
    options.add_argument(f"--lang={accept_language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    if size == PHONE:
        # A headless window is at least 500 px wide; a phone's viewport is emulated instead.
        metrics = {"width": size[0], "height": size[1], "pixelRatio": 2.0, "touch": True}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    # The driver is the distribution's; Selenium must not look for one elsewhere.
    os.environ["SE_OFFLINE"] = "true"
    try:
        browser = webdriver.Chrome(service=Service(str(driver)), options=options)
    except WebDriverException as exc:
        needs_service("Chromium", exc)
    browser.set_page_load_timeout(30)
    return browser


@pytest.fixture
def open_browser(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``open_browser(name, size=PHONE, accept_language="de")``: a fresh browser profile each."""
    opened: list[webdriver.Chrome] = []

    def open_one(
        name: str = "browser", size: tuple[int, int] = PHONE, accept_language: str = "en"
    ) -> webdriver.Chrome:
        browser = new_browser(tmp_path / f"profile-{name}", size, accept_language)
        opened.append(browser)
        _browsers.append((name, browser, tmp_path))
        return browser

    yield open_one
    for browser in opened:
        browser.quit()
    _browsers.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for name, browser, directory in _browsers:
            try:
                path = directory / f"failure-{name}.png"
                browser.save_screenshot(str(path))
                report.sections.append((f"browser {name}", f"{browser.current_url}\n{path}"))
            except WebDriverException as exc:
                report.sections.append((f"browser {name}", f"no screenshot: {exc}"))
