"""The forums' pages: the list, a forum with its programme, interest, registration, consent
and proposals, each opened from the links the service mails."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mupass_forum.accounts.authentication import SESSION_COOKIE
from tests.pages.html import page_of
from tests.registrations.conftest import add_item


def sign_in(browser, account) -> None:
    """The browser holds the account's session cookie, as after signing in on a page."""
    browser.cookies.set(SESSION_COOKIE, account.token or "")


def link_in(message, path_pattern: str) -> str:
    """The path and query of the first link in a mail's text whose path matches."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https?://[^\s\"<>]*{path_pattern}[^\s\"<>]*", text)
    assert found, text
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# The forum list and a forum's page ------------------------------------------------------------


def test_the_start_page_leads_to_the_forum_list(browser):
    page = page_of(browser.get("/?lang=en"))

    assert page.find("main").find("a", href="/forums").text == "See the forums"


def test_the_forum_list_shows_upcoming_and_past_forums(browser, make_forum):
    upcoming = make_forum(status="announced", title={"en": "Upcoming forum", "fr": "Forum à venir"})
    past = make_forum(
        status="announced",
        title={"en": "Past forum"},
        starts_at="2020-10-28T09:00:00",
        ends_at="2020-10-30T17:00:00",
    )
    draft = make_forum()

    response = browser.get("/forums?lang=fr")

    assert response.status_code == 200
    page = page_of(response)
    assert page.find("h1").text == "Forums"
    lists = page.find("main").find_all("ul", class_="forums")
    upcoming_links = [a["href"] for a in lists[0].find_all("a")]
    past_links = [a["href"] for a in lists[1].find_all("a")]
    assert f"/forums/{upcoming.slug}" in upcoming_links
    assert f"/forums/{past.slug}" in past_links
    assert f"/forums/{draft.slug}" not in upcoming_links + past_links
    assert page.find("a", href=f"/forums/{upcoming.slug}").text == "Forum à venir"


def test_a_forum_page_shows_its_programme_by_day_in_the_readers_time_zone(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open", title={"en": "Programme forum"})
    add_item(
        browser,
        forum,
        kind="plenary",
        title={"en": "Opening", "es": "Apertura"},
        starts_at="2030-10-28T09:30:00",
        ends_at="2030-10-28T10:30:00",
    )
    add_item(
        browser,
        forum,
        title={"en": "Green buying"},
        starts_at="2030-10-29T14:00:00",
        ends_at="2030-10-29T15:30:00",
    )
    reader = make_account(timezone="America/Bogota")
    sign_in(browser, reader)

    response = browser.get(f"/forums/{forum.slug}?lang=es", headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert response.headers["content-language"] == "es"
    page = page_of(response)
    main = page.find("main")
    assert main.find("h1").text == "Programme forum"
    days = [h3.text for h3 in main.find("section", aria_labelledby="programme").find_all("h3")]
    assert days == ["lunes, 28 de octubre de 2030", "martes, 29 de octubre de 2030"]
    # 09:30 in Bonn is 03:30 in Bogotá, and the page says so.
    first = main.find("ol", class_="programme").find("li")
    assert first.find("p", class_="time").text.startswith("3:30–4:30")
    assert "Apertura" in first.text
    assert "Colombia" in main.text
    calendar = main.find("a", class_="calendar")
    assert calendar["href"] == f"/api/v1/forums/{forum.slug}/calendar.ics?lang=es"
    assert browser.get(calendar["href"]).status_code == 200
    assert main.find("a", href=f"/forums/{forum.slug}/registration")


def test_a_forum_page_prints_without_navigation_and_stays_small(browser, make_forum):
    forum = make_forum(status="registration_open")
    for day in (28, 29, 30):
        add_item(
            browser,
            forum,
            starts_at=f"2030-10-{day}T10:00:00",
            ends_at=f"2030-10-{day}T11:00:00",
        )

    response = browser.get(f"/forums/{forum.slug}?lang=de")
    page = page_of(response)
    css = browser.get(page.find("link", rel="stylesheet")["href"])

    print_rules = css.text[css.text.index("@media print") :]
    assert re.search(r"header\.site[^{]*\{\s*display:\s*none", print_rules)
    assert page.find("section", aria_labelledby="take-part")["class"] == "no-print"
    assert ".no-print" in print_rules
    assert len(response.content) + len(css.content) < 60 * 1024


def test_a_draft_forum_is_not_found(browser, make_forum):
    draft = make_forum()

    response = browser.get(f"/forums/{draft.slug}?lang=de")

    assert response.status_code == 404
    assert page_of(response).find("h1").text == "Nicht gefunden"
