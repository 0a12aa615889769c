"""Registrations tell the directory who attends which forum: those holding a seat."""

from __future__ import annotations

from tests.registrations.conftest import decide, register


def sees(client, viewer, person) -> bool:
    response = client.get(f"/api/v1/participants/{person.id}", headers=viewer.headers)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def directory(client, viewer, **query) -> list[int]:
    response = client.get("/api/v1/participants", params=query, headers=viewer.headers)
    assert response.status_code == 200, response.text
    return [item["user_id"] for item in response.json()["items"]]


def test_people_seated_at_the_same_forum_see_each_other(client, make_person, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=2)
    elsewhere = make_forum(status="registration_open", capacity=5)
    ama, kofi, waiting, stranger = (make_person(visibility="forums") for _ in range(4))
    register(client, forum, ama)
    register(client, forum, kofi)
    assert register(client, forum, waiting)["status"]["value"] == "waitlisted"
    register(client, elsewhere, stranger)

    seen_by_ama = directory(client, ama, forum=forum.id)
    assert sorted(seen_by_ama) == sorted([ama.id, kofi.id])
    assert sees(client, ama, kofi)
    assert not sees(client, ama, stranger)
    # Waitlisted people neither count as attending nor see who does.
    assert not sees(client, ama, waiting)
    assert directory(client, waiting, forum=forum.id) == []
    assert not sees(client, waiting, ama)

    # Once promoted, they do.
    decide(client, forum, registration_id_of(client, forum, kofi), "cancel")
    assert sorted(directory(client, waiting, forum=forum.id)) == sorted([ama.id, waiting.id])
    assert sees(client, waiting, ama)
    assert not sees(client, ama, kofi)


def registration_id_of(client, forum, account) -> int:
    mine = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=account.headers
    ).json()
    return int(mine["id"])
