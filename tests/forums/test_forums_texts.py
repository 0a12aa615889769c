"""Translatable texts: locales checked at the edge with pointers, the reader's language served
with the fallback named and the original one click away; and other invalid input."""

from __future__ import annotations

import pytest


def test_the_readers_language_else_the_original(client, make_forum) -> None:
    forum = make_forum(
        status="announced",
        title={"de": "Dialogforum", "fr": "Forum de dialogue"},
        summary={"de": "Kommunen im Austausch"},
        original_locale="de",
    )
    french = client.get(f"/api/v1/forums/{forum.slug}?lang=fr").json()
    assert french["title"] == {
        "text": "Forum de dialogue",
        "locale": "fr",
        "original_locale": "de",
        "is_fallback": False,
        "original_text": "Dialogforum",
        "locales": ["de", "fr"],
    }
    # No Spanish text: the original is served, and the answer says so.
    assert french["summary"]["locale"] == "de"
    spanish = client.get(f"/api/v1/forums/{forum.slug}", headers={"Accept-Language": "es"})
    title = spanish.json()["title"]
    assert (title["text"], title["locale"], title["is_fallback"]) == ("Dialogforum", "de", True)
    assert title["original_text"] is None
    german = client.get(f"/api/v1/forums/{forum.slug}?lang=de").json()["title"]
    assert (german["text"], german["is_fallback"], german["original_text"]) == (
        "Dialogforum",
        False,
        None,
    )


def test_english_comes_before_the_original_when_the_readers_language_is_missing(
    client, make_forum
) -> None:
    forum = make_forum(
        status="announced",
        title={"de": "Dialogforum", "en": "Dialogue forum"},
        original_locale="de",
    )

    title = client.get(f"/api/v1/forums/{forum.slug}?lang=es").json()["title"]

    assert (title["text"], title["locale"], title["is_fallback"]) == ("Dialogue forum", "en", True)
    assert (title["original_locale"], title["original_text"]) == ("de", "Dialogforum")


def test_the_fallback_languages_are_a_setting(make_client, make_forum) -> None:
    forum = make_forum(
        status="announced",
        title={"de": "Dialogforum", "en": "Dialogue forum", "fr": "Forum de dialogue"},
        original_locale="de",
    )
    # The catalogs and their settings are the process's: the last app made wins.
    french_first = make_client(content_fallback=("fr", "en"))
    by_french = french_first.get(f"/api/v1/forums/{forum.slug}?lang=es").json()["title"]
    original_only = make_client(content_fallback=())
    by_original = original_only.get(f"/api/v1/forums/{forum.slug}?lang=es").json()["title"]

    assert (by_french["text"], by_french["locale"]) == ("Forum de dialogue", "fr")
    assert (by_original["text"], by_original["locale"]) == ("Dialogforum", "de")
    assert by_french["is_fallback"] and by_original["is_fallback"]


def test_the_original_defaults_to_the_request_language(client, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Forum", "es": "Foro"})
    assert forum.body["title"]["original_locale"] == "en"
    response = client.post(
        "/api/v1/forums?lang=es",
        json={**_body(forum, "es-first"), "title": {"en": "Forum", "es": "Foro"}},
        headers=forum.admin.headers,
    )
    assert response.json()["title"]["original_locale"] == "es"


def _body(forum, suffix: str) -> dict:
    return {
        "slug": f"{forum.slug}-{suffix}",
        "series": forum.body["series"]["slug"],
        "edition": 2030,
        "kind": "dialogue_forum",
        "title": {"en": "Forum"},
        "timezone": "Europe/Berlin",
        "starts_at": "2030-10-28T09:00:00",
        "ends_at": "2030-10-30T17:00:00",
        "lead_organization_id": forum.lead_organization_id,
    }


def test_editing_a_text_keeps_its_original_language(client, make_forum) -> None:
    forum = make_forum(title={"de": "Dialogforum", "en": "Dialogue forum"}, original_locale="de")
    response = client.patch(
        f"/api/v1/forums/{forum.slug}",
        json={"title": {"de": "Dialogforum 2030", "en": "Dialogue Forum 2030", "fr": " "}},
        headers=forum.admin.headers,
    )
    title = response.json()["title"]
    assert title["original_locale"] == "de"
    # A blank text is dropped rather than stored.
    assert title["locales"] == ["de", "en"]


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        ({"title": {"pt": "Fórum", "en": "Forum"}}, "/title/pt", "unsupported_locale"),
        ({"summary": {"en": "ok", "en-GB": "ok"}}, "/summary/en-GB", "unsupported_locale"),
        ({"title": {"en": "  "}}, "/title", "required"),
        ({"title": {}}, "/title", "required"),
        ({"title": {"en": "x"}, "original_locale": "fr"}, "/title", "original_locale_missing"),
        ({"original_locale": "pt"}, "/original_locale", "unsupported_locale"),
        ({"timezone": "Mars/Olympus"}, "/timezone", "unknown_timezone"),
        ({"ends_at": "2030-10-27T09:00:00"}, "/ends_at", "ends_before_start"),
        ({"venue": {"country": "XX"}}, "/venue/country", "unknown_country"),
        ({"languages": [{"code": "xx"}]}, "/languages/0/code", "unknown_language"),
        ({"contact_email": "nobody"}, "/contact_email", "invalid_email"),
        (
            {"partner_organization_ids": [999999]},
            "/partner_organization_ids/0",
            "unknown_organization",
        ),
        ({"series": "no-such-series"}, "/series", "unknown_series"),
        (
            {"registration_closes_at": "2031-01-01T00:00:00"},
            "/registration_closes_at",
            "after_forum_end",
        ),
        # 02:30 on the last Sunday of March does not exist in Berlin: the clocks skip it.
        ({"starts_at": "2030-03-31T02:30:00"}, "/starts_at", "nonexistent_local_time"),
        ({"capacity": 0}, "/capacity", "too_small"),
        ({"slug": "Not A Slug"}, "/slug", "bad_format"),
        ({"status": "held"}, "/status", "unknown_field"),
    ],
)
def test_invalid_forums_are_refused_with_pointers(
    client, make_forum, change, pointer, code
) -> None:
    forum = make_forum()
    body = {**_body(forum, "invalid"), **change}
    response = client.post("/api/v1/forums?lang=fr", json=body, headers=forum.admin.headers)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {"pointer": pointer, "code": code} in [
        {"pointer": e.get("pointer"), "code": e["code"]} for e in errors
    ], errors


def test_unknown_locale_message_is_translated(client, make_forum) -> None:
    forum = make_forum()
    response = client.patch(
        f"/api/v1/forums/{forum.slug}?lang=de",
        json={"title": {"pt": "Fórum"}},
        headers=forum.admin.headers,
    )
    assert response.json()["errors"][0]["detail"] == (
        "pt ist keine der Sprachen dieses Dienstes (de, en, fr, es)."
    )


def test_slugs_are_unique(client, make_forum) -> None:
    forum = make_forum()
    body = {**_body(forum, "x"), "slug": forum.slug}
    response = client.post("/api/v1/forums", json=body, headers=forum.admin.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


def test_the_desks_own_addresses_are_not_forum_slugs(client, make_forum) -> None:
    forum = make_forum()
    body = {**_body(forum, "x"), "slug": "new"}
    response = client.post("/api/v1/forums", json=body, headers=forum.admin.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
