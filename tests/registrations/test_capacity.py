"""Capacity is never exceeded: 300 registrations at once for 100 seats, on either database."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from mupass_forum.app import create_app

SEATS = 100
PEOPLE = 300


def test_concurrent_registrations_fill_exactly_the_seats(
    client, migrated, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=SEATS)
    people = [make_account() for _ in range(PEOPLE)]
    in_flight = 0
    most_in_flight = 0

    async def fire() -> list[tuple[int, dict]]:
        # httpx's ASGI transport runs each request as a task of this loop, so all of them are
        # in the app at once (Litestar's test clients pass requests through one at a time).
        app = create_app(migrated)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=transport, base_url="http://testserver.local"
            ) as concurrent,
        ):

            async def one(headers: dict[str, str]) -> tuple[int, dict]:
                nonlocal in_flight, most_in_flight
                in_flight += 1
                most_in_flight = max(most_in_flight, in_flight)
                try:
                    response = await concurrent.post(
                        f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=headers
                    )
                finally:
                    in_flight -= 1
                return response.status_code, response.json()

            return await asyncio.gather(*(one(person.headers) for person in people))

    answers = asyncio.run(fire())

    assert most_in_flight == PEOPLE  # every request was under way before the first answered
    assert Counter(status for status, _ in answers) == {201: PEOPLE}, answers[:3]
    statuses = Counter(body["status"]["value"] for _, body in answers)
    assert statuses == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    badges = sorted(body["badge_number"] for _, body in answers if body["badge_number"])
    assert badges == list(range(1, SEATS + 1))

    positions: list[int] = []
    cursor = None
    while True:
        query = f"?limit=80&cursor={cursor}" if cursor else "?limit=80"
        page = client.get(
            f"/api/v1/forums/{forum.slug}/waiting-list{query}", headers=forum.admin.headers
        ).json()
        positions += [item["position"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert positions == list(range(1, PEOPLE - SEATS + 1))

    settings = client.get(
        f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
    ).json()
    assert settings["seats_taken"] == SEATS
    confirmed = client.get(
        f"/api/v1/forums/{forum.slug}/registrations?status=confirmed&limit=200",
        headers=forum.admin.headers,
    ).json()
    assert len(confirmed["items"]) == SEATS
