"""Mails to those who run a forum: a registration awaiting approval, a proposal, a flagged
post; each in the reader's language, each switched off on the desk's page."""

from __future__ import annotations

import pytest

from tests.board import conftest as board_fixtures
from tests.board.conftest import BOARD, outbox
from tests.desk.conftest import sign_in
from tests.pages.conftest import submit
from tests.pages.html import form_fields, page_of
from tests.proposals.test_proposals import propose
from tests.registrations.conftest import register, set_registration_settings

board_admin = board_fixtures.board_admin
make_category = board_fixtures.make_category
make_thread = board_fixtures.make_thread
reply = board_fixtures.reply

PENDING = "outreach.organizer_pending_registration"
PROPOSAL = "outreach.organizer_proposal_received"
FLAGGED = "outreach.organizer_post_flagged"


def mails_of(client, account, template: str) -> list[dict]:
    return [mail for mail in outbox(client, account.email) if mail["template"] == template]


def speaking(client, account, locale: str):
    changed = client.patch("/api/v1/me", json={"locale": locale}, headers=account.headers)
    assert changed.status_code == 200, changed.text
    return account


@pytest.fixture
def approval_forum(client, make_forum, make_role):
    """A forum whose registrations await approval, with an organizer reading German and the
    lead institute's admin reading French."""
    forum = make_forum(status="registration_open")
    set_registration_settings(client, forum, requires_approval=True)
    organizer = speaking(client, make_role(forum, "organizer"), "de")
    speaking(client, forum.admin, "fr")
    return forum, organizer


def test_a_registration_awaiting_approval_is_told_to_each_organizer_in_their_language(
    client, approval_forum, make_person, make_role
):
    forum, organizer = approval_forum
    moderator = make_role(forum, "moderator")
    person = make_person(display_name="Kwame Mensah")

    registration = register(client, forum, person)

    [german] = mails_of(client, organizer, PENDING)
    [french] = mails_of(client, forum.admin, PENDING)
    assert german["locale"] == "de" and "Kwame Mensah" in german["subject"]
    assert "wartet auf Ihre Zulassung" in german["subject"]
    assert french["locale"] == "fr" and "attend votre accord" in french["subject"]
    assert (
        f"/desk/forums/{forum.slug}/registrations/{registration['id']}?lang=de" in (german["text"])
    )
    assert "/desk/notifications?lang=de" in german["text"]
    # Nobody else: not the moderator, not the person who registered.
    assert mails_of(client, moderator, PENDING) == []
    assert mails_of(client, person, PENDING) == []


def test_a_registration_that_gets_a_seat_at_once_is_no_news(client, make_forum, make_person):
    forum = make_forum(status="registration_open")

    register(client, forum, make_person())

    assert mails_of(client, forum.admin, PENDING) == []


def test_a_proposal_is_told_to_the_organizers(client, make_forum, make_person, make_role):
    forum = make_forum(status="registration_open")
    organizer = speaking(client, make_role(forum, "organizer"), "es")
    author = make_person(display_name="Ana Pérez")
    register(client, forum, author)

    made = propose(client, forum, author)

    assert made.status_code == 201, made.text
    [mail] = mails_of(client, organizer, PROPOSAL)
    assert mail["locale"] == "es" and "Ana Pérez" in mail["subject"]
    assert f"/forums/{forum.slug}/proposals/{made.json()['id']}?lang=es" in mail["text"]


def test_a_flagged_post_is_told_to_those_who_run_the_categorys_forum(
    client, make_forum, make_role, make_account, make_category, make_thread, reply
):
    forum = make_forum(status="announced")
    organizer = speaking(client, make_role(forum, "organizer"), "fr")
    elsewhere = make_forum(status="announced")
    author, flagger = make_account(), make_account()
    ours = reply(author, make_thread(author, make_category(forum_id=forum.id)), "Spam")
    theirs = reply(author, make_thread(author, make_category()), "Spam")

    for post in (ours, theirs):
        flagged = client.post(
            f"{BOARD}/posts/{post['id']}/flags", json={"reason": "spam"}, headers=flagger.headers
        )
        assert flagged.status_code == 202, flagged.text

    [mail] = mails_of(client, organizer, FLAGGED)
    assert mail["locale"] == "fr" and "signalé" in mail["subject"]
    assert f"/board/threads/{ours['thread_id']}?around={ours['id']}&lang=fr" in mail["text"]
    assert mails_of(client, elsewhere.admin, FLAGGED) == []


def test_an_organizer_switches_a_kind_of_mail_off_on_the_desk(
    browser, client, approval_forum, make_person
):
    forum, organizer = approval_forum
    sign_in(browser, organizer)
    page = page_of(browser.get("/desk/notifications?lang=en"))
    boxes = {box["name"]: box for box in page.find("form", id="organizer-mails").find_all("input")}
    assert all("checked" in boxes[name].attrs for name in ("pending_registration", "post_flagged"))

    # Unticked boxes are not sent: all but the registrations stay on.
    saved = submit(
        browser,
        "/desk/notifications",
        page.find("form", id="organizer-mails"),
        pending_registration="",
    )

    assert saved.status_code == 303
    again = page_of(browser.get(saved.headers["location"] + "&lang=en"))
    assert again.find(role="status").text == "Your choices are saved."
    boxes = {box["name"]: box for box in again.find("form", id="organizer-mails").find_all("input")}
    assert "checked" not in boxes["pending_registration"].attrs
    assert "checked" in boxes["proposal_received"].attrs
    person = make_person()
    register(client, forum, person)
    assert mails_of(client, organizer, PENDING) == []
    assert len(mails_of(client, forum.admin, PENDING)) == 1
    assert propose(client, forum, person).status_code == 201
    assert len(mails_of(client, organizer, PROPOSAL)) == 1


def test_the_choices_page_needs_a_sign_in(browser):
    response = browser.get("/desk/notifications", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in?next=")


def test_the_api_reads_and_changes_the_same_choices(client, make_account):
    person = make_account()
    path = "/api/v1/me/organizer-mails"

    assert client.get(path, headers=person.headers).json() == {
        "pending_registration": True,
        "proposal_received": True,
        "post_flagged": True,
    }
    changed = client.put(path, json={"post_flagged": False}, headers=person.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["post_flagged"] is False
    assert client.get(path, headers=person.headers).json()["pending_registration"] is True
    unknown = client.put(path, json={"everything": False}, headers=person.headers)
    assert unknown.status_code == 400
    number = client.put(path, json={"post_flagged": 1}, headers=person.headers)
    assert (number.status_code, number.json()["errors"][0]["pointer"]) == (400, "/post_flagged")
    assert client.get(path, headers=person.headers).json()["post_flagged"] is False
    assert client.get(path).status_code == 401


def test_the_choices_page_is_hidden_from_who_runs_no_forum(browser, make_account):
    participant = make_account()
    sign_in(browser, participant)

    assert browser.get("/desk/notifications").status_code == 403
    # With a valid CSRF token (taken from a page the person may see), still refused.
    settings = page_of(browser.get("/account/settings")).find("main").find("form")
    token = form_fields(settings)["_csrf_token"]
    refused = browser.post(
        "/desk/notifications", data={"_csrf_token": token, "pending_registration": ""}
    )
    assert refused.status_code == 403
    assert "organizers" in page_of(refused).find("main").text
