"""A crowd registering: answers flow while it arrives, and a lost answer can be asked again."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from mupass_forum.app import create_app
from mupass_forum.mail.tables import OutboxMail
from mupass_forum.registrations import arrivals
from mupass_forum.registrations.arrivals import likely

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
            answered = await asyncio.gather(*tasks)
            for person in people:
                mine = await concurrent.get(
                    f"/api/v1/forums/{forum.slug}/registrations/mine", headers=person.headers
                )
                read_after.append(mine.json())
            return answered

    read_after: list[dict] = []
    answers = asyncio.run(fire())

    assert Counter(status for status, _ in answers) == {201: PEOPLE}, answers[:3]
    # Each answer is the registration as it was made (a batch's rows are read at once).
    assert [body for _, body in answers] == read_after
    statuses = Counter(body["status"]["value"] for _, body in answers)
    assert statuses == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    last_sent = events.index(("sent", PEOPLE - 1))
    answered_before = [index for kind, index in events[:last_sent] if kind == "answered"]
    # Nobody's answer is held back until the whole crowd has arrived.
    assert answered_before, "every answer came after the last request was sent"


def test_each_person_of_a_burst_gets_one_mail_with_their_badge_or_place(
    migrated, make_account, make_forum, monkeypatch
) -> None:
    forum = make_forum(status="registration_open", capacity=4)
    people = [make_account(locale=("de", "fr", "es", "en")[index % 4]) for index in range(12)]
    # Mails are rendered before the desk's lock for the outcome likely then; a desk read as if
    # nobody had taken a seat yet (as another process can leave it stale) makes the later
    # batches render the mail of a seat and find the waiting list under the lock instead.
    monkeypatch.setattr(arrivals, "likely", _stale_outlook)

    async def fire() -> tuple[list[dict], list[dict]]:
        app = create_app(migrated)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client,
        ):

            async def one(person) -> dict:
                await asyncio.sleep(0.002 * people.index(person))
                response = await client.post(
                    f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=person.headers
                )
                assert response.status_code == 201, response.text
                return {**response.json(), "user_id": person.id}

            answers = await asyncio.gather(*(one(person) for person in people))
            mails = await OutboxMail.select(
                OutboxMail.user_id, OutboxMail.template, OutboxMail.text, OutboxMail.html
            ).where(OutboxMail.user_id.is_in([person.id for person in people]))
            return answers, mails

    answers, mails = asyncio.run(fire())

    assert Counter(answer["status"]["value"] for answer in answers) == {
        "confirmed": 4,
        "waitlisted": 8,
    }
    by_person = {mail["user_id"]: mail for mail in mails}
    assert len(mails) == len(by_person) == 12
    for answer in answers:
        mail = by_person[answer["user_id"]]
        assert "\ue000" not in mail["text"] + mail["html"]
        if answer["status"]["value"] == "confirmed":
            assert mail["template"] == "registrations.confirmed"
            assert f" {answer['badge_number']}." in mail["text"]
        else:
            assert mail["template"] == "registrations.waitlisted"
            assert f" {answer['position']}" in mail["text"]
    positions = sorted(answer["position"] for answer in answers if answer["position"])
    assert positions == list(range(1, 9))


async def _stale_outlook(forum_id: int) -> arrivals.Likely:
    fresh = await likely(forum_id)
    return arrivals.Likely(fresh.facts, requires_approval=False, free=4)


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
