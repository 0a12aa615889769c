"""The programme: items inside the forum's dates in its time zone, across daylight-saving
changes and in zones without them, grouped by local day and formatted for the reader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


def _item(client, forum, **fields):
    body = {"kind": "plenary", "title": {"en": "Plenary", "fr": "Plénière"}, **fields}
    return client.post(
        f"/api/v1/forums/{forum.slug}/programme", json=body, headers=forum.admin.headers
    )


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def test_local_times_across_the_end_of_summer_time_in_berlin(client, make_forum) -> None:
    # Summer time ends on Sunday 27 October 2030 at 03:00 CEST in Europe/Berlin.
    forum = make_forum(
        status="announced", starts_at="2030-10-25T09:00:00", ends_at="2030-10-28T17:00:00"
    )
    saturday = _item(client, forum, starts_at="2030-10-26T09:30:00", ends_at="2030-10-26T10:30:00")
    monday = _item(client, forum, starts_at="2030-10-28T09:30:00", ends_at="2030-10-28T10:30:00")
    assert saturday.status_code == monday.status_code == 201, saturday.text
    assert saturday.json()["starts_at"] == "2030-10-26T09:30:00+02:00"
    assert monday.json()["starts_at"] == "2030-10-28T09:30:00+01:00"
    assert _utc(saturday.json()["starts_at"]).hour == 7
    assert _utc(monday.json()["starts_at"]).hour == 8
    # Both read 09:30 for people, whatever their language.
    programme = client.get(f"/api/v1/forums/{forum.slug}/programme?lang=de").json()
    assert programme["timezone"] == "Europe/Berlin"
    assert [(day["date"], day["label"]) for day in programme["days"]] == [
        ("2030-10-26", "Samstag, 26. Oktober 2030"),
        ("2030-10-28", "Montag, 28. Oktober 2030"),
    ]
    assert [day["items"][0]["starts"] for day in programme["days"]] == ["09:30", "09:30"]
    english = client.get(f"/api/v1/forums/{forum.slug}/programme?lang=en").json()
    assert english["days"][0]["label"] == "Saturday, October 26, 2030"
    assert english["days"][0]["items"][0]["starts"] == "9:30\u202fAM"


def test_an_item_given_with_an_offset_keeps_its_instant(client, make_forum) -> None:
    forum = make_forum(starts_at="2030-10-25T09:00:00", ends_at="2030-10-28T17:00:00")
    # 08:00 UTC on the Sunday after the change is 09:00 in Berlin (CET).
    response = _item(
        client, forum, starts_at="2030-10-27T08:00:00Z", ends_at="2030-10-27T09:00:00Z"
    )
    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == "2030-10-27T09:00:00+01:00"


def test_a_zone_without_daylight_saving(client, make_forum) -> None:
    forum = make_forum(
        timezone="Africa/Ouagadougou",
        starts_at="2030-10-25T09:00:00",
        ends_at="2030-10-28T17:00:00",
        venue={"name": "Salle de conférence", "city": "Ouagadougou", "country": "BF"},
    )
    before = _item(client, forum, starts_at="2030-10-26T09:30:00", ends_at="2030-10-26T10:00:00")
    after = _item(client, forum, starts_at="2030-10-28T09:30:00", ends_at="2030-10-28T10:00:00")
    assert before.json()["starts_at"] == "2030-10-26T09:30:00Z"
    assert after.json()["starts_at"] == "2030-10-28T09:30:00Z"
    programme = client.get(
        f"/api/v1/forums/{forum.slug}/programme?lang=fr", headers=forum.admin.headers
    ).json()
    assert programme["days"][0]["label"] == "samedi 26 octobre 2030"
    assert programme["days"][0]["items"][0]["title"]["text"] == "Plénière"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "pointer", "code"),
    [
        # The day before the forum, in the forum's zone.
        ("2030-10-24T23:30:00", "2030-10-25T00:30:00", "/starts_at", "outside_forum_dates"),
        # 23:30 UTC on the last day is already the next day in Berlin.
        ("2030-10-28T22:00:00Z", "2030-10-28T23:30:00Z", "/ends_at", "outside_forum_dates"),
        ("2030-10-26T11:00:00", "2030-10-26T10:00:00", "/ends_at", "ends_before_start"),
    ],
)
def test_items_outside_the_forums_dates_are_refused(
    client, make_forum, starts_at, ends_at, pointer, code
) -> None:
    forum = make_forum(starts_at="2030-10-25T09:00:00", ends_at="2030-10-28T17:00:00")
    response = _item(client, forum, starts_at=starts_at, ends_at=ends_at)
    assert response.status_code == 400, response.text
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [(pointer, code)]


def test_early_and_late_items_on_the_forums_days_are_accepted(client, make_forum) -> None:
    forum = make_forum(starts_at="2030-10-25T09:00:00", ends_at="2030-10-28T17:00:00")
    warm_up = _item(
        client,
        forum,
        kind="warm_up",
        starts_at="2030-10-25T08:00:00",
        ends_at="2030-10-25T09:00:00",
    )
    evening = _item(
        client,
        forum,
        kind="networking",
        starts_at="2030-10-28T19:00:00",
        ends_at="2030-10-28T23:59:00",
    )
    assert warm_up.status_code == evening.status_code == 201


def test_items_carry_speakers_languages_and_labels(client, make_forum, make_account) -> None:
    forum = make_forum(status="announced")
    speaker = make_account(sign_in=False)
    response = _item(
        client,
        forum,
        kind="workshop",
        starts_at="2030-10-29T14:00:00",
        ends_at="2030-10-29T15:30:00",
        room="Raum 2",
        capacity=25,
        speakers=[
            {"name": "Amina Ouédraogo", "organization": "Ville de Ouagadougou"},
            {"name": "Jonas Weber", "organization": "Stadt Bonn", "user_id": speaker.id},
        ],
        language="fr",
        interpretation=["de", "en"],
        track="Working group West Africa",
    )
    assert response.status_code == 201, response.text
    programme = client.get(f"/api/v1/forums/{forum.slug}/programme?lang=es").json()
    item = programme["days"][0]["items"][0]
    assert item["kind"] == {"value": "workshop", "label": "Taller"}
    assert item["language"]["name"] == "francés"
    assert [i["code"] for i in item["interpretation"]] == ["de", "en"]
    assert item["speakers"][1]["user_id"] == speaker.id
    assert item["capacity"] == 25


def test_items_are_changed_and_removed(client, make_forum) -> None:
    forum = make_forum(starts_at="2030-10-25T09:00:00", ends_at="2030-10-28T17:00:00")
    item = _item(
        client, forum, starts_at="2030-10-26T09:30:00", ends_at="2030-10-26T10:30:00"
    ).json()
    path = f"/api/v1/forums/{forum.slug}/programme/{item['id']}"
    moved = client.patch(
        path,
        json={"starts_at": "2030-10-27T09:30:00", "ends_at": "2030-10-27T10:30:00"},
        headers=forum.admin.headers,
    )
    assert moved.json()["starts_at"] == "2030-10-27T09:30:00+01:00"
    outside = client.patch(
        path, json={"ends_at": "2030-11-01T10:00:00"}, headers=forum.admin.headers
    )
    assert outside.status_code == 400
    # The forum cannot be shortened while the item is outside its new dates.
    shorter = client.patch(
        f"/api/v1/forums/{forum.slug}",
        json={"ends_at": "2030-10-26T17:00:00"},
        headers=forum.admin.headers,
    )
    assert shorter.status_code == 409
    assert shorter.json()["code"] == "programme_outside_dates"
    assert client.delete(path, headers=forum.admin.headers).status_code == 204
    assert client.delete(path, headers=forum.admin.headers).status_code == 404
