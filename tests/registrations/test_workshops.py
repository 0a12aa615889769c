"""Workshop sign-ups: who may sign up, overlaps, places given back, and exact capacity under
concurrency (all requests in the app at once, as in ``test_capacity``)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from mupass_forum.app import create_app
from tests.registrations.conftest import add_item, days_from_today, decide, register


def sign_up_url(forum, item) -> str:
    return f"/api/v1/forums/{forum.slug}/workshops/{item['id']}/sign-up"


def test_only_seated_participants_sign_up_and_never_twice_at_the_same_time(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=1)
    morning = add_item(
        client, forum, capacity=10, starts_at="2030-10-29T09:00:00", ends_at="2030-10-29T10:30:00"
    )
    overlapping = add_item(
        client,
        forum,
        kind="breakout_session",
        capacity=10,
        starts_at="2030-10-29T10:00:00",
        ends_at="2030-10-29T10:30:00",
    )
    afterwards = add_item(
        client, forum, capacity=10, starts_at="2030-10-29T10:30:00", ends_at="2030-10-29T12:00:00"
    )
    plenary = add_item(client, forum, kind="plenary")
    seated, waiting, stranger = make_account(), make_account(), make_account()
    register(client, forum, seated)
    assert register(client, forum, waiting)["status"]["value"] == "waitlisted"

    for account in (waiting, stranger):
        response = client.post(sign_up_url(forum, morning), headers=account.headers)
        assert (response.status_code, response.json()["code"]) == (403, "not_a_participant")
    assert client.post(sign_up_url(forum, morning)).status_code == 401
    response = client.post(sign_up_url(forum, plenary), headers=seated.headers)
    assert (response.status_code, response.json()["code"]) == (404, "workshop_not_found")

    response = client.post(sign_up_url(forum, morning), headers=seated.headers)
    assert response.status_code == 201, response.text
    assert (response.json()["signed_up"], response.json()["places_left"]) == (True, 9)
    again = client.post(sign_up_url(forum, morning), headers=seated.headers)
    assert (again.status_code, again.json()["code"]) == (409, "already_signed_up")
    clash = client.post(sign_up_url(forum, overlapping) + "?lang=de", headers=seated.headers)
    assert (clash.status_code, clash.json()["code"]) == (409, "workshop_overlaps")
    assert "Werkstatt" in clash.json()["detail"]
    # Back to back is not overlapping.
    assert client.post(sign_up_url(forum, afterwards), headers=seated.headers).status_code == 201

    listing = client.get(f"/api/v1/forums/{forum.slug}/workshops", headers=seated.headers).json()
    assert [(w["item"]["id"], w["signed_up"], w["places_taken"]) for w in listing] == [
        (morning["id"], True, 1),
        (overlapping["id"], False, 0),
        (afterwards["id"], True, 1),
    ]
    anonymous = client.get(f"/api/v1/forums/{forum.slug}/workshops").json()
    assert [w["signed_up"] for w in anonymous] == [False, False, False]

    assert client.delete(sign_up_url(forum, morning), headers=seated.headers).status_code == 204
    gone = client.delete(sign_up_url(forum, morning), headers=seated.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "sign_up_not_found")
    assert client.post(sign_up_url(forum, overlapping), headers=seated.headers).status_code == 201


def test_a_full_workshop_refuses_and_a_cancelled_registration_gives_its_places_back(
    client, make_account, make_forum
) -> None:
    # It begins tomorrow, so that people can be checked in today.
    forum = make_forum(
        status="registration_open",
        capacity=10,
        starts_at=days_from_today(1),
        ends_at=days_from_today(2, hour=17),
    )
    workshop = add_item(
        client,
        forum,
        capacity=1,
        starts_at=days_from_today(1, hour=14),
        ends_at=days_from_today(1, hour=15),
    )
    other = add_item(
        client,
        forum,
        capacity=3,
        starts_at=days_from_today(2, hour=9),
        ends_at=days_from_today(2, hour=10),
    )
    first, second = make_account(), make_account()
    mine = register(client, forum, first)
    theirs = register(client, forum, second)
    assert client.post(sign_up_url(forum, workshop), headers=first.headers).status_code == 201
    assert client.post(sign_up_url(forum, other), headers=first.headers).status_code == 201
    full = client.post(sign_up_url(forum, workshop), headers=second.headers)
    assert (full.status_code, full.json()["code"]) == (409, "workshop_full")

    people = client.get(
        f"/api/v1/forums/{forum.slug}/workshops/{workshop['id']}/sign-ups",
        headers=forum.admin.headers,
    )
    assert people.status_code == 200, people.text
    assert [p["registration_id"] for p in people.json()["items"]] == [mine["id"]]
    assert (
        client.get(
            f"/api/v1/forums/{forum.slug}/workshops/{workshop['id']}/sign-ups",
            headers=second.headers,
        ).status_code
        == 403
    )

    # Checking in keeps the places; cancelling gives every one of them back.
    decide(client, forum, theirs["id"], "check_in")
    response = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel", json={}, headers=first.headers
    )
    assert response.status_code == 200, response.text
    listing = client.get(f"/api/v1/forums/{forum.slug}/workshops", headers=first.headers).json()
    assert [(w["places_taken"], w["signed_up"]) for w in listing] == [(0, False), (0, False)]
    assert client.post(sign_up_url(forum, workshop), headers=second.headers).status_code == 201
    refused = client.post(sign_up_url(forum, other), headers=first.headers)
    assert refused.json()["code"] == "not_a_participant"


def test_sign_ups_close_with_the_forum(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced")
    workshop = add_item(client, forum, capacity=5)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "registration_open"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200
    person = make_account()
    register(client, forum, person)
    for status in ("registration_closed", "cancelled"):
        response = client.post(
            f"/api/v1/forums/{forum.slug}/status",
            json={"status": status},
            headers=forum.admin.headers,
        )
        assert response.status_code == 200, response.text
    closed = client.post(sign_up_url(forum, workshop), headers=person.headers)
    assert (closed.status_code, closed.json()["code"]) == (409, "workshop_sign_up_closed")


async def _all_at_once(settings, requests):
    """Send every ``(method, url, headers)`` at once; the answers' status codes."""
    app = create_app(settings)
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as concurrent,
    ):
        answers = await asyncio.gather(
            *(concurrent.request(method, url, headers=headers) for method, url, headers in requests)
        )
    return [(answer.status_code, answer.json()) for answer in answers]


