"""Who reaches the desk: those who edit a forum; everyone else a sign-in, a 403 or a 404."""

from __future__ import annotations

import pytest

from tests.desk.conftest import sign_in
from tests.pages.html import page_of
from tests.registrations.conftest import register

EDITORS = ("organizer", "lead_admin", "platform_admin")
OUTSIDERS = ("participant", "other_admin", "moderator", "photographer")


def test_signed_out_people_are_sent_to_sign_in(browser, make_forum):
    forum = make_forum(status="announced")

    for path in ("/desk", f"/desk/forums/{forum.slug}"):
        response = browser.get(path, follow_redirects=False)

        assert response.status_code == 303
        assert (
            response.headers["location"]
            == f"/account/sign-in?next=%2Fdesk{path[5:].replace('/', '%2F')}"
        )


@pytest.mark.parametrize("role", EDITORS)
def test_those_who_edit_a_forum_find_it_on_the_desk(browser, make_forum, make_role, role):
    forum = make_forum(status="announced", title={"en": "Desk forum", "de": "Schreibtischforum"})
    sign_in(browser, make_role(forum, role))

    response = browser.get("/desk?lang=de")

    assert response.status_code == 200
    page = page_of(response)
    assert page.find("h1").text == "Schreibtisch"
    link = page.find("main").find("a", href=f"/desk/forums/{forum.slug}")
    assert link.text == "Schreibtischforum"


@pytest.mark.parametrize("role", ["participant", "moderator", "photographer"])
def test_people_who_edit_no_forum_get_a_403_page(browser, make_forum, make_role, role):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, role))

    response = browser.get("/desk?lang=fr")

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "organisateurs" in page_of(response).find("main").text


def test_an_institutes_admin_without_forums_finds_only_the_new_forum_form(
    browser, make_forum, make_role
):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, "other_admin"))

    page = page_of(browser.get("/desk?lang=en"))

    links = [a["href"] for a in page.find("main").find_all("a")]
    assert links == ["/desk/forums/new", "/desk/notifications"]
    assert "You do not organize any forum yet." in page.find("main").text


def test_a_partner_institutes_admin_edits_the_forum(
    browser, make_forum, make_account, make_organization
):
    partner = make_organization()["id"]
    forum = make_forum(status="announced", partner_organization_ids=[partner])
    sign_in(browser, make_account(organizations={partner: "admin"}))

    assert browser.get(f"/desk/forums/{forum.slug}").status_code == 200
    links = [a["href"] for a in page_of(browser.get("/desk")).find("main").find_all("a")]
    assert f"/desk/forums/{forum.slug}" in links


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("status", ["draft", "announced"])
def test_a_forums_desk_is_a_404_to_everyone_else(browser, make_forum, make_role, role, status):
    forum = make_forum(status=status)
    sign_in(browser, make_role(forum, role))

    response = browser.get(f"/desk/forums/{forum.slug}")

    assert response.status_code == 404
    assert page_of(response).find("h1").text


def test_the_desk_lists_only_the_forums_one_edits(browser, make_forum, make_role):
    mine = make_forum()
    other = make_forum(status="announced")
    sign_in(browser, make_role(mine, "organizer"))

    links = [a["href"] for a in page_of(browser.get("/desk")).find("main").find_all("a")]

    assert f"/desk/forums/{mine.slug}" in links
    assert f"/desk/forums/{other.slug}" not in links


@pytest.mark.parametrize("role", EDITORS)
def test_the_overview_counts_interest_and_registrations(
    browser, client, make_forum, make_role, make_person, role
):
    forum = make_forum(status="registration_open", capacity=1)
    register(client, forum, make_person(country="GH"))
    register(client, forum, make_person(country="BR"))
    sign_in(browser, make_role(forum, role))

    response = browser.get(f"/desk/forums/{forum.slug}?lang=en")

    assert response.status_code == 200
    page = page_of(response)
    assert page.find("div", id="seats").find("dd").text == "1 of 1"
    assert page.find("div", id="status-confirmed").find("dd").text == "1"
    assert page.find("div", id="status-waitlisted").find("dd").text == "1"
    assert page.find("div", id="interest").find("dd").text == "0"
    nav = page.find("nav", class_="desk")
    assert nav.find("a", href=f"/desk/forums/{forum.slug}")["aria-current"] == "page"
    # The desk's own entries first; the parts of the desk (``desk/<part>/nav.html``) follow.
    entries = [a["href"] for a in nav.find_all("a")][1:]
    assert entries[:4] == [
        f"/desk/forums/{forum.slug}{tail}"
        for tail in ("", "/interest", "/waiting-list", "/balance")
    ]
    parts = {"/registrations", "/door", "/photos", "/mail", "/documents", "/programme"}
    assert {f"/desk/forums/{forum.slug}{tail}" for tail in parts} <= set(entries[4:])
