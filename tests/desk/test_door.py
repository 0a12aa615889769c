"""Check-in at the door: finding people by name and badge, one tap in, undo, the count, and
the days on which the door is open; the page without scripts and the API behind it."""

from __future__ import annotations

from tests.desk.conftest import days_from_today, grant, sign_in
from tests.pages.conftest import submit
from tests.pages.html import page_of
from tests.registrations.conftest import decide, register


def open_forum(make_forum, **fields):
    """A forum that begins tomorrow: its door is open today."""
    return make_forum(
        status="registration_open",
        starts_at=days_from_today(1),
        ends_at=days_from_today(2, hour=17),
        **fields,
    )


def door_api(client, forum, account, q: str = ""):
    return client.get(f"/api/v1/forums/{forum.slug}/door", params={"q": q}, headers=account.headers)


def test_find_by_name_or_badge_check_in_undo_and_count(client, make_forum, make_person) -> None:
    forum = open_forum(make_forum)
    amelie = make_person(given_name="Amélie", family_name="Ndiaye-Sall")
    kofi = make_person(given_name="Kofi", family_name="Mensah")
    first = register(client, forum, amelie)
    second = register(client, forum, kofi)

    by_name = door_api(client, forum, forum.admin, "amelie nd")
    assert by_name.status_code == 200, by_name.text
    assert [e["registration_id"] for e in by_name.json()["entries"]] == [first["id"]]
    assert by_name.json()["count"] == {"checked_in": 0, "expected": 2}
    assert by_name.json()["open"] is True
    by_badge = door_api(client, forum, forum.admin, f"#{second['badge_number']}").json()
    assert [e["family_name"] for e in by_badge["entries"]] == ["Mensah"]
    assert door_api(client, forum, forum.admin, "nobody").json()["entries"] == []

    url = f"/api/v1/forums/{forum.slug}/door/{first['id']}/check-in"
    done = client.post(url, headers=forum.admin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["entry"]["checked_in"] is True
    assert done.json()["count"] == {"checked_in": 1, "expected": 2}
    # The same tap again (a retry over a poor connection) changes nothing.
    again = client.post(url, headers=forum.admin.headers)
    assert again.json()["count"] == {"checked_in": 1, "expected": 2}
    mine = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=amelie.headers
    ).json()
    assert mine["status"]["value"] == "attended"

    undone = client.delete(url, headers=forum.admin.headers)
    assert undone.status_code == 200, undone.text
    assert undone.json()["entry"]["checked_in"] is False
    assert undone.json()["count"] == {"checked_in": 0, "expected": 2}
    history = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{first['id']}/history",
        headers=forum.admin.headers,
    ).json()
    assert [change["to_status"]["value"] for change in history][-2:] == ["attended", "confirmed"]


def test_check_in_is_refused_outside_the_days_of_the_forum(client, make_forum, make_person):
    later = make_forum(
        status="registration_open", starts_at=days_from_today(3), ends_at=days_from_today(4)
    )
    person = make_person(given_name="Lucía", family_name="Quispe")
    registration = register(client, later, person)

    refused = client.post(
        f"/api/v1/forums/{later.slug}/door/{registration['id']}/check-in",
        headers=later.admin.headers,
    )
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "check_in_closed"
    # The organizers' decision API keeps to the same days.
    decision = client.post(
        f"/api/v1/forums/{later.slug}/registrations/{registration['id']}/decision",
        json={"action": "check_in"},
        headers={**later.admin.headers, "Accept-Language": "de"},
    )
    assert (decision.status_code, decision.json()["code"]) == (409, "check_in_closed")
    assert "Check-in" in decision.json()["detail"] or "Einchecken" in decision.json()["detail"]
    assert door_api(client, later, later.admin, "quispe").json()["open"] is False

    # The day before the forum begins, the door opens.
    tomorrow = open_forum(make_forum)
    seated = register(client, tomorrow, make_person())
    assert decide(client, tomorrow, seated["id"], "check_in")["status"]["value"] == "attended"


def test_the_door_page_works_without_scripts(browser, make_forum, make_person) -> None:
    forum = open_forum(make_forum)
    person = make_person(given_name="Zanele", family_name="Dlamini")
    registration = register(browser, forum, person)
    sign_in(browser, forum.admin)
    here = f"/desk/forums/{forum.slug}/door"

    empty = page_of(browser.get(here))
    assert empty.find(id="door-count").text == "0 of 1 checked in"
    search = empty.find("form", role="search")
    assert search.find("input", name="q").get("type") == "search"

    found = browser.get(here, params={"q": "dlam"})
    page = page_of(found)
    row = page.find("li", id=f"registration-{registration['id']}")
    assert "Dlamini" in row.text and f"#{registration['badge_number']}" in row.text
    assert row.find("button").text == "Check in"
    # The page is small enough for a poor connection, and its script is its own.
    assert len(found.content) < 20_000
    assert page.find("script")["src"].startswith("/static/door.")

    answer = submit(browser, f"{here}?q=dlam", form=row.find("form"))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{here}?q=dlam"
    after = page_of(browser.get(answer.headers["location"]))
    assert after.find(id="door-count").text == "1 of 1 checked in"
    row = after.find("li", id=f"registration-{registration['id']}")
    assert "in" in row["class"].split()
    assert row.find("button").text == "Undo check-in"

    # The script sends the same form and gets the new state as JSON.
    script = browser.post(
        f"{here}/{registration['id']}/undo",
        data={
            "_csrf_token": row.find("input", name="_csrf_token")["value"],
            "q": "dlam",
        },
        headers={"Accept": "application/json"},
    )
    assert script.status_code == 201, script.text
    assert script.json()["checked_in"] is False
    assert script.json()["button"] == "Check in"
    assert script.json()["count_text"] == "0 of 1 checked in"


def test_the_door_page_speaks_the_organizers_language(browser, make_forum, make_account):
    forum = open_forum(make_forum)
    sign_in(browser, forum.admin)
    page = page_of(browser.get(f"/desk/forums/{forum.slug}/door", params={"lang": "fr"}))
    assert page.find("html")["lang"] == "fr"
    assert page.find("label", for_="q").text == "Nom ou numéro de badge"


def test_only_those_who_run_the_forum_open_the_door(browser, make_forum, make_account):
    forum = open_forum(make_forum)
    here = f"/desk/forums/{forum.slug}/door"
    signed_out = browser.get(here, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/account/sign-in?next=")

    participant, photographer, organizer = make_account(), make_account(), make_account()
    grant(browser, forum, photographer, "photographer")
    grant(browser, forum, organizer, "organizer")

    for outsider in (participant, photographer):
        sign_in(browser, outsider)
        assert browser.get(here).status_code == 404
        assert door_api(browser, forum, outsider).status_code == 404
        assert (
            browser.post(f"/api/v1/forums/{forum.slug}/door/1/check-in", headers=outsider.headers)
        ).status_code == 404
    assert browser.get(f"/api/v1/forums/{forum.slug}/door").status_code == 401
    sign_in(browser, organizer)
    assert browser.get(here).status_code == 200
    assert door_api(browser, forum, organizer).status_code == 200
