"""An organizer's mail opens its page in the mail's language, whatever the browser prefers."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By

from tests.browser.conftest import DESKTOP
from tests.browser.journey import language, link_in_mail, new_address
from tests.smoke.conftest import run_command


def test_a_spanish_organizers_mail_link_opens_in_spanish_in_a_german_browser(
    start_server, smtp, open_browser
):
    server = start_server()
    email = new_address("lucia")
    signed_up = httpx.post(
        f"{server.url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": "Cochabamba compra pública sostenible",
            "display_name": "Lucía Mamani",
            "locale": "es",
            "timezone": "America/La_Paz",
        },
        timeout=10,
    )
    assert signed_up.status_code == 202, signed_up.text
    # She runs the platform's forums: an admin, promoted on the command line.
    assert run_command("create-admin", email, env=server.env).returncode == 0
    asked = httpx.post(
        f"{server.url}/api/v1/auth/password-reset", json={"email": email}, timeout=10
    )
    assert asked.status_code == 202, asked.text

    browser = open_browser("lucia", size=DESKTOP, accept_language="de")
    browser.get(f"{server.url}/")
    assert language(browser) == "de"
    browser.get(link_in_mail(smtp, email, "/account/reset-password"))

    assert language(browser) == "es"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Elija una contraseña nueva"
