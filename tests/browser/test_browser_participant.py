"""A French participant's way through the pages, in a real browser at a phone's width."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.journey import (
    heading,
    language,
    new_address,
    sign_in,
    sign_up_and_verify,
)


def test_a_french_participant_signs_up_from_the_mail_and_signs_in(start_server, smtp, open_browser):
    server = start_server()
    browser = open_browser("awa")
    email = new_address("awa")
    password = "Sénégal, Thiès et les marchés publics durables"

    sign_up_and_verify(
        browser,
        server.url,
        smtp,
        name="Awa Ndiaye",
        email=email,
        password=password,
        locale="fr",
        timezone="Africa/Dakar",
    )
    sign_in(browser, server.url, email=email, password=password, next_path="/account")

    assert language(browser) == "fr"
    assert browser.current_url.endswith("/account")
    assert "Awa Ndiaye" in browser.find_element(By.TAG_NAME, "main").text
    assert heading(browser)
