"""GET /api/v1/participants: search, filters, order and pages."""

from __future__ import annotations

import pytest

from mupass_forum import db

from .conftest import unique_word

DIRECTORY = "/api/v1/participants"


def listing(client, account, **params):
    response = client.get(DIRECTORY, params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def family_names(page):
    return [item["family_name"] for item in page["items"]]


def test_search_ignores_accents_and_case_and_matches_word_starts(
    client, make_profile, make_account
):
    tag = unique_word()
    make_profile(
        given_name="José",
        family_name=f"Müller-Lüdenscheidt {tag}",
        organization="Ville de Saint-Étienne",
        visibility="signed_in",
    )
    reader = make_account()

    for query in ("muller", "LÜDENSCHEIDT", "etienne", "jose mull", "saint ville"):
        page = listing(client, reader, q=f"{tag} {query}")
        assert page["total"] == 1, query
    for query in ("uller", "jose xavier", "denscheidt"):
        assert listing(client, reader, q=f"{tag} {query}")["total"] == 0, query


def test_people_are_listed_by_family_name_a_page_at_a_time(
    client, make_profile, make_account, monkeypatch
):
    tag = unique_word()
    families = ["Ñúñez", "Öztürk", "Bello", "Álvarez", "Okafor", "Zulu", "Nzeyimana"]
    for family in families:
        make_profile(family_name=family, organization=tag, visibility="signed_in")
    reader = make_account()
    engine = db.current_engine()
    queries: list[str] = []
    run = engine.run_querystring

    async def counted(querystring, *args, **kwargs):
        if "participant_profile" in str(querystring):
            queries.append(str(querystring))
        return await run(querystring, *args, **kwargs)

    monkeypatch.setattr(engine, "run_querystring", counted)

    seen, totals, per_page, after = [], [], [], None
    while True:
        queries.clear()
        page = listing(client, reader, q=tag, limit=3, **({"cursor": after} if after else {}))
        per_page.append(len(queries))
        seen += family_names(page)
        totals.append(page["total"])
        after = page["next_cursor"]
        if after is None:
            break

    assert seen == ["Álvarez", "Bello", "Ñúñez", "Nzeyimana", "Okafor", "Öztürk", "Zulu"]
    assert totals == [7, 7, 7]
    # The page and its total, whatever the page size: never a query per person.
    assert per_page == [2, 2, 2]
    queries.clear()
    assert len(listing(client, reader, q=tag, limit=100)["items"]) == 7
    assert len(queries) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "002"}, {"Ghana", "Senegal"}),
        ({"region": "019"}, {"Colombia"}),
        ({"sub_region": "202"}, {"Ghana", "Senegal"}),
        ({"sub_region": "155"}, {"Germany"}),
        ({"country": "sn"}, {"Senegal"}),
        ({"stakeholder_group": "academia"}, {"Germany"}),
        ({"government_level": "municipal"}, {"Ghana", "Colombia"}),
        ({"topic": "fair_trade"}, {"Senegal", "Colombia"}),
        ({"language": "fr"}, {"Senegal", "Germany"}),
        ({"language": "FR", "topic": "fair_trade"}, {"Senegal"}),
        ({"region": "002", "government_level": "municipal"}, {"Ghana"}),
    ],
)
def test_filters_combine(client, make_profile, make_account, params, expected):
    tag = unique_word()
    people = {
        "Ghana": {
            "country": "GH",
            "government_level": "municipal",
            "stakeholder_group": "public_administration",
            "languages": ["en", "tw"],
            "topics": ["green_procurement"],
        },
        "Senegal": {
            "country": "SN",
            "government_level": "national",
            "stakeholder_group": "civil_society",
            "languages": ["fr", "wo"],
            "topics": ["fair_trade"],
        },
        "Colombia": {
            "country": "CO",
            "government_level": "municipal",
            "stakeholder_group": "public_administration",
            "languages": ["es"],
            "topics": ["fair_trade", "e_procurement"],
        },
        "Germany": {
            "country": "DE",
            "government_level": "not_public_sector",
            "stakeholder_group": "academia",
            "languages": ["de", "fr"],
            "topics": ["circular_economy"],
        },
    }
    for family, fields in people.items():
        make_profile(family_name=family, organization=tag, visibility="signed_in", **fields)

    page = listing(client, make_account(), q=tag, **params)

    assert set(family_names(page)) == expected
    assert page["total"] == len(expected)


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"region": "202"}, "region", "unknown_region"),
        ({"region": "999"}, "region", "unknown_region"),
        ({"sub_region": "002"}, "sub_region", "unknown_region"),
        ({"country": "XX"}, "country", "unknown_country"),
        ({"topic": "astrology"}, "topic", "unknown_topic"),
        ({"language": "xx"}, "language", "unknown_language"),
        ({"cursor": "not-a-cursor"}, "cursor", "invalid_cursor"),
        ({"forum": "0"}, "forum", "too_small"),
        ({"stakeholder_group": "lobby"}, "stakeholder_group", "invalid_choice"),
        ({"limit": "101"}, "limit", "too_large"),
    ],
)
def test_meaningless_filters_are_refused(client, make_account, params, parameter, code):
    response = client.get(DIRECTORY, params=params, headers=make_account().headers)

    assert response.status_code == 400, response.text
    assert {"parameter": parameter, "code": code} in [
        {"parameter": error.get("parameter"), "code": error["code"]}
        for error in response.json()["errors"]
    ]
