"""A search ranks a bounded window of the newest matches and counts up to its size.

The window is made small here (the service ranks 50): the behaviour is the same.
"""

from __future__ import annotations

import re

import pytest

from mupass_forum.board import search as board_search
from tests.board.conftest import BOARD
from tests.conftest import on_postgres

WINDOW = 5


@pytest.fixture
def small_window(monkeypatch):
    monkeypatch.setattr(board_search, "RANKED_MATCHES", WINDOW)


def found(client, q, headers=None, **params):
    response = client.get(f"{BOARD}/search", params={"q": q, **params}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_common_word_is_ranked_among_the_newest_matches_and_counted_up_to_the_cap(
    client, make_category, make_thread, reply, board_admin, small_window
):
    category = make_category()
    thread = make_thread(board_admin, category, title="Kapselheber", body="Kapselheber")
    posts = [reply(board_admin, thread, f"Kapselheber number {n}", "de") for n in range(8)]

    first = found(client, "Kapselheber", category=category["id"], limit=3)
    assert (first["total"], first["total_is_capped"]) == (WINDOW, True)
    assert first["next_offset"] == 3
    second = found(client, "Kapselheber", category=category["id"], limit=3, offset=3)
    assert second["next_offset"] is None  # the window ends: narrow the search for more
    hits = [hit["post_id"] for hit in first["items"] + second["items"]]
    assert sorted(hits) == sorted(post["id"] for post in posts[-WINDOW:])

    beyond = client.get(f"{BOARD}/search", params={"q": "Kapselheber", "offset": WINDOW})
    assert beyond.status_code == 400, beyond.text

    # The next window: the older matches, from the oldest post of this one on (keyset).
    assert first["next_before"] == second["next_before"] == min(hits)
    older = found(client, "Kapselheber", category=category["id"], before=first["next_before"])
    assert (older["total"], older["total_is_capped"], older["next_before"]) == (4, False, None)
    older_hits = {hit["post_id"] for hit in older["items"]}
    assert {post["id"] for post in posts[:3]} < older_hits  # and the opening post
    assert max(older_hits) < min(hits)


def test_a_word_in_fewer_posts_than_the_cap_is_counted_exactly(
    client, make_category, make_thread, reply, board_admin, small_window
):
    category = make_category()
    thread = make_thread(board_admin, category, title="Flaschenpfand")
    for n in range(3):
        reply(board_admin, thread, f"Dosenpfandsystem {n}", "de")
    result = found(client, "Dosenpfandsystem", category=category["id"])
    assert (result["total"], result["total_is_capped"], result["next_offset"]) == (3, False, None)
    assert result["next_before"] is None
    if not on_postgres():  # SQLite: a word finds the longer words it begins
        assert found(client, "Dosenpfand", category=category["id"])["total"] == 3


def test_matches_the_reader_may_not_read_are_neither_ranked_nor_counted(
    client, make_account, make_category, make_thread, reply, board_admin, small_window
):
    public, secret = make_category(), make_category(read_access="participants")
    seen = make_thread(board_admin, public, title="Open", body="Glasrecyclingquote")
    hidden = make_thread(board_admin, secret, title="Closed", body="Glasrecyclingquote")
    for _ in range(2):
        reply(board_admin, seen, "Glasrecyclingquote", "de")
    for _ in range(WINDOW + 1):  # newer than every readable match
        reply(board_admin, hidden, "Glasrecyclingquote", "de")
    reader = make_account()
    result = found(client, "Glasrecyclingquote", headers=reader.headers)
    assert (result["total"], result["total_is_capped"]) == (3, False)
    assert {hit["thread_id"] for hit in result["items"]} == {seen["id"]}
    assert found(client, "Glasrecyclingquote", headers=board_admin.headers)["total_is_capped"]


def test_a_longer_word_written_after_a_search_is_found_by_the_next(
    client, make_category, make_thread, reply, board_admin
):
    category = make_category()
    thread = make_thread(board_admin, category, title="Becher", body="Mehrwegbecher")
    assert found(client, "Mehrwegbecher", category=category["id"])["total"] == 1
    longer = reply(board_admin, thread, "Das Mehrwegbechersystem der Kantine", "de")
    result = found(client, "Mehrwegbecher", category=category["id"])
    if on_postgres():  # stems: the longer word is another word
        assert result["total"] == 1
    else:  # a word finds the longer words it begins, as soon as they are written
        assert longer["id"] in {hit["post_id"] for hit in result["items"]}


def test_the_search_page_goes_on_to_older_matches(
    client, make_category, make_thread, reply, board_admin, small_window
):
    category = make_category(read_access="public")
    thread = make_thread(board_admin, category, title="Trinkbrunnen", body="Wasserspender")
    posts = [reply(board_admin, thread, f"Wasserspender {n}", "de") for n in range(7)]
    first = client.get("/board/search", params={"q": "Wasserspender", "lang": "en"})
    assert first.status_code == 200, first.text
    assert f"#post-{posts[6]['id']}" in first.text
    assert f"#post-{posts[1]['id']}" not in first.text
    link = re.search(r'href="(/board/search\?q=Wasserspender&amp;before=\d+)"', first.text)
    assert link is not None, first.text
    older = client.get(link[1].replace("&amp;", "&") + "&lang=en")
    assert older.status_code == 200, older.text
    assert f"#post-{posts[1]['id']}" in older.text
    assert f"#post-{posts[6]['id']}" not in older.text
    assert 'rel="next"' not in older.text  # the oldest matches: no window after them


@pytest.mark.parametrize("newest", ["interleaved", "en", "de"])
def test_the_window_is_the_newest_matches_whatever_their_language(
    client, make_category, make_thread, reply, board_admin, small_window, newest
):
    # SQLite indexes English and other originals in two tables: one window of both.
    category = make_category()
    thread = make_thread(board_admin, category, title="Trinkhalme", body="Strohhalm", language="de")
    if newest == "interleaved":
        languages = ["en", "de"] * 4
    else:
        other = "de" if newest == "en" else "en"
        languages = [other] * 3 + [newest] * (WINDOW + 1)
    posts = [
        reply(board_admin, thread, f"Strohhalm {n}", language)
        for n, language in enumerate(languages)
    ]

    first = found(client, "Strohhalm", category=category["id"])
    assert (first["total"], first["total_is_capped"]) == (WINDOW, True)
    hits = {hit["post_id"] for hit in first["items"]}
    assert hits == {post["id"] for post in posts[-WINDOW:]}
    assert first["next_before"] == min(hits)

    older = found(client, "Strohhalm", category=category["id"], before=first["next_before"])
    rest = {post["id"] for post in posts[:-WINDOW]}  # and the opening post
    assert (older["total"], older["total_is_capped"]) == (len(rest) + 1, False)
    assert {hit["post_id"] for hit in older["items"]} > rest
    assert max(hit["post_id"] for hit in older["items"]) < min(hits)

    english = found(client, "Strohhalm", category=category["id"], language="en")
    assert {hit["language"] for hit in english["items"]} == {"en"}
    assert english["total"] == min(languages.count("en"), WINDOW)
