"""Search in each language on both databases: what each engine honestly does."""

from __future__ import annotations

import pytest

from tests.board.conftest import BOARD
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
