"""Partner institutes and their members."""

from __future__ import annotations

import uuid

from mupass_forum.mail.tables import OutboxMail


def test_an_organization_is_created_and_read_in_the_readers_language(
    client, make_account, make_organization
):
    created = make_organization(kind="municipal_network", country="gh", website="https://x.example")

    read = client.get(f"/api/v1/organizations/{created['id']}?lang=fr").json()

    assert read["country"] == "GH"
    assert read["country_name"] == "Ghana"
    assert read["kind"] == "municipal_network"
    assert read["kind_label"] == "Réseau de communes"
    assert read["website"] == "https://x.example"
    assert (
        client.get(f"/api/v1/organizations/{created['id']}?lang=de").json()["kind_label"]
        == "Kommunales Netzwerk"
    )


def test_invalid_organizations_are_refused_field_by_field(client, make_account):
    admin = make_account(platform_admin=True)

    response = client.post(
        "/api/v1/organizations",
        json={"name": " ", "kind": "club", "country": "XX", "website": "ftp://x"},
        headers=admin.headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/kind"

    response = client.post(
        "/api/v1/organizations",
        json={"name": " ", "kind": "ngo", "country": "XX", "website": "ftp://x"},
        headers=admin.headers,
    )
    assert {error["pointer"]: error["code"] for error in response.json()["errors"]} == {
        "/name": "required",
        "/country": "unknown_country",
        "/website": "invalid_url",
    }


def test_organization_names_are_unique(client, make_account, make_organization):
    admin = make_account(platform_admin=True)
    first = make_organization()
    second = make_organization()

    again = client.post(
        "/api/v1/organizations",
        json={"name": first["name"], "kind": "ngo", "country": "DE"},
        headers=admin.headers,
    )
    renamed = client.patch(
        f"/api/v1/organizations/{second['id']}", json={"name": first["name"]}, headers=admin.headers
    )

    assert again.status_code == renamed.status_code == 409
    assert again.json()["code"] == "organization_name_taken"
    assert first["name"] in again.json()["detail"]


def test_organizations_come_in_pages(client, make_organization):
    made = [make_organization()["id"] for _ in range(3)]

    first = client.get(f"/api/v1/organizations?after={made[0] - 1}&limit=2").json()
    second = client.get(f"/api/v1/organizations?after={first['next_cursor']}&limit=2").json()

    assert [item["id"] for item in first["items"]] == made[:2]
    assert second["items"][0]["id"] == made[2]
    assert client.get("/api/v1/organizations?limit=0").status_code == 400
    unknown = client.get("/api/v1/organizations/999999999")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "organization_not_found"


def test_admins_manage_members_and_the_last_admin_stays(client, make_account, make_organization):
    organization = make_organization()["id"]
    admin = make_account(organizations={organization: "admin"})
    newcomer = make_account()
    base = f"/api/v1/organizations/{organization}/members"

    added = client.post(base, json={"email": newcomer.email.upper()}, headers=admin.headers)
    assert added.status_code == 202
    roles = {m["user_id"]: m["role"] for m in client.get(base, headers=admin.headers).json()}
    assert roles[newcomer.id] == "member"

    me = client.get("/api/v1/me", headers=newcomer.headers).json()
    assert [entry["id"] for entry in me["organizations"]] == [organization]

    last = client.patch(f"{base}/{admin.id}", json={"role": "member"}, headers=admin.headers)
    assert last.status_code == 409
    assert last.json()["code"] == "last_admin"
    assert client.delete(f"{base}/{admin.id}", headers=admin.headers).status_code == 409

    promoted = client.patch(f"{base}/{newcomer.id}", json={"role": "admin"}, headers=admin.headers)
    assert promoted.json()["role"] == "admin"
    assert client.delete(f"{base}/{admin.id}", headers=admin.headers).status_code == 204
    members = client.get(base, headers=newcomer.headers).json()
    assert [(member["user_id"], member["role"]) for member in members] == [(newcomer.id, "admin")]
    assert client.get(base, headers=admin.headers).status_code == 403


def test_adding_a_member_tells_nothing_about_the_address_and_tells_the_person(
    client, make_account, make_organization
):
    organization = make_organization(name=f"Institute {uuid.uuid4().hex[:6]}")
    admin = make_account(organizations={organization["id"]: "admin"}, display_name="Ada Admin")
    newcomer = make_account(locale="de")
    base = f"/api/v1/organizations/{organization['id']}/members"

    answers = [
        client.post(base, json={"email": email}, headers=admin.headers)
        for email in (newcomer.email, newcomer.email, f"nobody-{uuid.uuid4().hex}@example.org")
    ]

    assert {answer.status_code for answer in answers} == {202}
    assert len({answer.text for answer in answers}) == 1
    assert "nobody" not in answers[2].text
    [told] = client.blocking_portal.call(
        OutboxMail.select(OutboxMail.subject, OutboxMail.text)
        .where(
            OutboxMail.recipient == newcomer.email,
            OutboxMail.template == "accounts.member_added",
        )
        .run
    )
    assert organization["name"] in told["subject"] and "Ada Admin" in told["text"]


def test_translator_roles_show_in_the_principal(client, make_account):
    admin = make_account(platform_admin=True)
    translator = make_account(email=f"tr-{uuid.uuid4().hex[:8]}@example.org")

    granted = client.post(
        "/api/v1/translator-roles",
        json={"user_id": translator.id, "locale": "fr"},
        headers=admin.headers,
    )
    assert granted.status_code == 201
    twice = client.post(
        "/api/v1/translator-roles?lang=fr",
        json={"user_id": translator.id, "locale": "fr"},
        headers=admin.headers,
    )
    assert twice.status_code == 409
    assert twice.json()["detail"] == "Cette personne traduit déjà en français."
    unsupported = client.post(
        "/api/v1/translator-roles",
        json={"user_id": translator.id, "locale": "pt"},
        headers=admin.headers,
    )
    assert unsupported.json()["errors"][0]["pointer"] == "/locale"

    assert client.get("/api/v1/me", headers=translator.headers).json()["translator_locales"] == [
        "fr"
    ]
    listed = client.get("/api/v1/translator-roles?locale=fr", headers=admin.headers).json()
    assert translator.id in [entry["user_id"] for entry in listed]

    revoked = client.delete(f"/api/v1/translator-roles/{translator.id}/fr", headers=admin.headers)
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=translator.headers).json()["translator_locales"] == []
