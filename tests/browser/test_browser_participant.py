"""A French participant's way through the pages, in a real browser at a phone's width."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By

from tests.browser.journey import (
    announced_forum,
    board_admin,
    fill,
    heading,
    language,
    link_in_mail,
    move_forum,
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


def test_a_french_participant_goes_from_save_the_date_to_a_seat_with_her_consent(
    start_server, smtp, open_browser
):
    server = start_server()
    admin = board_admin(server, smtp)
    slug = announced_forum(server, admin)
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

    # Save the date: the forum's page leads to the interest form; the mail's link confirms.
    browser.get(f"{server.url}/forums/{slug}")
    browser.find_element(By.CSS_SELECTOR, f"a[href^='/forums/{slug}/interest']").click()
    fill(browser, given_name="Awa", family_name="Ndiaye", email=email, country="SN", locale="fr")
    submit(browser, f"/forums/{slug}/interest")
    confirm = link_in_mail(smtp, email, f"/forums/{slug}/interest/confirm")
    browser.get(confirm)
    assert language(browser) == "fr"
    submit(browser, f"/forums/{slug}/interest/confirm")

    # Registration opens: the invitation's link leads to the form, which gives a seat.
    move_forum(server, admin, slug, "registration_open")
    invitation = link_in_mail(smtp, email, f"/forums/{slug}/registration")
    browser.get(invitation)
    assert language(browser) == "fr"
    submit(browser, f"/forums/{slug}/registration")
    assert browser.find_element(By.CSS_SELECTOR, ".status").text == "Confirmée"
    assert browser.find_element(By.CSS_SELECTOR, ".badge").text

    # Photos yes, videos no: a yellow marker.
    browser.get(f"{server.url}/forums/{slug}/consent")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[id^='consent-photo']"):
        if not box.is_selected():
            box.click()
    submit(browser, f"/forums/{slug}/consent")
    marker = browser.find_element(By.CSS_SELECTOR, "#marker .marker")
    assert "yellow" in str(marker.get_attribute("class"))
