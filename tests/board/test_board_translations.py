"""One conversation in many languages: requests, the translators' queue, versions, display."""

from __future__ import annotations

from tests.board.conftest import BOARD
from tests.translations.queue import translation_queue


def test_a_requested_translation_goes_through_the_queue_and_is_shown_labelled(
    client, make_account, make_category, make_thread
):
    author = make_account(locale="fr", display_name="Awa")
    reader = make_account(locale="en")
    translator = make_account(translator_locales=["en"], display_name="Tom")
    other_translator = make_account(translator_locales=["es"])
    thread = make_thread(
        author, make_category(), title="Cantines", language="fr", body="Les **cantines** bio"
    )
    post_id = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"][0]["id"]
    url = f"{BOARD}/posts/{post_id}/translations"

    asked = client.post(url, json={"locale": "en"}, headers=reader.headers)
    assert asked.status_code == 202
    assert asked.json()["status"] == "requested"
    again = client.post(url, json={"locale": "en"}, headers=make_account().headers)
    assert again.json()["id"] == asked.json()["id"]
    shown = client.get(f"{BOARD}/posts/{post_id}", headers=reader.headers).json()
    assert (shown["is_translation"], shown["translation_requested"]) == (False, True)
    assert shown["shown_language"] == "fr"

    # The one queue of translators: board posts among the content's texts.
    task_id = f"board_post:{post_id}:body:en"
    queue = translation_queue(client, translator.headers)
    task = next(item for item in queue if item["id"] == task_id)
    assert (task["locale"], task["kind"]["value"], task["entity_id"]) == (
        "en",
        "board_post",
        post_id,
    )
    assert task["source"] == {"locale": "fr", "text": "Les **cantines** bio"}
    assert (task["thread_id"], task["thread_title"]) == (thread["id"], "Cantines")
    other_queue = translation_queue(client, other_translator.headers)
    assert not any(item["id"].startswith(f"board_post:{post_id}:") for item in other_queue)
    assert client.get("/api/v1/translations/tasks", headers=reader.headers).status_code == 403
    refused = client.post(
        f"/api/v1/translations/tasks/{task_id}",
        json={"text": "Organic"},
        headers=other_translator.headers,
    )
    assert refused.status_code == 403

    done = client.post(
        f"/api/v1/translations/tasks/{task_id}",
        json={"text": "Organic **canteens**"},
        headers=translator.headers,
    )
    assert done.status_code == 201, done.text
    assert (done.json()["text_after"], done.json()["changed_by"]) == (
        "Organic **canteens**",
        translator.id,
    )
    again = client.post(
        f"/api/v1/translations/tasks/{task_id}", json={"text": "x"}, headers=translator.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "task_done")
    assert task_id not in [item["id"] for item in translation_queue(client, translator.headers)]

    shown = client.get(f"{BOARD}/posts/{post_id}", headers=reader.headers).json()
    assert shown["is_translation"] is True
    assert (shown["language"], shown["shown_language"]) == ("fr", "en")
    assert shown["language_name"] == "French"
    assert shown["html"] == "<p>Organic <strong>canteens</strong></p>\n"
    assert shown["translation"]["kind"] == "human"
    assert shown["translation"]["translator"] == {"id": translator.id, "display_name": "Tom"}
    assert shown["translation_requested"] is False
    original = client.get(shown["original_url"], headers=reader.headers).json()
    assert original["html"] == "<p>Les <strong>cantines</strong> bio</p>\n"
    assert original["is_translation"] is False
    # No German version: the English one comes before the French original, and says so.
    german = client.get(f"{BOARD}/posts/{post_id}?lang=de").json()
    assert (german["is_translation"], german["shown_language"]) == (True, "en")
    assert german["html"] == "<p>Organic <strong>canteens</strong></p>\n"
    assert german["original_url"] == shown["original_url"]
    spanish_original = client.get(f"{BOARD}/posts/{post_id}?lang=es&translate=false").json()
    assert (spanish_original["is_translation"], spanish_original["shown_language"]) == (False, "fr")
    assert client.get(f"{BOARD}/posts/{post_id}?lang=de").json()["language_name"] == "Französisch"


def test_authors_may_add_their_own_translations_and_edits_mark_them_outdated(
    client, make_account, make_category, make_thread
):
    author = make_account(locale="es")
    thread = make_thread(author, make_category(), language="es", body="Compra pública verde")
    post_id = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"][0]["id"]
    url = f"{BOARD}/posts/{post_id}/translations"
    stranger = make_account()
    refused = client.post(url, json={"locale": "en", "body": "Mine"}, headers=stranger.headers)
    assert refused.status_code == 403
    same = client.post(url, json={"locale": "es", "body": "x"}, headers=author.headers)
    assert (same.status_code, same.json()["code"]) == (409, "same_language")
    unknown = client.post(url, json={"locale": "xx"}, headers=author.headers)
    assert unknown.json()["errors"][0]["pointer"] == "/locale"

    own = client.post(url, json={"locale": "en", "body": "Green public procurement"},
                      headers=author.headers)  # fmt: skip
    assert (own.status_code, own.json()["kind"]) == (201, "author")
    page = client.get(f"{BOARD}/threads/{thread['id']}/posts?lang=en").json()
    assert page["items"][0]["translation"]["kind"] == "author"
    assert page["items"][0]["translation"]["outdated"] is False
    client.patch(f"{BOARD}/posts/{post_id}", json={"body": "Compra pública sostenible"},
                 headers=author.headers)  # fmt: skip
    shown = client.get(f"{BOARD}/posts/{post_id}?lang=en").json()
    assert shown["translation"]["outdated"] is True
    versions = client.get(url).json()
    assert [(v["locale"], v["status"], v["outdated"]) for v in versions] == [("en", "done", True)]
    untranslated = client.get(f"{BOARD}/threads/{thread['id']}/posts?lang=en&translate=false")
    assert untranslated.json()["items"][0]["is_translation"] is False


