"""/api/v1/me/profile: writing, changing and reading one's own profile."""

from __future__ import annotations

import asyncio
import functools

import pytest

from mupass_forum.piccolo_conf import APP_REGISTRY

from .conftest import unique_word

PROFILE = "/api/v1/me/profile"


def put(client, account, **body):
    return client.put(PROFILE, json=body, headers=account.headers)


def test_a_new_profile_is_hidden_and_derives_its_regions(client, make_account):
    owner = make_account()

    response = put(client, owner, given_name=" Kofi ", family_name="Mensah", country="gh")

    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["given_name"] == "Kofi"
    assert profile["country"]["code"] == "GH"
    assert profile["region"]["code"] == "002"
    assert profile["sub_region"]["code"] == "202"
    assert profile["visibility"]["value"] == "hidden"
    assert profile["show_email"] is False
    assert profile["email"] is None
    assert client.get(PROFILE, headers=owner.headers).json() == profile


@pytest.mark.parametrize(
    ("lang", "sub_region", "level", "group", "topic"),
    [
        (
            "de",
            "Subsahara-Afrika",
            "Kommunal oder lokal",
            "Zivilgesellschaft und NGOs",
            "Fairer Handel und ILO-Kernarbeitsnormen",
        ),
        (
            "fr",
            "Afrique subsaharienne",
            "Communal ou local",
            "Société civile et ONG",
            "Commerce équitable et normes du travail de l’OIT",
        ),
        (
            "es",
            "África subsahariana",
            "Municipal o local",
            "Sociedad civil y ONG",
            "Comercio justo y normas laborales de la OIT",
        ),
        (
            "en",
            "Sub-Saharan Africa",
            "Municipal or local",
            "Civil society and NGOs",
            "Fair trade and ILO labour standards",
        ),
    ],
)
def test_labels_and_names_come_in_the_readers_language(
    client, make_profile, lang, sub_region, level, group, topic
):
    owner = make_profile(
        country="BF",
        government_level="municipal",
        stakeholder_group="civil_society",
        languages=["fr", "en"],
        topics=["fair_trade"],
    )

    profile = client.get(PROFILE, params={"lang": lang}, headers=owner.headers).json()

    assert profile["sub_region"]["name"] == sub_region
    assert profile["government_level"] == {"value": "municipal", "label": level}
    assert profile["stakeholder_group"]["label"] == group
    french = {"de": "Französisch", "fr": "français", "es": "francés", "en": "French"}[lang]
    assert {"code": "fr", "name": french} in profile["languages"]
    assert profile["topics"] == [{"key": "fair_trade", "label": topic}]


def test_the_email_is_shown_only_when_its_owner_opts_in(client, make_profile):
    owner = make_profile(show_email=True)

    assert client.get(PROFILE, headers=owner.headers).json()["email"] == owner.email
    response = client.patch(PROFILE, json={"show_email": False}, headers=owner.headers)
    assert response.json()["email"] is None


def test_patch_changes_only_the_fields_sent_and_null_clears(client, make_profile):
    owner = make_profile(
        position="Procurement officer",
        country="CO",
        languages=["es"],
        topics=["green_procurement"],
        stakeholder_group="public_administration",
    )

    response = client.patch(
        PROFILE,
        json={"bio": "Compras públicas sostenibles", "country": None},
        headers=owner.headers,
    )

    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["bio"] == "Compras públicas sostenibles"
    assert profile["country"] is None and profile["region"] is None
    assert profile["position"] == "Procurement officer"
    assert [language["code"] for language in profile["languages"]] == ["es"]
    assert [topic["key"] for topic in profile["topics"]] == ["green_procurement"]
    assert profile["stakeholder_group"]["value"] == "public_administration"


