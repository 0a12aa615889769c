"""The .ics export, read back with the ``icalendar`` library."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

BERLIN = ZoneInfo("Europe/Berlin")


def _forum_with_programme(client, make_forum):
    forum = make_forum(
        status="announced",
        title={"en": "Dialogue forum", "fr": "Forum de dialogue", "de": "Dialogforum"},
        summary={"en": "Municipalities in exchange", "fr": "Des communes en échange"},
        starts_at="2030-10-25T09:00:00",
        ends_at="2030-10-28T17:00:00",
        venue={"name": "Gustav-Stresemann-Institut", "city": "Bonn", "country": "DE"},
    )
    for day, title in (
        ("26", {"en": "Panel; one", "fr": "Table ronde, une"}),
        ("28", {"en": "Plenary"}),
    ):
        response = client.post(
            f"/api/v1/forums/{forum.slug}/programme",
            json={
                "kind": "panel",
                "title": title,
                "starts_at": f"2030-10-{day}T09:30:00",
                "ends_at": f"2030-10-{day}T11:00:00",
                "room": "Saal 1",
            },
            headers=forum.admin.headers,
        )
        assert response.status_code == 201, response.text
    return forum


def test_the_calendar_parses_with_time_zones_and_stable_uids(client, make_forum) -> None:
    forum = _forum_with_programme(client, make_forum)
    response = client.get(f"/api/v1/forums/{forum.slug}/calendar.ics?lang=fr")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["version"] == "2.0"
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["tzid"]) for zone in zones] == ["Europe/Berlin"]
    assert str(zones[0]["comment"]) == (
        "Les règles du fuseau horaire Europe/Berlin données ici valent du 1 janv. 2030 "
        "au 1 janv. 2031."
    )
    events = calendar.walk("VEVENT")
    assert [str(event["summary"]) for event in events] == [
        "Forum de dialogue",
        "Table ronde, une",
        # No French text: the original is used.
        "Plenary",
    ]
    forum_event, saturday, monday = events
    assert str(forum_event["uid"]) == f"forum-{forum.id}@127.0.0.1"
    assert str(forum_event["description"]) == "Des communes en échange"
    assert "Bonn" in str(forum_event["location"])
    # Local 09:30 on both sides of the end of summer time, with the zone attached.
    assert saturday["dtstart"].dt == datetime(2030, 10, 26, 9, 30, tzinfo=BERLIN)
    assert monday["dtstart"].dt == datetime(2030, 10, 28, 9, 30, tzinfo=BERLIN)
    assert saturday["dtstart"].params["TZID"] == "Europe/Berlin"
    assert saturday["dtstart"].dt.utcoffset() != monday["dtstart"].dt.utcoffset()
    # The same file again: the same UIDs, so calendar programs update instead of duplicating.
    again = Calendar.from_ical(client.get(f"/api/v1/forums/{forum.slug}/calendar.ics").content)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in events]
    assert str(again.walk("VEVENT")[0]["summary"]) == "Dialogue forum"


def test_the_raw_file_is_rfc_5545(client, make_forum) -> None:
    forum = _forum_with_programme(client, make_forum)
    raw = client.get(f"/api/v1/forums/{forum.slug}/calendar.ics?lang=en").content
    lines = raw.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert all(len(line) <= 75 for line in lines)
    assert b"SUMMARY:Panel\\; one" in raw
    assert b"DTSTART;TZID=Europe/Berlin:20301026T093000" in raw


def test_a_draft_has_no_public_calendar(client, make_forum) -> None:
    forum = make_forum()
    path = f"/api/v1/forums/{forum.slug}/calendar.ics"
    assert client.get(path, headers={"Authorization": "Bearer"}).status_code in (401, 404)
    assert client.get(path, headers=forum.admin.headers).status_code == 200
