"""Content translation: how complete the catalogs and the forums are, the translators' queue,
translations written with a change log, and who may do what."""

from __future__ import annotations

import uuid
from typing import Any

from mupass_forum.translations import catalogs
from tests.translations.queue import translation_queue


def _translate(client, task_id: str, headers, **body: Any):
    return client.post(f"/api/v1/translations/tasks/{task_id}", json=body, headers=headers)


def _kind(kinds: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = next(kind for kind in kinds if kind["kind"]["value"] == name)
    return {
        "texts": found["texts"],
        **{c["locale"]: (c["present"], c["missing"]) for c in found["locales"]},
    }


def test_the_status_counts_catalog_entries_and_forum_texts(
    client, make_account, make_forum, settings
) -> None:
    forum = make_forum(
        status="announced",
        title={"en": "Forum", "de": "Forum"},
        summary={"en": "Cities talk"},
    )
    client.post(
        f"/api/v1/forums/{forum.slug}/programme",
        json={
            "kind": "plenary",
            "title": {"en": "Opening", "fr": "Ouverture"},
            "description": {"en": "Welcome"},
            "starts_at": "2030-10-28T09:30:00",
            "ends_at": "2030-10-28T10:30:00",
        },
        headers=forum.admin.headers,
    ).raise_for_status()
    translator = make_account(translator_locales=["fr"])
    response = client.get("/api/v1/translations/status?lang=de", headers=translator.headers)
    assert response.status_code == 200, response.text
    status = response.json()

    expected = {
        entry.locale: (entry.translated, entry.fuzzy, entry.untranslated, entry.total)
        for entry in catalogs.status(catalogs.CatalogFiles.configured(settings))
    }
    assert {
        entry["locale"]: (
            entry["translated"],
            entry["fuzzy"],
            entry["untranslated"],
            entry["total"],
        )
        for entry in status["catalogs"]
    } == expected
    assert set(expected) == {"de", "en", "es", "fr"}
    french = next(entry for entry in status["catalogs"] if entry["locale"] == "fr")
    assert french["language"] == "Französisch"
    assert french["percent_translated"] == 100

    mine = next(entry for entry in status["forums"] if entry["slug"] == forum.slug)
    assert _kind(mine["kinds"], "forum") == {
        "texts": 2,
        "de": (1, 1),
        "en": (2, 0),
        "es": (0, 2),
        "fr": (0, 2),
    }
    assert _kind(mine["kinds"], "programme_item") == {
        "texts": 2,
        "de": (0, 2),
        "en": (2, 0),
        "es": (0, 2),
        "fr": (1, 1),
    }
    labels = {kind["kind"]["value"]: kind["kind"]["label"] for kind in mine["kinds"]}
    assert labels["programme_item"] == "Programmpunkt"
    assert client.get("/api/v1/translations/status").status_code == 401


def test_the_consent_notice_is_counted_once_published(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced")
    # Reading the notice publishes the default, written in every language of the service.
    assert client.get(f"/api/v1/forums/{forum.slug}/consent-notice").status_code == 200
    status = client.get("/api/v1/translations/status", headers=forum.admin.headers).json()
    mine = next(entry for entry in status["forums"] if entry["slug"] == forum.slug)
    assert _kind(mine["kinds"], "consent_notice") == {
        "texts": 1,
        **dict.fromkeys(("de", "en", "es", "fr"), (1, 0)),
    }


def test_the_queue_lists_missing_texts_oldest_first_in_the_translators_languages(
    client, make_account, make_forum
) -> None:
    older = make_forum(status="announced", title={"en": "Older", "de": "Älter"})
    newer = make_forum(status="announced", title={"en": "Newer", "de": "Neuer"})
    draft = make_forum(title={"en": "Secret", "de": "Geheim"})
    french = make_account(translator_locales=["fr"])
    german = make_account(translator_locales=["de"])

    tasks = translation_queue(client, french.headers)
    ids = [task["id"] for task in tasks]
    older_task, newer_task = f"forum:{older.id}:title:fr", f"forum:{newer.id}:title:fr"
    assert ids.index(older_task) < ids.index(newer_task)
    assert f"forum:{draft.id}:title:fr" not in ids
    assert all(task["locale"] == "fr" for task in tasks)
    stamps = [task["changed_at"] for task in tasks]
    assert stamps == sorted(stamps)
    task = tasks[ids.index(older_task)]
    assert task["source"] == {"locale": "en", "text": "Older"}
    assert task["forum_slug"] == older.slug
    assert task["locales"] == ["de", "en"]
    assert task["max_length"] == 300

    german_ids = {task["id"] for task in translation_queue(client, german.headers)}
    assert not any(task_id.startswith(f"forum:{older.id}:") for task_id in german_ids)

    # A page boundary does not lose or repeat a task.
    small_pages = [task["id"] for task in translation_queue(client, french.headers, limit=3)]
    assert small_pages == ids

    assert (
        client.get("/api/v1/translations/tasks?locale=de", headers=french.headers).status_code
        == 403
    )
    nobody = make_account()
    response = client.get("/api/v1/translations/tasks", headers=nobody.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_translator"
    assert client.get("/api/v1/translations/tasks").status_code == 401
    broken = client.get("/api/v1/translations/tasks?cursor=nonsense", headers=french.headers)
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["code"] == "invalid_cursor"


def test_a_translation_fills_the_text_and_is_logged(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Dialogue forum", "de": "Dialogforum"})
    french = make_account(translator_locales=["fr", "es"])
    task_id = f"forum:{forum.id}:title:fr"

    response = _translate(client, task_id, french.headers, text="  Forum de dialogue ")
    assert response.status_code == 201, response.text
    change = response.json()
    assert change["task_id"] == task_id
    assert (change["text_before"], change["text_after"]) == (None, "Forum de dialogue")
    assert change["changed_by"] == french.id

    title = client.get(f"/api/v1/forums/{forum.slug}?lang=fr").json()["title"]
    assert (title["text"], title["locale"], title["is_fallback"]) == (
        "Forum de dialogue",
        "fr",
        False,
    )
    assert title["original_locale"] == "en"
    assert task_id not in {
        task["id"] for task in translation_queue(client, french.headers, locale="fr")
    }

    again = _translate(client, task_id, french.headers, text="Forum du dialogue")
    assert again.status_code == 409
    assert again.json()["code"] == "already_translated"
    replaced = _translate(client, task_id, french.headers, text="Forum du dialogue", replace=True)
    assert replaced.status_code == 201, replaced.text

    log = client.get(
        "/api/v1/translations/changes", params={"task": task_id}, headers=french.headers
    ).json()["items"]
    assert [(c["text_before"], c["text_after"], c["changed_by"]) for c in log] == [
        ("Forum de dialogue", "Forum du dialogue", french.id),
        (None, "Forum de dialogue", french.id),
    ]
    assert all(c["changed_at"] for c in log)


def test_only_translators_of_the_language_translate(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Forum"})
    task_id = f"forum:{forum.id}:title:fr"
    nobody = make_account()
    german = make_account(translator_locales=["de"])
    assert _translate(client, task_id, nobody.headers, text="Forum").status_code == 403
    assert _translate(client, task_id, german.headers, text="Forum").status_code == 403
    assert _translate(client, task_id, {}, text="Forum").status_code == 401
    # The forum's own admin is no translator either.
    assert _translate(client, task_id, forum.admin.headers, text="Forum").status_code == 403
    admin = make_account(platform_admin=True)
    assert _translate(client, task_id, admin.headers, text="Forum").status_code == 201
    assert client.get(f"/api/v1/forums/{forum.slug}?lang=fr").json()["title"]["text"] == "Forum"


def test_translations_are_checked_like_the_domain_does(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Forum"})
    draft = make_forum(title={"en": "Draft"})
    french = make_account(translator_locales=["fr"])
    blank = _translate(client, f"forum:{forum.id}:title:fr", french.headers, text="   ")
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["pointer"] == "/text"
    long = _translate(client, f"forum:{forum.id}:title:fr", french.headers, text="x" * 301)
    assert long.status_code == 400
    assert long.json()["errors"][0]["code"] == "too_long"
    # No summary was written: there is nothing to translate from.
    nothing = _translate(client, f"forum:{forum.id}:summary:fr", french.headers, text="Résumé")
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_translate"
    for unknown in (
        f"forum:{forum.id}:venue_name:fr",
        f"forum:{forum.id}:title:pt",
        f"planet:{forum.id}:title:fr",
        "forum:999999999:title:fr",
        f"forum:{draft.id}:title:fr",
    ):
        response = _translate(client, unknown, french.headers, text="Texte")
        assert response.status_code == 404, unknown
    rejected = client.post(
        f"/api/v1/translations/tasks/forum:{forum.id}:title:fr",
        json={"text": "Forum", "by": "me"},
        headers=french.headers,
    )
    assert rejected.status_code == 400


def test_programme_items_are_translated_too(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Forum", "fr": "Forum"})
    item = client.post(
        f"/api/v1/forums/{forum.slug}/programme",
        json={
            "kind": "workshop",
            "title": {"de": "Vergabe in Kommunen"},
            "starts_at": "2030-10-29T09:30:00",
            "ends_at": "2030-10-29T10:30:00",
        },
        headers=forum.admin.headers,
    ).json()
    french = make_account(translator_locales=["fr"])
    task_id = f"programme_item:{item['id']}:title:fr"
    task = next(task for task in translation_queue(client, french.headers) if task["id"] == task_id)
    assert task["source"] == {"locale": "de", "text": "Vergabe in Kommunen"}
    assert task["kind"]["value"] == "programme_item"
    response = _translate(client, task_id, french.headers, text="Achats publics des communes")
    assert response.status_code == 201, response.text
    programme = client.get(f"/api/v1/forums/{forum.slug}/programme?lang=fr").json()
    titles = [entry["title"] for day in programme["days"] for entry in day["items"]]
    assert [(t["text"], t["is_fallback"]) for t in titles] == [
        ("Achats publics des communes", False)
    ]


def test_organizers_see_what_is_missing_in_their_forum(
    client, make_account, make_forum, make_organization
) -> None:
    slug = f"forum-{uuid.uuid4().hex[:12]}"
    draft = make_forum(slug=slug, title={"de": "Entwurf", "en": "Draft"}, original_locale="de")
    response = client.get(
        f"/api/v1/forums/{slug}/translations?lang=fr", headers=draft.admin.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["missing"] == [
        {
            "kind": {"value": "forum", "label": "Forum"},
            "entity_id": draft.id,
            "field": "title",
            "source": {"locale": "de", "text": "Entwurf"},
            "locales": ["de", "en"],
            "missing": ["es", "fr"],
        }
    ]
    assert _kind(body["completeness"], "forum")["fr"] == (0, 1)

    other_admin = make_account(organizations={make_organization()["id"]: "admin"})
    hidden = client.get(f"/api/v1/forums/{slug}/translations", headers=other_admin.headers)
    assert hidden.status_code == 404
    status = client.get("/api/v1/translations/status", headers=other_admin.headers).json()
    assert slug not in {entry["slug"] for entry in status["forums"]}
    mine = client.get("/api/v1/translations/status", headers=draft.admin.headers).json()
    assert slug in {entry["slug"] for entry in mine["forums"]}

    announced = make_forum(status="announced")
    refused = client.get(
        f"/api/v1/forums/{announced.slug}/translations", headers=other_admin.headers
    )
    assert refused.status_code == 403
    admin = make_account(platform_admin=True)
    assert (
        client.get(f"/api/v1/forums/{slug}/translations", headers=admin.headers).status_code == 200
    )


def test_a_translators_export_and_erasure(client, make_account, make_forum) -> None:
    forum = make_forum(status="announced", title={"en": "Forum on procurement"})
    translator = make_account(translator_locales=["es"])
    task_id = f"forum:{forum.id}:title:es"
    assert (
        _translate(client, task_id, translator.headers, text="Foro de compras").status_code == 201
    )

    exported = client.get("/api/v1/me/export", headers=translator.headers).json()
    assert [
        (change["kind"], change["entity_id"], change["locale"], change["text_after"])
        for change in exported["sections"]["translations"]["translations"]
    ] == [("forum", forum.id, "es", "Foro de compras")]

    response = client.request(
        "DELETE", "/api/v1/me", json={"password": translator.password}, headers=translator.headers
    )
    assert response.status_code == 200, response.text
    # The translation stays in the content and in the log, without its translator.
    title = client.get(f"/api/v1/forums/{forum.slug}?lang=es").json()["title"]
    assert (title["text"], title["is_fallback"]) == ("Foro de compras", False)
    admin = make_account(platform_admin=True)
    log = client.get(
        "/api/v1/translations/changes", params={"task": task_id}, headers=admin.headers
    ).json()["items"]
    assert [(change["text_after"], change["changed_by"]) for change in log] == [
        ("Foro de compras", None)
    ]