def test_put_replaces_the_whole_profile(client, make_profile):
    owner = make_profile(position="Mayor", languages=["de", "en"], visibility="signed_in")

    profile = put(client, owner, given_name="Anna", family_name="Schmidt").json()

    assert profile["position"] == ""
    assert profile["languages"] == []
    assert profile["visibility"]["value"] == "hidden"


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"country": "XX"}, "/country", "unknown_country"),
        ({"languages": ["de", "xx"]}, "/languages/1", "unknown_language"),
        ({"topics": ["astrology"]}, "/topics/0", "unknown_topic"),
        ({"given_name": "   "}, "/given_name", "required"),
        ({"visibility": "public"}, "/visibility", "invalid_choice"),
        ({"stakeholder_group": "lobby"}, "/stakeholder_group", "invalid_choice"),
        ({"is_platform_admin": True}, "/is_platform_admin", "unknown_field"),
        ({"region": "150"}, "/region", "unknown_field"),
    ],
)
def test_invalid_fields_are_refused_and_named(client, make_profile, body, pointer, code):
    owner = make_profile(country="DE")

    response = client.patch(PROFILE, json=body, headers=owner.headers)

    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {"pointer": pointer, "code": code} in [
        {"pointer": error.get("pointer"), "code": error["code"]} for error in errors
    ]
    assert client.get(PROFILE, headers=owner.headers).json()["country"]["code"] == "DE"


def test_errors_are_translated(client, make_profile):
    owner = make_profile()

    response = client.patch(
        PROFILE, params={"lang": "es"}, json={"topics": ["astrology"]}, headers=owner.headers
    )

    assert response.json()["errors"][0]["detail"] == "astrology no es un tema de la lista."


def test_patch_and_get_before_a_profile_exists_are_404(client, make_account):
    someone = make_account()

    assert client.get(PROFILE, headers=someone.headers).status_code == 404
    response = client.patch(PROFILE, json={"bio": "Hi"}, headers=someone.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "profile_not_found"


def test_anonymous_callers_have_no_profile(client):
    assert client.get(PROFILE).status_code == 401
    assert client.put(PROFILE, json={"given_name": "A", "family_name": "B"}).status_code == 401


def test_only_members_link_an_organization(client, make_account, make_organization):
    organization = make_organization(name=f"Municipal network {unique_word()}")
    member = make_account(organizations={organization["id"]: "member"})
    outsider = make_account()

    linked = put(
        client, member, given_name="A", family_name="B", organization_id=organization["id"]
    )
    refused = put(
        client, outsider, given_name="A", family_name="B", organization_id=organization["id"]
    )

    assert linked.status_code == 200, linked.text
    assert linked.json()["organization_id"] == organization["id"]
    assert linked.json()["organization"] == organization["name"]
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "not_a_member"


def test_deleting_the_profile_keeps_the_account(client, make_profile):
    owner = make_profile()

    assert client.delete(PROFILE, headers=owner.headers).status_code == 204
    assert client.get(PROFILE, headers=owner.headers).status_code == 404
    assert client.get("/api/v1/me", headers=owner.headers).status_code == 200


def _snapshot(client, tables):
    async def read():
        return {table._meta.tablename: sorted(map(repr, await table.select())) for table in tables}

    return client.blocking_portal.call(functools.partial(asyncio.wait_for, read(), 30))


def test_profile_edits_write_nothing_but_profile_rows(client, make_profile):
    """Registrations and consent live in other tables: edits must leave every one alone."""
    participants = APP_REGISTRY.get_app_config("participants").table_classes
    others = [
        table
        for app in APP_REGISTRY.app_configs.values()
        if app.app_name != "participants"
        for table in app.table_classes
    ]
    owner = make_profile()
    before = _snapshot(client, others)
    profile_before = _snapshot(client, participants)

    put(client, owner, given_name="Nadia", family_name=unique_word(), languages=["ar", "fr"])
    client.patch(
        PROFILE, json={"topics": ["monitoring"], "show_email": True}, headers=owner.headers
    )

    assert _snapshot(client, others) == before
    assert _snapshot(client, participants) != profile_before
