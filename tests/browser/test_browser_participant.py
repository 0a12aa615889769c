"""A French participant's way through the pages, in a real browser at a phone's width."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By

from tests.browser.journey import (
    board_admin,
    fill,
    heading,
    language,
    new_address,
    public_thread,
    sign_in,
    sign_up_and_verify,
    submit,
    wait_for_text,
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


def test_a_reply_from_someone_else_arrives_without_reloading(start_server, smtp, open_browser):
    server = start_server()
    admin = board_admin(server, smtp)
    thread = public_thread(server, admin, title="Repas scolaires bio", language="fr")
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
    sign_in(browser, server.url, email=email, password=password)

    browser.get(f"{server.url}/board/threads/{thread['id']}")
    fill(browser, body="À Thiès, nous exigeons 30 % de produits locaux.")
    submit(browser, f"/board/threads/{thread['id']}/posts")
    wait_for_text(browser, "30 % de produits locaux")
    # The page is left as it is; someone else answers through the API meanwhile.
    page = browser.find_element(By.TAG_NAME, "html")
    reply = httpx.post(
        f"{server.url}/api/v1/board/threads/{thread['id']}/posts",
        json={"body": "Merci ! Comment le vérifiez-vous ?", "language": "fr"},
        headers=admin,
        timeout=10,
    )
    assert reply.status_code == 201, reply.text

    wait_for_text(browser, "Comment le vérifiez-vous")
    assert page == browser.find_element(By.TAG_NAME, "html"), "the page was reloaded"
