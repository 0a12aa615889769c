"""PostgreSQL: the newest-first word lists (``board_search_term``) one-word searches read.

They hold each lexeme of every post's and every current translation's ``search_vector`` in
step with every write, and a search through them finds what the general search finds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mupass_forum.board import search as board_search
from tests.board.conftest import BOARD, run_sql
from tests.board.test_board_search import translate
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's word lists")


def listed(client, post_id: int) -> list[tuple[int, str]]:
    rows = run_sql(
        client,
        "SELECT translation, term FROM board_search_term WHERE post = {} ORDER BY 1, 2",
        post_id,
    )
    return [(row["translation"], row["term"]) for row in rows]


def words_of(client, post_id: int) -> list[tuple[int, str]]:
    """What the lists should hold: the lexemes of the post and of its current translations."""
    rows = run_sql(
        client,
        "SELECT * FROM (SELECT 0 AS translation, "
        "unnest(tsvector_to_array(search_vector)) AS term FROM board_post WHERE id = {} "
        "UNION ALL SELECT id, unnest(tsvector_to_array(search_vector)) FROM board_translation "
        "WHERE post = {} AND status = 'done' AND replaced_at IS NULL) words ORDER BY 1, 2",
        post_id,
        post_id,
    )
    return [(row["translation"], row["term"]) for row in rows]


def test_the_word_lists_follow_every_write(client, make_account, make_category, make_thread, reply):
    author = make_account()
    thread = make_thread(author, make_category(), title="Fuhrpark", language="de", body="Busse")
    post = reply(author, thread, "Elektrobusse für die Kommune", "de")
    terms = {term for _, term in listed(client, post["id"])}
    assert listed(client, post["id"]) == words_of(client, post["id"])
    assert "elektrobuss" in terms

    path = f"{BOARD}/posts/{post['id']}"
    edited = client.patch(
        path, json={"body": "Wasserstoffzüge im Nahverkehr"}, headers=author.headers
    )
    assert edited.status_code == 200, edited.text
    terms = {term for _, term in listed(client, post["id"])}
    assert "elektrobuss" not in terms
    assert listed(client, post["id"]) == words_of(client, post["id"])

    translate(client, author, post, "en", "Hydrogen trains in local transport")
    assert {translation for translation, _ in listed(client, post["id"])} != {0}
    assert listed(client, post["id"]) == words_of(client, post["id"])
    translate(client, author, post, "en", "Hydrogen ferries in local transport")
    terms = {term for _, term in listed(client, post["id"])}
    assert "ferri" in terms
    assert "train" not in terms  # the replaced translation's words are gone
    assert listed(client, post["id"]) == words_of(client, post["id"])

    assert client.delete(path, headers=author.headers).status_code == 204
    assert listed(client, post["id"]) == words_of(client, post["id"])
    run_sql(client, "DELETE FROM board_translation WHERE post = {}", post["id"])
    run_sql(client, "DELETE FROM board_post WHERE id = {}", post["id"])
    assert listed(client, post["id"]) == []


@pytest.fixture
def board(client, make_account, make_category, make_thread, reply, board_admin):
    """Posts in four languages, translated, some hidden or removed, some in a closed
    category, newest ones interleaved: the cases a one-word search has to get right."""
    author, other = make_account(display_name="Ama"), make_account(display_name="Bo")
    for veteran in (author, other):  # older accounts: no limit on posts per hour
        run_sql(
            client,
            "UPDATE account_user SET created_at = {} WHERE id = {}",
            datetime(2020, 1, 1, tzinfo=UTC),
            veteran.id,
        )
    public, closed = make_category(), make_category(read_access="participants")
    thread = make_thread(author, public, title="Kreislauf", language="de", body="Mehrweg")
    secret = make_thread(board_admin, closed, title="Intern", language="de", body="Mehrweg")
    texts = {
        "de": "Mehrwegbecher und Pfandsysteme in der Kantine",
        "en": "Reusable cups and deposit systems in the canteen",
        "fr": "Gobelets réutilisables et consigne à la cantine",
        "es": "Vasos reutilizables y depósito en la cantina",
    }
    posts = []
    for n in range(14):
        language = list(texts)[n % 4]
        writer = author if n % 3 else other
        where = thread
        if n % 5 == 4:
            writer, where = board_admin, secret
        post = reply(writer, where, f"{texts[language]} {n}", language)
        posts.append(post)
        if n % 4 == 1:
            translate(client, writer, post, "de", f"{texts['de']} übersetzt {n}")
        if n == 6:
            client.post(
                f"{BOARD}/posts/{post['id']}/hide",
                json={"reason": "spam"},
                headers=board_admin.headers,
            )
        if n == 9:
            client.delete(f"{BOARD}/posts/{post['id']}", headers=writer.headers)
    return {"public": public, "posts": posts, "author": author, "admin": board_admin}


def answers(client, board, q: str, headers: dict) -> list[dict]:
    middle = board["posts"][8]["id"]
    found = []
    for params in (
        {},
        {"category": board["public"]["id"]},
        {"author": board["author"].id},
        {"before": middle},
        {"limit": 2, "offset": 2},
    ):
        response = client.get(f"{BOARD}/search", params={"q": q, **params}, headers=headers)
        assert response.status_code == 200, response.text
        found.append(response.json())
    return found


@pytest.mark.parametrize("postings", [2, 5, 102])
@pytest.mark.parametrize("window", [3, 50])
def test_a_one_word_search_finds_what_the_general_search_finds(
    client, board, monkeypatch, postings, window
):
    monkeypatch.setattr(board_search, "RANKED_MATCHES", window)
    monkeypatch.setattr(board_search, "TERM_POSTINGS", postings)
    words = ("Mehrwegbecher", "cups", "réutilisable", "consigne", "Kantine", "übersetzt", "nothing")
    for headers in ({}, board["admin"].headers):
        for word in words:
            through_lists = answers(client, board, word, headers)
            monkeypatch.setattr(board_search, "WORD_LISTS", False)
            general = answers(client, board, word, headers)
            monkeypatch.setattr(board_search, "WORD_LISTS", True)
            assert through_lists == general, word
    # Not every search is empty: the comparison compares something.
    assert answers(client, board, "cups", {})[0]["items"]
