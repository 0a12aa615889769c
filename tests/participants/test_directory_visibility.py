"""Who sees which profile, in the directory and one by one; no filter or count may leak one.

Roles: anonymous, a participant (signed in, no roles), the admin of the organization the
profile owners linked (organization admins see no more than other participants), the owner of
the profile, and a platform admin. Expected answers are written out in full, so a change of
rule shows up as a changed row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from mupass_forum.participants import visibility
from mupass_forum.participants.visibility import Condition

from .conftest import unique_word

DIRECTORY = "/api/v1/participants"
ROLES = ("anonymous", "participant", "organization_admin", "owner", "platform_admin")
VISIBILITIES = ("hidden", "forums", "signed_in")

#: Every filter the directory has, each matching every profile of ``world``.
FILTERS: list[dict[str, Any]] = [
    {},
    {"region": "002"},
    {"sub_region": "202"},
    {"country": "GH"},
    {"stakeholder_group": "public_administration"},
    {"government_level": "municipal"},
    {"topic": "fair_trade"},
    {"language": "tw"},
    {
        "region": "002",
        "sub_region": "202",
        "country": "GH",
        "stakeholder_group": "public_administration",
        "government_level": "municipal",
        "topic": "fair_trade",
        "language": "tw",
    },
]


@dataclass
class World:
    tag: str
    organization: int
    #: visibility -> the owner of a profile with that visibility
    owners: dict[str, Any]
    callers: dict[str, Any]

    def caller(self, role: str, visibility: str) -> Any:
        return self.owners[visibility] if role == "owner" else self.callers[role]


def same_profile(tag: str, organization: int | None = None) -> dict[str, Any]:
    """Fields that every filter of ``FILTERS`` matches."""
    fields: dict[str, Any] = {
        "family_name": unique_word(),
        "organization": f"Ayuntamiento {tag}",
        "country": "GH",
        "stakeholder_group": "public_administration",
        "government_level": "municipal",
        "languages": ["en", "tw"],
        "topics": ["fair_trade", "monitoring"],
        "show_email": True,
    }
    if organization is not None:
        fields["organization_id"] = organization
    return fields


@pytest.fixture
def world(make_account, make_profile, make_organization) -> World:
    tag = unique_word()
    organization = make_organization()["id"]
    owners = {
        chosen: make_profile(
            make_account(organizations={organization: "member"}),
            visibility=chosen,
            **same_profile(tag, organization),
        )
        for chosen in VISIBILITIES
    }
    callers = {
        "anonymous": None,
        "participant": make_account(),
        "organization_admin": make_account(organizations={organization: "admin"}),
        "platform_admin": make_account(platform_admin=True),
    }
    return World(tag, organization, owners, callers)


def headers(account):
    return account.headers if account is not None else {}


def listed(client, account, tag, **params):
    response = client.get(DIRECTORY, params={"q": tag, **params}, headers=headers(account))
    assert response.status_code == 200, response.text
    return response.json()


# (visibility of the profile, status of GET /participants/{id} per role in the order of ROLES)
READ_MATRIX = [
    ("hidden", (401, 404, 404, 200, 200)),
    ("forums", (401, 404, 404, 200, 200)),
    ("signed_in", (401, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(("profile_visibility", "statuses"), READ_MATRIX)
def test_who_reads_a_profile(client, world, profile_visibility, statuses):
    owner = world.owners[profile_visibility]
    for role, expected in zip(ROLES, statuses, strict=True):
        response = client.get(
            f"{DIRECTORY}/{owner.id}", headers=headers(world.caller(role, profile_visibility))
        )
        assert response.status_code == expected, (role, response.text)
        if expected == 200:
            assert response.json()["user_id"] == owner.id
            assert response.json()["email"] == owner.email


# (role, which of the world's profiles the directory lists)
LIST_MATRIX = [
    ("participant", {"signed_in"}),
    ("organization_admin", {"signed_in"}),
    ("platform_admin", {"hidden", "forums", "signed_in"}),
]


@pytest.mark.parametrize(("role", "expected"), LIST_MATRIX)
@pytest.mark.parametrize("filters", FILTERS)
def test_who_finds_whom_under_every_filter(client, world, role, expected, filters):
    page = listed(client, world.callers[role], world.tag, **filters)

    ids = {item["user_id"] for item in page["items"]}
    assert ids == {world.owners[chosen].id for chosen in expected}
    assert page["total"] == len(expected)


@pytest.mark.parametrize("profile_visibility", VISIBILITIES)
def test_owners_find_their_own_profile_and_the_visible_ones(client, world, profile_visibility):
    page = listed(client, world.owners[profile_visibility], world.tag)

    found = {item["user_id"] for item in page["items"]}
    assert found == {world.owners[profile_visibility].id, world.owners["signed_in"].id}


def test_anonymous_callers_see_no_directory(client, world):
    response = client.get(DIRECTORY, params={"q": world.tag})

    assert response.status_code == 401
    assert world.tag not in response.text


@pytest.mark.parametrize("filters", FILTERS)
def test_hidden_profiles_change_neither_pages_nor_totals(
    client, make_account, make_profile, filters
):
    """More hidden and forum-only profiles matching every filter: the answer stays the same."""
    tag = unique_word()
    reader = make_account()
    visible = make_profile(visibility="signed_in", **same_profile(tag))
    before = listed(client, reader, tag, limit=1, **filters)

    for chosen in ("hidden", "forums", "hidden", "forums"):
        make_profile(visibility=chosen, **same_profile(tag))
    after = listed(client, reader, tag, limit=1, **filters)

    assert after == before
    assert [item["user_id"] for item in after["items"]] == [visible.id]
    assert after["total"] == 1
    assert after["next_cursor"] is None


def test_a_profile_made_hidden_disappears_at_once(client, make_account, make_profile):
    tag = unique_word()
    reader = make_account()
    owner = make_profile(visibility="signed_in", **same_profile(tag))
    assert listed(client, reader, tag)["total"] == 1

    client.patch("/api/v1/me/profile", json={"visibility": "hidden"}, headers=owner.headers)

    assert listed(client, reader, tag)["total"] == 0
    assert client.get(f"{DIRECTORY}/{owner.id}", headers=reader.headers).status_code == 404


def test_the_email_stays_private_without_opt_in_even_for_admins(client, make_account, make_profile):
    owner = make_profile(visibility="signed_in", show_email=False)

    for reader in (make_account(), make_account(platform_admin=True), owner):
        item = client.get(f"{DIRECTORY}/{owner.id}", headers=reader.headers).json()
        assert item["email"] is None
        assert owner.email not in str(item)


def test_the_forum_filter_finds_nobody_while_nobody_attends(client, world):
    for role in ("participant", "organization_admin", "platform_admin"):
        page = listed(client, world.callers[role], world.tag, forum=7)
        assert page == {"items": [], "total": 0, "next_cursor": None}, role


# The extension point, with attendance as registrations will supply it --------------------------


class Attending:
    """Attendance from a fixed table, standing in for registrations."""

    def __init__(self, forums: dict[int, set[int]]) -> None:
        self.forums = forums

    async def forums_of(self, user_id: int) -> frozenset[int]:
        return frozenset(forum for forum, people in self.forums.items() if user_id in people)

    def attendees_of(self, forum_ids: frozenset[int]) -> Condition:
        people = sorted({person for forum in forum_ids for person in self.forums.get(forum, ())})
        if not people:
            return visibility.FALSE
        return Condition(f'p."user" IN ({", ".join("{}" for _ in people)})', tuple(people))


@pytest.fixture
def attend(app_context):
    """Install an attendance for one test: ``attend({forum_id: {user ids}})``."""
    removals = []

    def install(forums: dict[int, set[int]]) -> None:
        removals.append(visibility.use_attendance(app_context.hooks, Attending(forums)))

    yield install
    for remove in removals:
        remove()


def test_co_attendees_see_forum_profiles_once_attendance_exists(
    client, world, make_account, attend
):
    forums_owner = world.owners["forums"]
    hidden_owner = world.owners["hidden"]
    co_attendee = make_account()
    elsewhere = make_account()
    attend({1: {forums_owner.id, hidden_owner.id, co_attendee.id}, 2: {elsewhere.id}})

    seen = {item["user_id"] for item in listed(client, co_attendee, world.tag)["items"]}
    assert seen == {forums_owner.id, world.owners["signed_in"].id}
    assert (
        client.get(f"{DIRECTORY}/{forums_owner.id}", headers=co_attendee.headers).status_code == 200
    )
    assert (
        client.get(f"{DIRECTORY}/{hidden_owner.id}", headers=co_attendee.headers).status_code == 404
    )
    not_seen = {item["user_id"] for item in listed(client, elsewhere, world.tag)["items"]}
    assert not_seen == {world.owners["signed_in"].id}


def test_the_forum_filter_is_for_attendees_and_admins(client, world, make_account, attend):
    co_attendee = make_account()
    attendees = {world.owners["forums"].id, world.owners["signed_in"].id, co_attendee.id}
    attend({1: attendees | {world.owners["hidden"].id}})

    def found(account):
        page = listed(client, account, world.tag, forum=1)
        return {item["user_id"] for item in page["items"]}, page["total"]

    # The hidden attendee stays hidden from another attendee, and is not counted.
    assert found(co_attendee) == ({world.owners["forums"].id, world.owners["signed_in"].id}, 2)
    # Someone who does not attend cannot learn who does.
    assert found(world.callers["participant"]) == (set(), 0)
    assert found(world.callers["platform_admin"])[1] == 3