def test_sixty_participants_at_once_fill_exactly_twenty_places(
    client, migrated, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=100)
    workshop = add_item(client, forum, capacity=20)
    people = [make_account() for _ in range(60)]
    for person in people:
        register(client, forum, person)

    answers = asyncio.run(
        _all_at_once(migrated, [("POST", sign_up_url(forum, workshop), p.headers) for p in people])
    )
    assert Counter(status for status, _ in answers) == {201: 20, 409: 40}
    assert {body["code"] for status, body in answers if status == 409} == {"workshop_full"}
    listing = client.get(f"/api/v1/forums/{forum.slug}/workshops").json()
    assert (listing[0]["places_taken"], listing[0]["places_left"]) == (20, 0)
    people_in = client.get(
        f"/api/v1/forums/{forum.slug}/workshops/{workshop['id']}/sign-ups?limit=15",
        headers=forum.admin.headers,
    ).json()
    following = client.get(
        f"/api/v1/forums/{forum.slug}/workshops/{workshop['id']}/sign-ups?limit=15"
        f"&cursor={people_in['next_cursor']}",
        headers=forum.admin.headers,
    ).json()
    assert len(people_in["items"]) + len(following["items"]) == 20
    assert following["next_cursor"] is None


def test_overlapping_sign_ups_by_one_person_at_once_let_exactly_one_through(
    client, migrated, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=10)
    workshops = [
        add_item(
            client,
            forum,
            capacity=5,
            starts_at=f"2030-10-29T{9 + i % 2:02d}:{15 * i % 60:02d}:00",
            ends_at="2030-10-29T12:00:00",
        )
        for i in range(6)
    ]
    person = make_account()
    register(client, forum, person)

    answers = asyncio.run(
        _all_at_once(migrated, [("POST", sign_up_url(forum, w), person.headers) for w in workshops])
    )
    assert Counter(status for status, _ in answers) == {201: 1, 409: 5}
    assert {body["code"] for status, body in answers if status == 409} == {"workshop_overlaps"}
    listing = client.get(f"/api/v1/forums/{forum.slug}/workshops", headers=person.headers).json()
    assert sum(w["signed_up"] for w in listing) == 1
    assert sum(w["places_taken"] for w in listing) == 1
