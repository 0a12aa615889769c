"""Erasure: one transaction per person, nothing left that names them, statistics unchanged."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mupass_forum.privacy.tables import Erasure
from tests.privacy.conftest import person_with_profile
from tests.privacy.conftest import rows_naming as _rows_naming
from tests.registrations.conftest import register


def _stats(client, forum) -> dict[str, Any]:
    response = client.get(f"/api/v1/forums/{forum.slug}/stats", headers=forum.admin.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_deleting_my_account_leaves_nothing_that_names_me(
    client, make_account, make_everyone_knows
) -> None:
    person = make_everyone_knows()
    other = person.companion
    waiting, _, _ = person_with_profile(client, make_account, country="SN")
    assert register(client, person.future, waiting)["status"]["value"] == "waitlisted"
    stats_before = _stats(client, person.past)
    consent_stats_before = client.get(
        f"/api/v1/forums/{person.past.slug}/consent-stats", headers=person.past.admin.headers
    ).json()
    assert client.blocking_portal.call(_rows_naming, person.traces)

    wrong = client.request(
        "DELETE",
        "/api/v1/me",
        json={"password": "not my password at all"},
        headers=person.account.headers,
    )
    assert (wrong.status_code, wrong.json()["errors"][0]["pointer"]) == (400, "/password")
    response = client.request(
        "DELETE",
        "/api/v1/me",
        json={"password": person.account.password},
        headers=person.account.headers,
    )
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["account_id"] == person.account.id
    assert receipt["posts_removed"] is False

    assert client.blocking_portal.call(_rows_naming, person.traces) == []

    # The session is gone, and no password opens the account again.
    assert client.get("/api/v1/me", headers=person.account.headers).status_code == 401
    login = client.post(
        "/api/v1/auth/login",
        json={"email": person.account.email, "password": person.account.password},
    )
    assert login.status_code == 401
    # Absent from the directory, the photo list and exports.
    directory = client.get(f"/api/v1/participants?q={person.family_name}", headers=other.headers)
    assert directory.json()["total"] == 0
    assert (
        client.get(f"/api/v1/participants/{person.account.id}", headers=other.headers).status_code
        == 404
    )
    photo_list = client.get(
        f"/api/v1/forums/{person.past.slug}/photo-list", headers=person.past.admin.headers
    ).json()
    assert [entry["user_id"] for entry in photo_list["entries"]] == [other.id]
    listed = client.get(
        f"/api/v1/forums/{person.past.slug}/registrations", headers=person.past.admin.headers
    ).json()
    assert [item["person"]["user_id"] for item in listed["items"]] == [other.id]
    exported = client.get(
        f"/api/v1/forums/{person.past.slug}/registrations/export?format=csv",
        headers=person.past.admin.headers,
    )
    assert exported.status_code == 200
    assert len(exported.text.strip().splitlines()) == 2
    # The statistics of the forum that is over are as they were.
    assert _stats(client, person.past) == stats_before
    assert (
        client.get(
            f"/api/v1/forums/{person.past.slug}/consent-stats",
            headers=person.past.admin.headers,
        ).json()
        == consent_stats_before
    )
    # The seat in the forum still to come went to the next person waiting, who was told.
    mine = client.get(
        f"/api/v1/forums/{person.future.slug}/registrations/mine", headers=waiting.headers
    ).json()
    assert mine["status"]["value"] == "confirmed"
    [logged] = client.blocking_portal.call(
        lambda: Erasure.select().where(Erasure.subject_id == person.account.id)
    )
    assert (logged["requested_by_id"], logged["channel"]) == (person.account.id, "self_service")


def test_an_admin_erases_on_request_and_others_may_not(client, make_account) -> None:
    admin = make_account(platform_admin=True)
    someone = make_account()
    target, family_name, _ = person_with_profile(client, make_account)
    url = f"/api/v1/admin/users/{target.id}/erasure"
    assert client.post(url, json={}, headers=someone.headers).status_code == 403
    response = client.post(url, json={"remove_posts": True}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["posts_removed"] is True
    again = client.post(url, json={}, headers=admin.headers)
    assert again.status_code == 404
    log = client.get("/api/v1/admin/erasures", headers=admin.headers).json()
    assert log[0]["account_id"] == target.id
    assert family_name not in json.dumps(log)
    assert client.get("/api/v1/me", headers=target.headers).status_code == 401


def test_erasure_is_all_or_nothing(client, make_account, monkeypatch) -> None:
    from mupass_forum.privacy import services

    account, family_name, _ = person_with_profile(client, make_account)
    holders = services.holders()

    async def failing(request: Any) -> None:
        raise RuntimeError("a step failed")

    # The last step fails, after every other domain has erased its share.
    broken = [*holders[:-1], dataclasses.replace(holders[-1], erase=failing)]
    monkeypatch.setattr(services, "holders", lambda: broken)
    admin = make_account(platform_admin=True)
    with_error = client.post(
        f"/api/v1/admin/users/{account.id}/erasure", json={}, headers=admin.headers
    )
    assert with_error.status_code == 500
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    profile = client.get("/api/v1/me/profile", headers=account.headers).json()
    assert profile["family_name"] == family_name
    assert not client.blocking_portal.call(
        lambda: Erasure.exists().where(Erasure.subject_id == account.id)
    )


def test_the_command_erases_by_address(client, migrated, make_account) -> None:
    from tests.test_cli import run_cli

    account = make_account()
    env = {"MUPASS_DATABASE_URL": migrated.resolved_database_url, "MUPASS_MAIL_RELAY": "off"}
    result = run_cli("erase", account.email.upper(), "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert f"account {account.id} remains as a pseudonymous tombstone" in result.stdout
    assert client.get("/api/v1/me", headers=account.headers).status_code == 401
    unknown = run_cli("erase", account.email, "--yes", env=env)
    assert unknown.returncode == 1
    assert "there is no account" in unknown.stderr
    [logged] = client.blocking_portal.call(
        lambda: Erasure.select().where(Erasure.subject_id == account.id)
    )
    assert (logged["requested_by_id"], logged["channel"]) == (None, "command_line")


def test_the_only_admin_of_an_institute_hands_it_over_before_deleting_the_account(
    client, make_account, make_organization
) -> None:
    institute = make_organization()
    admin = make_account(organizations={institute["id"]: "admin"})
    colleague = make_account(organizations={institute["id"]: "member"})

    refused = client.request(
        "DELETE", "/api/v1/me?lang=de", json={"password": admin.password}, headers=admin.headers
    )
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "last_organization_admin"
    assert institute["name"] in problem["detail"]
    assert problem["detail"].startswith("Sie sind")
    assert client.get("/api/v1/me", headers=admin.headers).status_code == 200

    members = f"/api/v1/organizations/{institute['id']}/members"
    promoted = client.patch(
        f"{members}/{colleague.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert promoted.status_code == 200, promoted.text
    erased = client.request(
        "DELETE", "/api/v1/me", json={"password": admin.password}, headers=admin.headers
    )
    assert erased.status_code == 200, erased.text
    assert erased.json()["organizations_without_admin"] == []


def test_erasure_on_request_goes_ahead_and_names_the_institutes_left_without_admin(
    client, make_account, make_organization
) -> None:
    institute = make_organization()
    shared = make_organization()
    person = make_account(organizations={institute["id"]: "admin", shared["id"]: "admin"})
    make_account(organizations={shared["id"]: "admin"})
    platform = make_account(platform_admin=True)

    response = client.post(
        f"/api/v1/admin/users/{person.id}/erasure", json={}, headers=platform.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["organizations_without_admin"] == [
        {"id": institute["id"], "name": institute["name"]}
    ]
