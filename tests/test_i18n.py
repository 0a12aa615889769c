"""Locale negotiation, localized problems and catalogs read at start-up."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from mupass_forum.i18n import format_number, format_percent, use_locale
from mupass_forum.i18n.locale import negotiate, parse_accept_language
from mupass_forum.paths import project_dir

NOT_FOUND_TITLES = {
    "de": "Nicht gefunden",
    "en": "Not found",
    "fr": "Introuvable",
    "es": "No encontrado",
}


@pytest.mark.parametrize(("locale", "title"), NOT_FOUND_TITLES.items())
def test_unknown_route_is_a_problem_in_the_readers_language(client, locale, title):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": locale})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == locale
    problem = response.json()
    assert problem["title"] == title
    assert problem["code"] == "not_found"
    assert problem["status"] == 404
    assert "/api/v1/no-such-thing" in problem["detail"]
    assert problem["type"].endswith(":not_found")


def test_titles_differ_between_all_four_languages():
    assert len(set(NOT_FOUND_TITLES.values())) == 4


def test_lang_parameter_wins_over_accept_language(client):
    response = client.get("/api/v1/no-such-thing?lang=es", headers={"Accept-Language": "de"})

    assert response.headers["content-language"] == "es"
    assert response.json()["title"] == "No encontrado"


def test_a_lang_parameter_that_is_no_language_tag_names_the_supported_ones(client):
    response = client.get("/api/v1/no-such-thing?lang=fr!", headers={"Accept-Language": "fr"})

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "unsupported_locale"
    assert response.headers["content-language"] == "fr"
    for supported in ("de", "en", "fr", "es"):
        assert supported in problem["detail"]
    assert problem["errors"] == [
        {
            "parameter": "lang",
            "code": "unsupported_locale",
            "detail": problem["errors"][0]["detail"],
        }
    ]


def test_a_language_the_service_lacks_falls_back_like_accept_language(client):
    response = client.get("/api/v1/no-such-thing?lang=pt", headers={"Accept-Language": "fr"})

    assert response.status_code == 404
    assert response.headers["content-language"] == "fr"
    assert response.json()["title"] == "Introuvable"


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        ("FR", "fr"),
        ("DE-de", "de"),
        ("de-AT", "de"),
        ("es-419", "es"),
        ("fr-CA", "fr"),
        ("en_GB", "en"),
    ],
)
def test_lang_parameter_is_case_insensitive_and_regions_reach_their_language(client, asked, served):
    response = client.get(f"/api/v1/no-such-thing?lang={asked}", headers={"Accept-Language": "it"})

    assert response.status_code == 404
    assert response.headers["content-language"] == served
    assert response.json()["title"] == NOT_FOUND_TITLES[served]


@pytest.mark.parametrize(
    ("header", "served"), [("FR", "fr"), ("DE-de", "de"), ("ES-419, en;q=0.5", "es")]
)
def test_accept_language_is_case_insensitive(client, header, served):
    response = client.get("/health/live", headers={"Accept-Language": header})

    assert response.headers["content-language"] == served


def test_region_subtags_and_quality_values_are_negotiated(client):
    response = client.get(
        "/health/live", headers={"Accept-Language": "pt-BR, es-MX;q=0.9, de;q=0.8"}
    )
    assert response.headers["content-language"] == "es"


def test_unknown_languages_fall_back_to_the_default(client):
    response = client.get("/health/live", headers={"Accept-Language": "ja, zh;q=0.5"})
    assert response.headers["content-language"] == "en"


def test_every_response_carries_content_language_and_vary(client):
    response = client.get("/health/live")
    assert response.headers["content-language"] == "en"
    assert "Accept-Language" in response.headers["vary"]


def test_accept_language_parsing_orders_by_quality():
    assert parse_accept_language("fr;q=0.4, de-CH, en;q=0.9, *;q=0.1, es;q=0") == [
        "de-CH",
        "en",
        "fr",
    ]
    assert parse_accept_language("de;q=oops, fr") == ["fr"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-AT", "de"),
        ("fr-CA,en;q=0.5", "fr"),
        ("es-419", "es"),
        ("FR", "fr"),
        ("De-dE", "de"),
        ("it", None),
        ("", None),
    ],
)
def test_negotiation_uses_babel_rules(header, expected):
    assert negotiate(header, ["de", "en", "fr", "es"]) == expected


def test_a_translators_edit_shows_after_a_restart(make_client, tmp_path: Path):
    locales = tmp_path / "locales"
    shutil.copytree(project_dir("locales"), locales)
    po_path = locales / "fr" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    catalog["Not found"].string = "Page introuvable"
    with po_path.open("wb") as po_file:
        write_po(po_file, catalog)

    client = make_client(locales_dir=str(locales))
    response = client.get("/api/v1/nowhere", headers={"Accept-Language": "fr"})

    assert response.json()["title"] == "Page introuvable"


def test_a_new_locale_is_a_catalog_and_a_setting(make_client, tmp_path: Path):
    locales = tmp_path / "locales"
    shutil.copytree(project_dir("locales"), locales)
    portuguese = locales / "pt" / "LC_MESSAGES"
    portuguese.mkdir(parents=True)
    with (locales / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="pt")
    for message in catalog:
        message.string = ""
    catalog["Not found"].string = "Não encontrado"
    with (portuguese / "messages.po").open("wb") as po_file:
        write_po(po_file, catalog)

    client = make_client(locales_dir=str(locales), locales=("de", "en", "fr", "es", "pt"))
    response = client.get("/api/v1/nowhere", headers={"Accept-Language": "pt-BR"})

    assert response.headers["content-language"] == "pt"
    assert response.json()["title"] == "Não encontrado"
    # An untranslated message falls back to the English text, never to an empty one.
    assert response.json()["detail"] == "There is nothing at /api/v1/nowhere."


@pytest.mark.parametrize(
    ("locale", "whole", "with_a_decimal"),
    [
        ("en", "40%", "33.3%"),
        ("de", "40\u00a0%", "33,3\u00a0%"),
        ("fr", "40\u00a0%", "33,3\u00a0%"),
        ("es", "40\u00a0%", "33,3\u00a0%"),
    ],
)
def test_percentages_are_written_as_the_readers_locale_writes_them(
    client, locale, whole, with_a_decimal
):
    with use_locale(locale):
        assert format_percent(0.4) == whole
        assert format_percent(1 / 3, decimals=1) == with_a_decimal


@pytest.mark.parametrize(
    ("locale", "four", "five"),
    [
        ("en", "1,234", "12,345"),
        ("de", "1.234", "12.345"),
        ("fr", "1\u202f234", "12\u202f345"),
        # CLDR: Spanish groups digits only from five on.
        ("es", "1234", "12.345"),
    ],
)
def test_numbers_are_grouped_as_the_readers_locale_groups_them(client, locale, four, five):
    with use_locale(locale):
        assert format_number(1234) == four
        assert format_number(12345) == five
        assert format_number(-1234.5) == "-" + four + ("." if locale == "en" else ",") + "5"


def test_start_up_warns_about_a_configured_catalog_below_complete(
    make_client, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    locales = tmp_path / "locales"
    shutil.copytree(project_dir("locales"), locales)
    po_path = locales / "fr" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    catalog["Not found"].string = ""
    with po_path.open("wb") as po_file:
        write_po(po_file, catalog)
    caplog.set_level("WARNING", logger="mupass_forum.i18n.locale")

    make_client(locales_dir=str(locales))

    warnings = [record.getMessage() for record in caplog.records]
    assert [line for line in warnings if "'fr'" in line and "% translated" in line]
    assert not [line for line in warnings if "'de'" in line or "'es'" in line]


def test_complete_catalogs_start_without_a_warning(make_client, caplog: pytest.LogCaptureFixture):
    caplog.set_level("WARNING", logger="mupass_forum.i18n.locale")

    make_client()

    assert not [r for r in caplog.records if "% translated" in r.getMessage()]


def test_french_texts_keep_no_break_spaces_before_double_punctuation_and_inside_guillemets():
    with (project_dir("locales") / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    broken = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in forms:
            # A normal space would let the sign wrap to the next line, alone.
            if re.search(r" [:;?!»]|« ", text or ""):
                broken.append(text)

    assert broken == []
    assert catalog["{label}:"].string == "{label}\u00a0:"
