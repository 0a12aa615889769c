"""Search in each language on both databases: what each engine honestly does."""

from __future__ import annotations

import pytest

from tests.board.conftest import BOARD, run_sql
from tests.conftest import on_postgres

postgres_only = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL stems every language")
sqlite_only = pytest.mark.skipif(on_postgres(), reason="the SQLite search's own behaviour")


@pytest.fixture
def corpus(client, make_account, make_category, make_thread, reply, board_admin):
    """One category with a thread and posts in each language; tests search inside it."""
    category = make_category()
    author = make_account(display_name="Lena")
    thread = make_thread(
        board_admin,
        category,
        title="Nachhaltige Beschaffung in Kommunen",
        language="de",
        body="Wie organisieren Sie die Beschaffung von Recyclingpapier?",
    )
    posts = {
        "de": reply(
            board_admin, thread, "Unsere Beschaffungen laufen über einen Rahmenvertrag.", "de"
        ),
        "en": reply(board_admin, thread, "We published procurements for electric buses.", "en"),
        "fr": reply(board_admin, thread, "Les marchés publics écologiques à Dakar.", "fr"),
        "es": reply(author, thread, "La energía solar en las compras públicas.", "es"),
    }
    return {"category": category, "thread": thread, "posts": posts, "author": author}


def search(client, corpus, q: str, **filters) -> list[dict]:
    params = {"q": q, "category": corpus["category"]["id"], **filters}
    response = client.get(f"{BOARD}/search", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def ids(hits: list[dict]) -> set[int]:
    return {hit["post_id"] for hit in hits}


@postgres_only
def test_german_words_are_found_in_any_inflection_on_postgresql(client, corpus):
    found = search(client, corpus, "Beschaffungen")
    assert corpus["posts"]["de"]["id"] in ids(found)
    # The opening post says only "Beschaffung", in its title and its body.
    assert corpus["thread"]["id"] in {hit["thread_id"] for hit in found}
    title_hit = next(hit for hit in found if hit["position"] == 1)
    assert "<mark>Beschaffung</mark>" in title_hit["snippet_html"]


@postgres_only
def test_french_and_spanish_are_stemmed_on_postgresql(client, corpus):
    assert corpus["posts"]["fr"]["id"] in ids(search(client, corpus, "marché public"))
    assert corpus["posts"]["es"]["id"] in ids(search(client, corpus, "compra pública"))


@postgres_only
def test_a_query_of_stop_words_asks_for_nothing_in_that_language(client, corpus):
    # English drops "the": no form of the query is left for English originals; the other
    # configurations keep it as a word, which no translation of the corpus has.
    assert search(client, corpus, "the", language="en") == []
    assert ids(search(client, corpus, "the buses", language="en")) == {corpus["posts"]["en"]["id"]}


@sqlite_only
def test_sqlite_folds_diacritics_and_matches_word_beginnings(client, corpus):
    assert corpus["posts"]["es"]["id"] in ids(search(client, corpus, "energia"))
    assert corpus["posts"]["fr"]["id"] in ids(search(client, corpus, "ecologiques"))
    # No German stemmer in SQLite: a word finds its longer forms, not the other way round.
    shorter = search(client, corpus, "Beschaffung")
    assert {1, corpus["posts"]["de"]["position"]} <= {hit["position"] for hit in shorter}
    longer = search(client, corpus, "Beschaffungen")
    assert [hit["position"] for hit in longer] == [corpus["posts"]["de"]["position"]]


def test_english_is_stemmed_on_both_databases(client, corpus):
    assert corpus["posts"]["en"]["id"] in ids(search(client, corpus, "procurement"))
    assert corpus["posts"]["en"]["id"] in ids(search(client, corpus, "publishing"))


def test_titles_rank_above_bodies_and_matches_are_marked(client, corpus):
    found = search(client, corpus, "Beschaffung")
    assert found[0]["position"] == 1
    assert found[0]["thread_title"] == "Nachhaltige Beschaffung in Kommunen"
    assert "<mark>" in found[0]["snippet_html"]


def test_filters_by_language_and_author(client, corpus):
    everything = search(client, corpus, "públicas")
    assert corpus["posts"]["es"]["id"] in ids(everything)
    assert search(client, corpus, "públicas", language="de") == []
    by_author = search(client, corpus, "solar", author=corpus["author"].id)
    assert ids(by_author) == {corpus["posts"]["es"]["id"]}
    assert by_author[0]["author"]["display_name"] == "Lena"
    assert search(client, corpus, "solar", author=corpus["author"].id + 10_000) == []


def test_snippets_escape_the_text_around_the_marks(client, make_category, make_thread, board_admin):
    category = make_category()
    make_thread(board_admin, category, title="Escaping", body="<b>tenders</b> & `<i>` tenders")
    hits = client.get(f"{BOARD}/search", params={"q": "tenders", "category": category["id"]}).json()
    snippet = hits["items"][0]["snippet_html"]
    assert "<mark>tenders</mark>" in snippet
    assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")
    assert "&amp;" in snippet


def test_search_sees_only_what_the_reader_may_read(
    client, make_account, make_category, make_thread, board_admin
):
    secret = make_category(read_access="participants")
    make_thread(board_admin, secret, title="Quokkaprocurement", body="Quokkaprocurement")
    reader = make_account()
    params = {"q": "Quokkaprocurement"}
    assert (
        client.get(f"{BOARD}/search", params=params, headers=reader.headers).json()["items"] == []
    )
    assert client.get(f"{BOARD}/search", params=params).json()["items"] == []
    seen = client.get(f"{BOARD}/search", params=params, headers=board_admin.headers).json()
    assert len(seen["items"]) == 1


def test_removed_posts_are_not_found(client, make_account, make_category, make_thread, reply):
    author = make_account()
    category = make_category()
    thread = make_thread(author, category)
    post = reply(author, thread, "Wombatcriteria for cleaning services")
    params = {"q": "Wombatcriteria", "category": category["id"]}
    assert len(client.get(f"{BOARD}/search", params=params).json()["items"]) == 1
    client.delete(f"{BOARD}/posts/{post['id']}", headers=author.headers)
    assert client.get(f"{BOARD}/search", params=params).json()["items"] == []


def test_search_text_with_operators_is_taken_as_words(client, corpus):
    for q in ('"solar', "solar OR NOT", "solar*", "-solar", "(solar", "solar:"):
        response = client.get(
            f"{BOARD}/search", params={"q": q, "category": corpus["category"]["id"]}
        )
        assert response.status_code == 200, (q, response.text)
    empty = client.get(f"{BOARD}/search", params={"q": "  !!  "})
    assert (empty.status_code, empty.json()["errors"][0]["parameter"]) == (400, "q")


# Translations ------------------------------------------------------------------------------


def translate(client, author, post: dict, locale: str, body: str) -> None:
    response = client.post(
        f"{BOARD}/posts/{post['id']}/translations",
        json={"locale": locale, "body": body},
        headers=author.headers,
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def translated(client, make_account, make_category, make_thread, reply):
    """Posts found in each language only through their translations."""
    author = make_account(display_name="Kofi")
    category = make_category()
    thread = make_thread(author, category, title="Fuhrpark", language="de", body="Elektrobusse")
    german = reply(
        author, thread, "Wir haben Ausschreibungen für Elektrobusse veröffentlicht.", "de"
    )
    english = reply(author, thread, "Our framework contract with Ecopaper covers paper.", "en")
    translate(client, author, german, "en", "We published tenders for electric buses.")
    translate(client, author, german, "fr", "Les collectivités achètent des bus électriques.")
    translate(client, author, german, "es", "La participación ciudadana en las licitaciones.")
    translate(
        client, author, english, "de", "Unsere Beschaffungen laufen über einen Rahmenvertrag."
    )
    return {"category": category, "author": author, "german": german, "english": english}


@pytest.mark.parametrize(
    ("q", "post", "locale", "marked"),
    [
        ("tender", "german", "en", "<mark>tenders</mark>"),
        ("collectivite", "german", "fr", "<mark>collectivités</mark>"),
        ("participacion", "german", "es", "<mark>participación</mark>"),
        ("Beschaffung", "english", "de", "<mark>Beschaffungen</mark>"),
    ],
)
def test_a_post_is_found_through_its_translation_in_each_language(
    client, translated, q, post, locale, marked
):
    found = search(client, translated, q)
    assert len(found) == 1, found
    hit = found[0]
    assert hit["post_id"] == translated[post]["id"]
    assert hit["language"] == translated[post]["language"]
    assert (hit["matched_version"], hit["matched_language"]) == ("translation", locale)
    # The passage comes from the translation, as written, accents and all.
    assert marked in hit["snippet_html"]


def test_originals_say_they_matched_as_written(client, translated):
    (hit,) = search(client, translated, "Ausschreibungen")
    assert hit["post_id"] == translated["german"]["id"]
    assert (hit["matched_version"], hit["matched_language"]) == ("original", "de")
    assert "<mark>Ausschreibungen</mark>" in hit["snippet_html"]


def test_the_language_filter_is_the_language_a_post_was_written_in(client, translated):
    assert ids(search(client, translated, "tender", language="de")) == {translated["german"]["id"]}
    assert search(client, translated, "tender", language="en") == []


def test_a_post_matching_in_several_texts_is_one_hit(client, translated):
    english = translated["english"]
    translate(client, translated["author"], english, "fr", "Notre contrat-cadre avec Ecopaper.")
    translate(client, translated["author"], english, "es", "Nuestro contrato con Ecopaper.")
    (hit,) = search(client, translated, "Ecopaper")
    assert hit["post_id"] == english["id"]
    assert "<mark>Ecopaper</mark>" in hit["snippet_html"]


def test_a_replaced_translation_is_no_longer_found(client, translated):
    english = translated["english"]
    translate(client, translated["author"], english, "es", "Un contrato sobre tortugas.")
    assert ids(search(client, translated, "tortugas")) == {english["id"]}
    translate(client, translated["author"], english, "es", "Un contrato sobre delfines.")
    assert search(client, translated, "tortugas") == []
    (hit,) = search(client, translated, "delfines")
    assert (hit["post_id"], hit["matched_language"]) == (english["id"], "es")


def test_translations_of_removed_posts_are_not_found(
    client, make_account, translated, make_category, make_thread, reply
):
    author = translated["author"]
    client.delete(f"{BOARD}/posts/{translated['german']['id']}", headers=author.headers)
    assert search(client, translated, "tender") == []
    assert ids(search(client, translated, "Beschaffung")) == {translated["english"]["id"]}

    moderator = make_account(platform_admin=True)
    hidden = client.post(
        f"{BOARD}/posts/{translated['english']['id']}/hide",
        json={"reason": "spam"},
        headers=moderator.headers,
    )
    assert hidden.status_code in (200, 204), hidden.text
    assert search(client, translated, "Beschaffung") == []


def test_erasing_an_author_removes_the_translations_of_their_posts(
    client, make_account, make_category, make_thread, reply
):
    author, admin = make_account(), make_account(platform_admin=True)
    category = make_category()
    thread = make_thread(author, category, title="Kantinen", language="de", body="Bio-Essen")
    post = reply(author, thread, "Unser Vertrag mit dem Caterer", "de")
    translate(client, author, post, "en", "Our contract with the pangolincaterer")
    corpus = {"category": category}
    assert ids(search(client, corpus, "pangolincaterer")) == {post["id"]}
    response = client.post(
        f"/api/v1/admin/users/{author.id}/erasure",
        json={"remove_posts": True},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert search(client, corpus, "pangolincaterer") == []
    # The post is a tombstone; what its translation said is gone with it.
    texts = run_sql(
        client, "SELECT source, html FROM board_translation WHERE post = {}", post["id"]
    )
    assert texts == [{"source": "", "html": ""}]


# Accents on PostgreSQL ---------------------------------------------------------------------


@postgres_only
@pytest.mark.parametrize(
    ("q", "language", "text", "marked"),
    [
        ("participacion", "es", "La participación ciudadana crece.", "participación"),
        ("licitación pública", "es", "Las licitaciones públicas abiertas.", "licitaciones"),
        ("publicas", "es", "Las compras públicas verdes.", "públicas"),
        ("cafe", "fr", "Le café équitable des cantines.", "café"),
        ("collectivité", "fr", "Les collectivités territoriales achètent.", "collectivités"),
        ("ecologiques", "fr", "Des achats écologiques.", "écologiques"),
        ("Beschaffungen", "de", "Die Beschaffung von Papier.", "Beschaffung"),
        ("Prufungen", "de", "Die Prüfung der Angebote.", "Prüfung"),
        ("cafe", "en", "A café in Zürich buys fair coffee.", "café"),
    ],
)
def test_postgresql_folds_accents_and_still_stems(
    client, make_account, make_category, make_thread, reply, q, language, text, marked
):
    author = make_account()
    category = make_category()
    thread = make_thread(author, category, title="Titel", language="de", body="Text")
    post = reply(author, thread, text, language)
    hits = search(client, {"category": category}, q)
    assert ids(hits) == {post["id"]}, (q, hits)
    assert f"<mark>{marked}</mark>" in hits[0]["snippet_html"]
