"""The photo list: who sees it, what it says, in which formats, and that it is always current."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Account
from tests.consent.conftest import ALL, NONE, decide
from tests.registrations.conftest import register


@dataclass
class Door:
    forum: Any
    photographer: Account
    organizer: Account
    people: dict[str, Account]


def grant_role(client, forum, account: Account, role: str) -> None:
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": account.id, "role": role},
        headers=forum.admin.headers,
    )
    assert response.status_code == 201, response.text


def with_profile(client, account: Account, given: str, family: str, organization: str) -> Account:
    body = {"given_name": given, "family_name": family, "organization": organization}
    response = client.put("/api/v1/me/profile", json=body, headers=account.headers)
    assert response.status_code == 200, response.text
    return account


def registered(client, forum, account: Account, consent: list[dict[str, Any]] | None) -> Account:
    """``account`` registered for ``forum``, with its initial consent choice (if any)."""
    body = {} if consent is None else {"consent": consent}
    register(client, forum, account, **body)
    return account


@pytest.fixture
def door(client, make_forum, make_account) -> Door:
    forum = make_forum(status="registration_open")
    photographer, organizer = make_account(), make_account()
    grant_role(client, forum, photographer, "photographer")
    grant_role(client, forum, organizer, "organizer")
    people = {
        "green": with_profile(client, make_account(), "Ama", "Owusu", "City of Accra"),
        "yellow": with_profile(client, make_account(), "Émile", "Öberg", "=cmd|' /C calc'!A0"),
        "red": with_profile(client, make_account(), "Lucía", "Ortega", "Municipio de Quito"),
    }
    # The initial choices come with the registrations, in the order of the badge numbers.
    registered(client, forum, people["red"], NONE)
    registered(client, forum, people["green"], ALL)
    registered(client, forum, people["yellow"], [{"decision": "granted", "media": ["photo"]}])
    return Door(forum, photographer, organizer, people)


def listing(client, door: Door, account: Account | None = None, query: str = "") -> Any:
    who = account or door.photographer
    return client.get(f"/api/v1/forums/{door.forum.slug}/photo-list{query}", headers=who.headers)


def test_plain_participants_and_other_forums_photographers_are_refused(
    client, door, make_forum, make_account
):
    other = make_forum(status="registration_open")
    foreign_photographer, foreign_organizer = make_account(), make_account()
    grant_role(client, other, foreign_photographer, "photographer")
    grant_role(client, other, foreign_organizer, "organizer")
    moderator = make_account()
    grant_role(client, door.forum, moderator, "moderator")

    for account in (
        door.people["green"],
        make_account(),
        foreign_photographer,
        foreign_organizer,
        moderator,
    ):
        for query in ("", "?format=csv", "?format=html"):
            response = listing(client, door, account, query)
            assert response.status_code == 403, (account, query)
            assert "Owusu" not in response.text
    assert client.get(f"/api/v1/forums/{door.forum.slug}/photo-list").status_code == 401
    # The other forum's photographer sees that forum's list.
    response = client.get(
        f"/api/v1/forums/{other.slug}/photo-list", headers=foreign_photographer.headers
    )
    assert response.status_code == 200


def test_photographers_organizers_and_admins_see_it(client, door):
    for account in (door.photographer, door.organizer, door.forum.admin):
        assert listing(client, door, account).status_code == 200


def test_a_draft_forums_list_is_hidden(client, make_forum, make_account):
    draft = make_forum()
    response = client.get(f"/api/v1/forums/{draft.slug}/photo-list", headers=make_account().headers)
    assert response.status_code == 404


def test_entries_carry_markers_names_and_granted_uses(client, door):
    body = listing(client, door).json()
    assert body["forum_slug"] == door.forum.slug
    assert [item["value"] for item in body["legend"]] == ["green", "yellow", "red"]
    entries = {entry["user_id"]: entry for entry in body["entries"]}
    green = entries[door.people["green"].id]
    assert (green["family_name"], green["given_name"]) == ("Owusu", "Ama")
    assert green["organization"] == "City of Accra"
    assert green["marker"]["value"] == "green" and green["needs_choice"] is False
    assert len(green["photo"]) == 4 and len(green["video"]) == 4
    yellow = entries[door.people["yellow"].id]
    assert yellow["marker"]["value"] == "yellow"
    assert [use["value"] for use in yellow["photo"]] == [
        "internal",
        "website",
        "social_media",
        "press",
    ]
    assert yellow["video"] == [] and yellow["needs_choice"] is True
    red = entries[door.people["red"].id]
    assert red["marker"]["value"] == "red" and red["photo"] == red["video"] == []


def test_badge_numbers_and_badge_order(client, door):
    entries = listing(client, door, query="?sort=badge").json()["entries"]
    assert [entry["family_name"] for entry in entries] == ["Ortega", "Owusu", "Öberg"]
    numbers = [entry["badge_number"] for entry in entries]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3 and None not in numbers


def test_only_people_holding_a_seat_are_listed(client, door, make_account):
    decided_only = make_account()
    decide(client, decided_only, door.forum.slug, ALL)
    cancelled = registered(client, door.forum, make_account(), ALL)
    response = client.post(
        f"/api/v1/forums/{door.forum.slug}/registrations/mine/cancel",
        json={},
        headers=cancelled.headers,
    )
    assert response.status_code == 200, response.text

    listed = {entry["user_id"] for entry in listing(client, door).json()["entries"]}
    assert listed == {person.id for person in door.people.values()}


def test_it_is_sorted_by_family_name_in_the_readers_collation(client, door):
    names = [
        entry["family_name"] for entry in listing(client, door, query="?lang=de").json()["entries"]
    ]
    # German collation sorts Ö with O (byte order would put it last).
    assert names == ["Öberg", "Ortega", "Owusu"]


def test_markers_follow_the_latest_decision_at_once(client, door):
    person = door.people["red"]

    def marker() -> str:
        entries = listing(client, door).json()["entries"]
        return next(e["marker"]["value"] for e in entries if e["user_id"] == person.id)

    assert marker() == "red"
    decide(client, person, door.forum.slug, ALL)
    assert marker() == "green"
    decide(client, person, door.forum.slug, [{"decision": "refused", "purposes": ["press"]}])
    assert marker() == "yellow"
    decide(client, person, door.forum.slug, NONE)
    assert marker() == "red"
    response = listing(client, door)
    assert response.headers["cache-control"] == "no-store"


def test_a_new_material_notice_turns_every_marker_red(client, door):
    from tests.consent.conftest import publish

    publish(client, door.forum.admin, door.forum.slug, material=True)
    entries = listing(client, door).json()["entries"]
    assert {entry["marker"]["value"] for entry in entries} == {"red"}
    assert all(entry["needs_choice"] for entry in entries)


def test_csv_has_a_bom_translated_headers_and_no_formulas(client, door):
    response = listing(client, door, query="?format=csv&lang=fr")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    # French spreadsheets split at ";", as in every other export of the service.
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Badge", "Nom de famille", "Prénom"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Öberg"][3] == "'=cmd|' /C calc'!A0"
    assert by_name["Öberg"][4] == "Jaune\u00a0: certains usages seulement"
    assert by_name["Ortega"][5] == "–"


@pytest.mark.parametrize(("lang", "delimiter"), [("en", ","), ("de", ";"), ("es", ";")])
def test_the_csv_separates_fields_as_the_readers_spreadsheets_do(client, door, lang, delimiter):
    response = listing(client, door, query=f"?format=csv&lang={lang}")

    header = response.content.decode("utf-8-sig").splitlines()[0]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))
    assert header.count(delimiter) == len(rows[0]) - 1 >= 5
    assert {len(row) for row in rows} == {len(rows[0])}


def test_the_printable_page_is_escaped_and_in_the_readers_language(client, door):
    response = listing(client, door, query="?format=html&lang=es")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="es">' in page and "@media print" in page
    assert "Lista de fotos" in page and "Verde: fotos y vídeos para todos los usos" in page
    assert "Lucía" in page and "Municipio de Quito" in page
    assert page.index("Ortega") < page.index("Owusu")


def test_html_is_escaped(client, door, make_account):
    sneaky = with_profile(client, make_account(), "<b>Bold</b>", "<script>x()</script>", "A&B")
    registered(client, door.forum, sneaky, ALL)
    page = listing(client, door, query="?format=html").text
    assert "<script>x()" not in page and "<b>Bold" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "A&amp;B" in page


def test_the_format_follows_accept_when_not_named(client, door):
    headers = {**door.photographer.headers, "Accept": "text/csv"}
    response = client.get(f"/api/v1/forums/{door.forum.slug}/photo-list", headers=headers)
    assert response.headers["content-type"].startswith("text/csv")
    headers["Accept"] = "text/html"
    response = client.get(f"/api/v1/forums/{door.forum.slug}/photo-list", headers=headers)
    assert response.headers["content-type"].startswith("text/html")
    assert listing(client, door, query="?format=pdf").status_code == 400