def test_an_english_original_comes_before_another_languages_translation(
    client, make_account, make_category, make_thread
):
    author = make_account(locale="en")
    thread = make_thread(author, make_category(), language="en", body="Green procurement")
    post_id = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"][0]["id"]
    url = f"{BOARD}/posts/{post_id}/translations"
    client.post(url, json={"locale": "fr", "body": "Achats verts"}, headers=author.headers)

    german = client.get(f"{BOARD}/posts/{post_id}?lang=de").json()
    french = client.get(f"{BOARD}/posts/{post_id}?lang=fr").json()

    assert (german["is_translation"], german["shown_language"]) == (False, "en")
    assert (french["is_translation"], french["shown_language"]) == (True, "fr")


def test_translation_requests_need_a_reader_and_reach_translators_wherever_the_post_is(
    client, make_account, make_category, make_thread, board_admin
):
    hidden_category = make_category(read_access="participants")
    thread = make_thread(board_admin, hidden_category, language="de", body="Intern")
    post_id = client.get(
        f"{BOARD}/threads/{thread['id']}/posts", headers=board_admin.headers
    ).json()["items"][0]["id"]
    translator = make_account(translator_locales=["en"])
    response = client.post(
        f"{BOARD}/posts/{post_id}/translations", json={"locale": "en"}, headers=translator.headers
    )
    assert response.status_code == 404
    # Without a request, a translator cannot write a version of a post they may not read.
    unasked = client.post(
        f"{BOARD}/posts/{post_id}/translations",
        json={"locale": "en", "body": "Internal"},
        headers=translator.headers,
    )
    assert unasked.status_code == 404
    client.post(
        f"{BOARD}/posts/{post_id}/translations", json={"locale": "en"}, headers=board_admin.headers
    )
    task = f"board_post:{post_id}:body:en"
    assert task in [item["id"] for item in translation_queue(client, translator.headers)]
    other = make_account(translator_locales=["fr"])
    assert task not in [item["id"] for item in translation_queue(client, other.headers)]

    done = client.post(
        f"/api/v1/translations/tasks/{task}", json={"text": "Internal"}, headers=translator.headers
    )
    assert done.status_code == 201, done.text
    # Answering the request shows the translator nothing else of the category.
    assert (
        client.get(f"{BOARD}/threads/{thread['id']}", headers=translator.headers).status_code == 404
    )
    shown = client.get(f"{BOARD}/posts/{post_id}?lang=en", headers=board_admin.headers).json()
    assert shown["html"] == "<p>Internal</p>\n"


def test_category_names_are_translated_through_the_queue(
    client, make_account, make_category, make_forum
):
    category = make_category(description={"en": "Buying green"})
    draft = make_forum()
    in_draft = make_category(forum_id=draft.id)
    translator = make_account(translator_locales=["fr"])
    queue = [item["id"] for item in translation_queue(client, translator.headers)]
    name_task = f"board_category:{category['id']}:name:fr"
    assert name_task in queue
    assert f"board_category:{category['id']}:description:fr" in queue
    assert f"board_category:{category['id']}:description:de" not in queue
    # A category of a draft forum is as hidden as the forum.
    assert f"board_category:{in_draft['id']}:name:fr" not in queue

    done = client.post(
        f"/api/v1/translations/tasks/{name_task}",
        json={"text": "Achats verts"},
        headers=translator.headers,
    )
    assert done.status_code == 201, done.text
    name = client.get(f"{BOARD}/categories/{category['id']}?lang=fr").json()["name"]
    assert (name["text"], name["is_fallback"]) == ("Achats verts", False)
    status = client.get("/api/v1/translations/status", headers=translator.headers).json()
    (shared,) = status["shared"]
    assert shared["kind"]["value"] == "board_category"
    french = next(count for count in shared["locales"] if count["locale"] == "fr")
    assert french["present"] >= 1
    assert french["present"] + french["missing"] == shared["texts"]
    # Its organizers see what the category still lacks, with the forum's own texts.
    missing = client.get(
        f"/api/v1/forums/{draft.slug}/translations", headers=draft.admin.headers
    ).json()["missing"]
    assert {(m["kind"]["value"], m["entity_id"], m["field"]) for m in missing} == {
        ("forum", draft.id, "title"),
        ("board_category", in_draft["id"], "name"),
    }
