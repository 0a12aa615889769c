"""Every role against the forum endpoints that change things or show drafts.

Roles: anonymous, a participant (signed in, no roles), the admin of organization A (the lead),
the admin of B (a partner), the admin of C (unrelated), the forum's organizer, a platform
admin. Expected statuses are written out so that a changed rule shows as a changed row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

ROLES = ("anonymous", "participant", "admin_a", "admin_b", "admin_c", "organizer", "platform")


@dataclass
class World:
    accounts: dict[str, Any]
    org_a: int
    forum: Any
    make_account: Callable[..., Any]


@pytest.fixture
def world(client, make_account, make_organization, make_forum) -> World:
    org_a, org_b, org_c = (make_organization()["id"] for _ in range(3))
    admin_a = make_account(organizations={org_a: "admin"})
    forum = make_forum(lead_organization_id=org_a, admin=admin_a, partner_organization_ids=[org_b])
    organizer = make_account()
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": organizer.id, "role": "organizer"},
        headers=admin_a.headers,
    )
    assert response.status_code == 201, response.text
    accounts = {
        "anonymous": None,
        "participant": make_account(),
        "admin_a": admin_a,
        "admin_b": make_account(organizations={org_b: "admin"}),
        "admin_c": make_account(organizations={org_c: "admin"}),
        "organizer": organizer,
        "platform": make_account(platform_admin=True),
    }
    return World(accounts, org_a, forum, make_account)


def _create(w: World) -> tuple[str, str, dict[str, Any] | None]:
    return (
        "POST",
        "/api/v1/forums",
        {
            "slug": f"forum-{uuid.uuid4().hex[:12]}",
            "series": w.forum.body["series"]["slug"],
            "edition": 2031,
            "kind": "workshop",
            "title": {"en": "Another forum"},
            "timezone": "Africa/Accra",
            "starts_at": "2031-03-03T09:00:00",
            "ends_at": "2031-03-03T17:00:00",
            "lead_organization_id": w.org_a,
        },
    )


Request = Callable[[World], tuple[str, str, dict[str, Any] | None]]

MATRIX: list[tuple[str, Request, tuple[int, ...]]] = [
    ("create a forum led by A", _create, (401, 403, 201, 403, 403, 403, 201)),
    (
        "read the draft",
        lambda w: ("GET", f"/api/v1/forums/{w.forum.slug}", None),
        (401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "read the draft's programme",
        lambda w: ("GET", f"/api/v1/forums/{w.forum.slug}/programme", None),
        (401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "edit the draft",
        lambda w: ("PATCH", f"/api/v1/forums/{w.forum.slug}", {"capacity": 80}),
        (401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "announce the draft",
        lambda w: ("POST", f"/api/v1/forums/{w.forum.slug}/status", {"status": "announced"}),
        (401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "list the forum's roles",
        lambda w: ("GET", f"/api/v1/forums/{w.forum.slug}/roles", None),
        (401, 404, 200, 200, 404, 200, 200),
    ),
    (
        "make someone photographer",
        lambda w: (
            "POST",
            f"/api/v1/forums/{w.forum.slug}/roles",
            {"user_id": w.make_account(sign_in=False).id, "role": "photographer"},
        ),
        (401, 404, 201, 201, 404, 201, 201),
    ),
    (
        "add a programme item",
        lambda w: (
            "POST",
            f"/api/v1/forums/{w.forum.slug}/programme",
            {
                "kind": "plenary",
                "title": {"en": "Opening"},
                "starts_at": "2030-10-28T09:00:00",
                "ends_at": "2030-10-28T10:00:00",
            },
        ),
        (401, 404, 201, 201, 404, 201, 201),
    ),
]


@pytest.mark.parametrize(("action", "request_of", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_forum_permission_matrix(client, world, role, action, request_of, expected) -> None:
    method, path, body = request_of(world)
    account = world.accounts[role]
    response = client.request(method, path, json=body, headers=account.headers if account else {})
    assert response.status_code == expected[ROLES.index(role)], (role, action, response.text)


def test_an_announced_forum_is_read_by_everyone_and_edited_by_its_people_only(
    client, world
) -> None:
    admin = world.accounts["admin_a"]
    response = client.post(
        f"/api/v1/forums/{world.forum.slug}/status",
        json={"status": "announced"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    for role in ROLES:
        account = world.accounts[role]
        headers = account.headers if account else {}
        assert client.get(f"/api/v1/forums/{world.forum.slug}", headers=headers).status_code == 200
        edit = client.patch(
            f"/api/v1/forums/{world.forum.slug}", json={"capacity": 90}, headers=headers
        )
        expected = {"anonymous": 401, "participant": 403, "admin_c": 403}.get(role, 200)
        assert edit.status_code == expected, (role, edit.text)


def test_only_the_leads_admins_hand_the_forum_to_another_lead(
    client, world, make_organization
) -> None:
    partner_admin = world.accounts["admin_b"]
    other = make_organization()["id"]
    response = client.patch(
        f"/api/v1/forums/{world.forum.slug}",
        json={"lead_organization_id": other},
        headers=partner_admin.headers,
    )
    assert response.status_code == 403
    platform = world.accounts["platform"]
    response = client.patch(
        f"/api/v1/forums/{world.forum.slug}",
        json={"lead_organization_id": other},
        headers=platform.headers,
    )
    assert response.status_code == 200
    assert response.json()["lead_organization"]["id"] == other


def test_roles_are_listed_and_revoked(client, world) -> None:
    admin = world.accounts["admin_a"]
    organizer = world.accounts["organizer"]
    listed = client.get(f"/api/v1/forums/{world.forum.slug}/roles?lang=de", headers=admin.headers)
    assert [(r["user_id"], r["role"]) for r in listed.json()] == [
        (organizer.id, {"value": "organizer", "label": "Organisator/in"})
    ]
    again = client.post(
        f"/api/v1/forums/{world.forum.slug}/roles",
        json={"user_id": organizer.id, "role": "organizer"},
        headers=admin.headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "role_held"
    path = f"/api/v1/forums/{world.forum.slug}/roles/{organizer.id}/organizer"
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert client.delete(path, headers=admin.headers).status_code == 404
    # Without the role the former organizer no longer sees the draft.
    response = client.get(f"/api/v1/forums/{world.forum.slug}", headers=organizer.headers)
    assert response.status_code == 404
