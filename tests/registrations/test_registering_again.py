"""Registering again after a cancellation or a decline: through the seat desk like anyone, on
the same registration, whose history goes on."""

from __future__ import annotations

from tests.registrations.conftest import (
    days_from_today,
    decide,
    register,
    set_registration_settings,
)
from tests.registrations.test_interest import set_status


def mine(client, forum, account) -> dict:
    response = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=account.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def cancel_mine(client, forum, account) -> None:
    response = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel", json={}, headers=account.headers
    )
    assert response.status_code == 200, response.text


def register_again(client, forum, account, **fields):
    return client.post(
        f"/api/v1/forums/{forum.slug}/registrations", json=fields, headers=account.headers
    )


def test_a_cancelled_registration_registers_again_at_the_end_of_the_line(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=1)
    first, second, third = (make_account() for _ in range(3))
    original = register(client, forum, first, dietary_needs="none")
    assert (original["status"]["value"], original["badge_number"]) == ("confirmed", 1)
    assert register(client, forum, second)["status"]["value"] == "waitlisted"

    # Holding or waiting for a seat, nobody registers twice.
    for account in (first, second):
        twice = register_again(client, forum, account)
        assert (twice.status_code, twice.json()["code"]) == (409, "already_registered")

    cancel_mine(client, forum, first)
    assert mine(client, forum, second)["badge_number"] == 2
    assert register(client, forum, third)["position"] == 1
    again = register_again(client, forum, first, dietary_needs="vegan")
    assert again.status_code == 201, again.text
    back = again.json()
    assert (back["id"], back["status"]["value"], back["position"]) == (
        original["id"],
        "waitlisted",
        2,
    )
    assert back["dietary_needs"] == "vegan"
    twice = register_again(client, forum, first)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_registered")

    # Seats go in order; a badge number once given stays with the person.
    cancel_mine(client, forum, second)
    assert mine(client, forum, third)["status"]["value"] == "confirmed"
    cancel_mine(client, forum, third)
    promoted = mine(client, forum, first)
    assert (promoted["status"]["value"], promoted["badge_number"]) == ("confirmed", 1)

    history = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{original['id']}/history",
        headers=forum.admin.headers,
    ).json()
    assert [(h["to_status"]["value"], h["actor_id"]) for h in history] == [
        ("confirmed", first.id),
        ("cancelled", first.id),
        ("waitlisted", first.id),
        ("confirmed", None),
    ]
    listing = client.get(
        f"/api/v1/forums/{forum.slug}/registrations", headers=forum.admin.headers
    ).json()["items"]
    assert [item["person"]["user_id"] for item in listing] == [first.id, second.id, third.id]
    totals = client.get(f"/api/v1/forums/{forum.slug}/stats", headers=forum.admin.headers).json()[
        "registration_totals"
    ]
    assert (totals["confirmed"], totals["cancelled"]) == (1, 2)


def test_a_declined_person_registers_again_through_the_same_rules(
    client, make_account, make_forum
) -> None:
    forum = make_forum(
        status="registration_open",
        capacity=5,
        starts_at=days_from_today(1),
        ends_at=days_from_today(2, hour=17),
    )
    set_registration_settings(client, forum, requires_approval=True)
    person = make_account()
    first = register(client, forum, person)
    decide(client, forum, first["id"], "decline", reason="Incomplete")
    again = register_again(client, forum, person)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]["value"]) == (
        first["id"],
        "pending_approval",
    )

    set_registration_settings(client, forum, requires_approval=False)
    decide(client, forum, first["id"], "decline")
    seated = register_again(client, forum, person).json()
    assert (seated["status"]["value"], seated["badge_number"]) == ("confirmed", 1)
    decide(client, forum, first["id"], "check_in")
    attended = register_again(client, forum, person)
    assert (attended.status_code, attended.json()["code"]) == (409, "already_registered")


def test_registering_again_needs_open_registration(client, make_account, make_forum) -> None:
    forum = make_forum(status="registration_open")
    person = make_account()
    register(client, forum, person)
    cancel_mine(client, forum, person)
    set_status(client, forum, "registration_closed")
    closed = register_again(client, forum, person)
    assert (closed.status_code, closed.json()["code"]) == (409, "registration_not_open")
    assert mine(client, forum, person)["status"]["value"] == "cancelled"
