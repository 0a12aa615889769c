"""GET /api/v1/regions and /api/v1/countries in all four languages."""

from __future__ import annotations

import pycountry
import pytest

from mupass_forum.i18n.collation import search_form

ISO_CODES = {entry.alpha_2 for entry in pycountry.countries}
SUB_SAHARAN_AFRICA = {
    "de": "Subsahara-Afrika",
    "en": "Sub-Saharan Africa",
    "fr": "Afrique subsaharienne",
    "es": "África subsahariana",
}
GERMANY = {"de": "Deutschland", "en": "Germany", "fr": "Allemagne", "es": "Alemania"}


def find(nodes, code):
    for node in nodes:
        if node["code"] == code:
            return node
        found = find(node["children"], code)
        if found is not None:
            return found
    return None


def countries(client, **params):
    response = client.get("/api/v1/countries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_regions_in_french_contain_sub_saharan_africa(client):
    response = client.get("/api/v1/regions?lang=fr")

    assert response.status_code == 200
    assert "Afrique subsaharienne" in response.text


@pytest.mark.parametrize("lang", ["de", "en", "fr", "es"])
def test_the_region_tree_is_named_in_the_readers_language(client, lang):
    response = client.get("/api/v1/regions", params={"lang": lang})

    assert response.headers["content-language"] == lang
    tree = response.json()["items"]
    assert {node["code"] for node in tree} == {"002", "009", "019", "142", "150"}
    assert {node["level"] for node in tree} == {"region"}
    africa = find(tree, "002")
    sub_saharan = find(africa["children"], "202")
    assert sub_saharan["name"] == SUB_SAHARAN_AFRICA[lang]
    assert sub_saharan["level"] == "sub_region"
    assert {node["code"] for node in sub_saharan["children"]} == {"011", "014", "017", "018"}
    assert find(sub_saharan["children"], "011")["level"] == "intermediate_region"
    assert find(sub_saharan["children"], "011")["countries"] == 17
    assert sub_saharan["countries"] == sum(node["countries"] for node in sub_saharan["children"])
    # Every country but Antarctica lies in exactly one region.
    assert sum(node["countries"] for node in tree) == 249


def test_region_names_are_sorted_for_the_reader(client):
    tree = client.get("/api/v1/regions?lang=es").json()["items"]

    assert [node["name"] for node in tree] == ["África", "América", "Asia", "Europa", "Oceanía"]


def test_countries_in_spanish_list_every_iso_country_with_its_region(client):
    listed = countries(client, lang="es")

    assert {country["code"] for country in listed} >= ISO_CODES
    assert len(listed) == 250
    by_code = {country["code"]: country for country in listed}
    assert by_code["DE"]["name"] == "Alemania"
    assert by_code["DE"]["region"] == {"code": "150", "name": "Europa"}
    assert by_code["BF"]["name"] == "Burkina Faso"
    assert by_code["BF"]["region"] == {"code": "002", "name": "África"}
    assert by_code["BF"]["sub_region"] == {"code": "202", "name": "África subsahariana"}
    assert by_code["BF"]["intermediate_region"] == {"code": "011", "name": "África occidental"}
    assert by_code["DE"]["intermediate_region"] is None
    assert by_code["AQ"]["region"] is None


@pytest.mark.parametrize("lang", ["de", "en", "fr", "es"])
def test_countries_are_named_and_sorted_in_every_language(client, lang):
    response = client.get("/api/v1/countries", params={"lang": lang})

    assert response.headers["content-language"] == lang
    listed = response.json()["items"]
    assert len(listed) == 250
    assert {country["code"]: country["name"] for country in listed}["DE"] == GERMANY[lang]
    # Accented names sit with their base letter, never pushed to the end.
    initials = [search_form(country["name"])[0] for country in listed]
    assert initials == sorted(initials)


@pytest.mark.parametrize(
    ("lang", "before", "name", "after"),
    [
        ("fr", "Égypte", "Émirats arabes unis", "Équateur"),
        ("de", "Oman", "Österreich", "Pakistan"),
        ("es", "Paraguay", "Perú", "Polinesia Francesa"),
    ],
)
def test_accented_names_sort_among_their_letter(client, lang, before, name, after):
    names = [country["name"] for country in countries(client, lang=lang)]

    position = names.index(name)
    assert names[position - 1 : position + 2] == [before, name, after]


@pytest.mark.parametrize(
    ("region", "inside", "outside", "count"),
    [
        ("202", {"BF", "KE", "ZA", "AO"}, {"MA", "DE"}, 53),
        ("011", {"BF", "SN", "NG"}, {"KE", "CM"}, 17),
        ("150", {"DE", "GG", "XK", "UA"}, {"TR", "US"}, 52),
        ("419", {"PE", "MX", "CU", "BR"}, {"US", "CA"}, 52),
        ("002", {"BF", "MA"}, {"ES"}, 60),
    ],
)
def test_countries_filtered_by_a_region_at_any_level(client, region, inside, outside, count):
    listed = countries(client, lang="en", region=region)

    codes = {country["code"] for country in listed}
    assert inside <= codes
    assert not outside & codes
    assert len(listed) == count
    for country in listed:
        assert region in {
            (country[level] or {}).get("code")
            for level in ("region", "sub_region", "intermediate_region")
        }


def test_an_unknown_region_is_a_problem_naming_the_parameter(client):
    response = client.get("/api/v1/countries", params={"region": "999", "lang": "de"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert problem["errors"] == [
        {
            "parameter": "region",
            "code": "unknown_region",
            "detail": "Es gibt keine Region mit dem Code 999.",
        }
    ]


def test_a_country_code_is_no_region_filter(client):
    response = client.get("/api/v1/countries", params={"region": "DE"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_region"


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("de", "oster", {"AT"}),
        ("de", "ÖSTERR", {"AT"}),
        ("fr", "emirats", {"AE"}),
        ("fr", "ivoire", {"CI"}),
        ("fr", "congo-k", {"CD"}),
        ("es", "peru", {"PE"}),
        ("en", "bf", {"BF"}),
        ("es", "burkina", {"BF"}),
    ],
)
def test_countries_found_by_the_start_of_a_word(client, lang, query, expected):
    listed = countries(client, lang=lang, q=query)

    assert {country["code"] for country in listed} == expected


def test_search_combines_with_the_region_filter(client):
    everywhere = {country["code"] for country in countries(client, lang="en", q="guinea")}
    in_west_africa = {
        country["code"] for country in countries(client, lang="en", q="guinea", region="011")
    }

    assert everywhere == {"GN", "GW", "GQ", "PG"}
    assert in_west_africa == {"GN", "GW"}


def test_a_blank_search_lists_everything(client):
    assert len(countries(client, lang="en", q="  ")) == 250


def test_lists_may_be_cached_by_browsers_and_proxies_per_language(client):
    for path in ("/api/v1/regions", "/api/v1/countries"):
        response = client.get(path, headers={"Accept-Language": "fr"})

        assert response.headers["cache-control"] == "max-age=86400, public"
        assert "Accept-Language" in response.headers["vary"]
        assert response.headers["content-language"] == "fr"
