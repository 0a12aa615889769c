"""The page foundation in a real browser: language, switcher, sign-in redirect, no script."""

from __future__ import annotations

from selenium.webdriver.common.by import By


def test_a_page_speaks_the_language_asked_for_and_switches(start_server, open_browser):
    server = start_server()
    browser = open_browser("participant")

    browser.get(f"{server.url}/?lang=fr")

    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    switcher = browser.find_element(By.CSS_SELECTOR, "a[hreflang='es']")
    switcher.click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    # The page fits a phone: nothing wider than the screen.
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
