"""Every role against every accounts endpoint: who may read and write what.

Roles: anonymous, a participant (signed in, no roles), a member of organization A, an admin of
A, an admin of organization B, and a platform admin. Expected statuses are written out in full
so that a change of rule shows up as a changed row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

ROLES = ("anonymous", "participant", "member_a", "admin_a", "admin_b", "platform_admin")


@dataclass
class World:
    accounts: dict[str, Any]
    org_a: int
    org_b: int
    make_account: Callable[..., Any]

    def fresh_email(self) -> str:
        return self.make_account(sign_in=False).email

    def fresh_member_of_a(self) -> int:
        return int(self.make_account(sign_in=False, organizations={self.org_a: "member"}).id)


@pytest.fixture
def world(make_account, make_organization) -> World:
    org_a = make_organization()["id"]
    org_b = make_organization()["id"]
    accounts = {
        "anonymous": None,
        "participant": make_account(),
        "member_a": make_account(organizations={org_a: "member"}),
        "admin_a": make_account(organizations={org_a: "admin"}),
        "admin_b": make_account(organizations={org_b: "admin"}),
        "platform_admin": make_account(platform_admin=True),
    }
    return World(accounts, org_a, org_b, make_account)


Request = Callable[[World], tuple[str, str, dict[str, Any] | None]]

# (name, request, expected status per role in the order of ROLES)
MATRIX: list[tuple[str, Request, tuple[int, ...]]] = [
    (
        "list organizations",
        lambda w: ("GET", "/api/v1/organizations", None),
        (200, 200, 200, 200, 200, 200),
    ),
    (
        "read organization A",
        lambda w: ("GET", f"/api/v1/organizations/{w.org_a}", None),
        (200, 200, 200, 200, 200, 200),
    ),
    (
        "create an organization",
        lambda w: (
            "POST",
            "/api/v1/organizations",
            {"name": f"New {uuid.uuid4().hex}", "kind": "ngo", "country": "GH"},
        ),
        (401, 403, 403, 403, 403, 201),
    ),
    (
        "change organization A",
        lambda w: (
            "PATCH",
            f"/api/v1/organizations/{w.org_a}",
            {"website": "https://example.org/a"},
        ),
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "list the members of A",
        lambda w: ("GET", f"/api/v1/organizations/{w.org_a}/members", None),
        (401, 403, 200, 200, 403, 200),
    ),
    (
        "add a member to A",
        lambda w: (
            "POST",
            f"/api/v1/organizations/{w.org_a}/members",
            {"email": w.fresh_email(), "role": "member"},
        ),
        (401, 403, 403, 202, 403, 202),
    ),
    (
        "make a member of A admin",
        lambda w: (
            "PATCH",
            f"/api/v1/organizations/{w.org_a}/members/{w.fresh_member_of_a()}",
            {"role": "admin"},
        ),
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "remove a member from A",
        lambda w: (
            "DELETE",
            f"/api/v1/organizations/{w.org_a}/members/{w.fresh_member_of_a()}",
            None,
        ),
        (401, 403, 403, 204, 403, 204),
    ),
    (
        "read my account",
        lambda w: ("GET", "/api/v1/me", None),
        (401, 200, 200, 200, 200, 200),
    ),
    (
        "change my account",
        lambda w: ("PATCH", "/api/v1/me", {"display_name": "Renamed"}),
        (401, 200, 200, 200, 200, 200),
    ),
    (
        "list my sessions",
        lambda w: ("GET", "/api/v1/me/sessions", None),
        (401, 200, 200, 200, 200, 200),
    ),
    (
        "list translators",
        lambda w: ("GET", "/api/v1/translator-roles", None),
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "make someone a translator",
        lambda w: (
            "POST",
            "/api/v1/translator-roles",
            {"user_id": w.accounts["participant"].id, "locale": "de"},
        ),
        (401, 403, 403, 403, 403, 201),
    ),
    (
        "end a translator role",
        lambda w: ("DELETE", f"/api/v1/translator-roles/{w.accounts['participant'].id}/es", None),
        (401, 403, 403, 403, 403, 404),
    ),
]


@pytest.mark.parametrize(("name", "request_of", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(client, world, name, request_of, expected):
    seen = {}
    for role, status in zip(ROLES, expected, strict=True):
        method, path, body = request_of(world)
        account = world.accounts[role]
        headers = account.headers if account else {}
        response = client.request(method, path, json=body, headers=headers)
        seen[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        if status == 201 and name == "make someone a translator":
            # Granted once; the next admin in the table would meet a conflict.
            client.delete(
                f"/api/v1/translator-roles/{world.accounts['participant'].id}/de",
                headers=world.accounts["platform_admin"].headers,
            )
    assert seen == dict(zip(ROLES, expected, strict=True))


def test_the_admin_of_b_cannot_touch_a_and_a_stays_unchanged(client, world):
    admin_b = world.accounts["admin_b"]
    before = client.get(f"/api/v1/organizations/{world.org_a}").json()

    attempts = [
        client.patch(
            f"/api/v1/organizations/{world.org_a}",
            json={"name": "Taken over"},
            headers=admin_b.headers,
        ),
        client.post(
            f"/api/v1/organizations/{world.org_a}/members",
            json={"email": admin_b.email, "role": "admin"},
            headers=admin_b.headers,
        ),
        client.delete(
            f"/api/v1/organizations/{world.org_a}/members/{world.accounts['admin_a'].id}",
            headers=admin_b.headers,
        ),
    ]

    assert [attempt.status_code for attempt in attempts] == [403, 403, 403]
    assert {attempt.json()["code"] for attempt in attempts} == {"forbidden"}
    assert client.get(f"/api/v1/organizations/{world.org_a}").json() == before
    members = client.get(
        f"/api/v1/organizations/{world.org_a}/members",
        headers=world.accounts["platform_admin"].headers,
    ).json()
    assert admin_b.id not in [member["user_id"] for member in members]


@pytest.mark.parametrize("field", ["role", "is_admin", "is_platform_admin", "email_verified"])
def test_mass_assignment_on_me_is_rejected_and_not_applied(client, world, field):
    participant = world.accounts["participant"]

    response = client.patch(
        "/api/v1/me", json={"display_name": "Sneaky", field: True}, headers=participant.headers
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert problem["errors"] == [
        {
            "pointer": f"/{field}",
            "code": "unknown_field",
            "detail": "This field is not accepted here.",
        }
    ]
    me = client.get("/api/v1/me", headers=participant.headers).json()
    assert me["is_platform_admin"] is False
    assert me["display_name"] != "Sneaky"


@pytest.mark.parametrize("field", ["role", "is_admin", "is_platform_admin"])
def test_mass_assignment_on_sign_up_is_rejected(client, field):
    email = f"mass-{uuid.uuid4().hex[:10]}@example.org"
    response = client.post(
        "/api/v1/auth/signup",
        json={
            "email": email,
            "password": "a long enough password",
            "display_name": "Mass",
            "locale": "en",
            "timezone": "UTC",
            field: "admin",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == f"/{field}"
    # Nothing was created: the same address can sign up properly afterwards.
    from mupass_forum.accounts.tables import User

    assert not client.blocking_portal.call(User.exists().where(User.email == email).run)


def test_members_cannot_grant_themselves_admin(client, world):
    member = world.accounts["member_a"]

    response = client.patch(
        f"/api/v1/organizations/{world.org_a}/members/{member.id}",
        json={"role": "admin"},
        headers=member.headers,
    )

    assert response.status_code == 403
    me = client.get("/api/v1/me", headers=member.headers).json()
    assert me["organizations"] == [
        {"id": world.org_a, "name": me["organizations"][0]["name"], "role": "member"}
    ]
