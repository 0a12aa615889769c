"""A crowd registering: answers flow while it arrives, and a lost answer can be asked again."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from mupass_forum.app import create_app

SEATS = 20
PEOPLE = 60


def test_answers_flow_while_a_burst_is_still_arriving(migrated, make_account, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=SEATS)
    people = [make_account() for _ in range(PEOPLE)]
    events: list[tuple[str, int]] = []

    async def fire() -> list[tuple[int, dict]]:
        app = create_app(migrated)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=transport, base_url="http://testserver.local"
            ) as concurrent,
        ):

            async def one(index: int, headers: dict[str, str]) -> tuple[int, dict]:
                events.append(("sent", index))
                response = await concurrent.post(
                    f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=headers
                )
                events.append(("answered", index))
                return response.status_code, response.json()

            tasks = []
            for index, person in enumerate(people):
                tasks.append(asyncio.create_task(one(index, person.headers)))
                # People arrive one after another, not in one instant.
                await asyncio.sleep(0.005)
            return await asyncio.gather(*tasks)

    answers = asyncio.run(fire())

    assert Counter(status for status, _ in answers) == {201: PEOPLE}, answers[:3]
    statuses = Counter(body["status"]["value"] for _, body in answers)
    assert statuses == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    last_sent = events.index(("sent", PEOPLE - 1))
    answered_before = [index for kind, index in events[:last_sent] if kind == "answered"]
    # Nobody's answer is held back until the whole crowd has arrived.
    assert answered_before, "every answer came after the last request was sent"


def test_a_request_sent_again_with_its_idempotency_key_gets_the_registration_made(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=1)
    person, other = make_account(), make_account()
    path = f"/api/v1/forums/{forum.slug}/registrations"
    key = {"Idempotency-Key": "d1e0c5a2-registration-1"}

    made = client.post(path, json={}, headers={**person.headers, **key})
    # Someone else takes the waiting list's first place meanwhile.
    assert client.post(path, json={}, headers=other.headers).status_code == 201
    again = client.post(path, json={}, headers={**person.headers, **key})

    assert made.status_code == 201, made.text
    assert again.status_code == 200, again.text
    assert again.json()["id"] == made.json()["id"]
    assert again.json()["status"]["value"] == "confirmed"
    assert again.json()["badge_number"] == made.json()["badge_number"]
    history = client.get(f"{path}/{made.json()['id']}/history", headers=forum.admin.headers).json()
    assert len(history["items"] if isinstance(history, dict) else history) == 1

    # Another key (or none) is another attempt: still one registration per person.
    for headers in ({"Idempotency-Key": "another"}, {}):
        refused = client.post(path, json={}, headers={**person.headers, **headers})
        assert refused.status_code == 409
        assert refused.json()["code"] == "already_registered"
    # The key of another person's request gives nothing of theirs away.
    stranger = make_account()
    assert client.post(path, json={}, headers={**stranger.headers, **key}).status_code == 201


def test_an_unusable_idempotency_key_is_named(client, make_account, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    person = make_account()

    response = client.post(
        f"/api/v1/forums/{forum.slug}/registrations",
        json={},
        headers={**person.headers, "Idempotency-Key": "k" * 101},
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["parameter"] == "Idempotency-Key"
    assert error["code"] == "invalid_idempotency_key"
