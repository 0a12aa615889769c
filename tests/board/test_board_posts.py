"""Threads and posts: keyset pages, a fixed number of queries, edits, deletion, reactions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from mupass_forum import db
from tests.board.conftest import BOARD, run_sql


def _fill(client, thread, author, count: int) -> list[dict]:
    posts = []
    for n in range(count):
        response = client.post(
            f"{BOARD}/threads/{thread['id']}/posts",
            json={"body": f"Reply number {n + 2}", "language": "en"},
            headers=author.headers,
        )
        assert response.status_code == 201, response.text
        posts.append(response.json())
    return posts


def positions(page: dict) -> list[int]:
    return [post["position"] for post in page["items"]]


def test_pages_of_a_thread_first_last_before_after_and_around(
    client, make_category, make_thread, board_admin
):
    thread = make_thread(board_admin, make_category())
    posts = _fill(client, thread, board_admin, 24)
    url = f"{BOARD}/threads/{thread['id']}/posts"

    first = client.get(f"{url}?limit=10").json()
    assert positions(first) == list(range(1, 11))
    assert (first["prev_cursor"], first["next_cursor"], first["post_count"]) == (None, 10, 25)
    second = client.get(f"{url}?limit=10&after={first['next_cursor']}").json()
    assert positions(second) == list(range(11, 21))

    last = client.get(f"{url}?limit=10&last=true").json()
    assert positions(last) == list(range(16, 26))
    assert (last["prev_cursor"], last["next_cursor"]) == (16, None)
    before = client.get(f"{url}?limit=10&before={last['prev_cursor']}").json()
    assert positions(before) == list(range(6, 16))

    target = posts[11]  # position 13
    around = client.get(f"{url}?limit=5&around={target['id']}").json()
    assert positions(around) == [11, 12, 13, 14, 15]
    near_end = client.get(f"{url}?limit=5&around={posts[-1]['id']}").json()
    assert positions(near_end) == [21, 22, 23, 24, 25]

    both = client.get(f"{url}?after=3&last=true")
    assert (both.status_code, both.json()["code"]) == (400, "one_page_selector")
    elsewhere = make_thread(board_admin, make_category())
    foreign_post = client.get(f"{BOARD}/threads/{elsewhere['id']}/posts").json()["items"][0]
    assert client.get(f"{url}?around={foreign_post['id']}").status_code == 404


@contextlib.contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every query the engine runs in the block: on PostgreSQL all pass through ``fetch``; on
    SQLite through ``run_querystring`` or, for index-bounded reads, ``read_inline``."""
    engine = db.current_engine()
    seen: list[str] = []
    names = ("fetch",) if db.is_postgres() else ("run_querystring", "read_inline")

    def counted(original):
        async def run(query, *args, **kwargs):
            seen.append(str(query))
            return await original(query, *args, **kwargs)

        return run

    for name in names:
        setattr(engine, name, counted(getattr(engine, name)))
    try:
        yield seen
    finally:
        for name in names:
            delattr(engine, name)


def test_a_page_costs_the_same_queries_whatever_its_size(
    client, make_account, make_category, make_thread, board_admin
):
    thread = make_thread(board_admin, make_category())
    posts = _fill(client, thread, board_admin, 40)
    reader = make_account(locale="de")
    for post in posts[::3]:
        client.put(f"{BOARD}/posts/{post['id']}/reactions/thanks", headers=reader.headers)
        client.post(
            f"{BOARD}/posts/{post['id']}/translations",
            json={"locale": "de", "body": "Antwort"},
            headers=board_admin.headers,
        )
    url = f"{BOARD}/threads/{thread['id']}/posts"
    counts = []
    for query in ("limit=2", "limit=40", "limit=40&last=true", "before=30&limit=3"):
        with counting_queries() as seen:
            response = client.get(f"{url}?{query}", headers=reader.headers)
        assert response.status_code == 200
        # The live stream's pump reads events on its own schedule; it is no part of a request.
        counts.append(len([sql for sql in seen if "FROM board_event" not in sql]))
        board_queries = [sql for sql in seen if "board_" in sql and "board_event" not in sql]
        # The thread with its page, the posts' reactions and translations (besides the
        # caller): one statement on either database.
        assert len(board_queries) == 1, board_queries
    assert len(set(counts)) == 1, counts
    # Around a post: its place, the thread and the page, one statement as well.
    with counting_queries() as seen:
        response = client.get(f"{url}?around={posts[20]['id']}", headers=reader.headers)
    assert response.status_code == 200
    assert len([sql for sql in seen if "board_" in sql and "board_event" not in sql]) == 1


def test_threads_are_listed_pinned_first_then_by_last_activity(
    client, make_category, make_thread, board_admin, reply
):
    category = make_category()
    old, middle, new = (make_thread(board_admin, category, title=t) for t in "ABC")
    reply(board_admin, old, "Bringing this back up")
    client.patch(
        f"{BOARD}/threads/{middle['id']}", json={"pinned": True}, headers=board_admin.headers
    )
    url = f"{BOARD}/categories/{category['id']}/threads"
    first = client.get(f"{url}?limit=2").json()
    assert [t["title"] for t in first["items"]] == ["B", "A"]
    assert first["items"][1]["reply_count"] == 1
    rest = client.get(f"{url}?limit=2&cursor={first['next_cursor']}").json()
    assert [t["title"] for t in rest["items"]] == ["C"]
    assert rest["next_cursor"] is None
    assert new["id"] == rest["items"][0]["id"]
    assert client.get(f"{url}?cursor=nonsense").status_code == 400


def test_a_reply_names_the_post_it_answers(client, make_account, make_category, make_thread, reply):
    author, other = make_account(display_name="Amina"), make_account()
    thread = make_thread(author, make_category())
    opening = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"][0]
    answer = reply(other, thread, "> criteria\n\nWe use the EU ones.", reply_to=opening["id"])
    assert answer["reply_to"] == {
        "id": opening["id"],
        "position": 1,
        "author": {"id": author.id, "display_name": "Amina"},
    }
    assert "<blockquote>" in answer["html"]
    foreign = make_thread(author, make_category())
    response = client.post(
        f"{BOARD}/threads/{foreign['id']}/posts",
        json={"body": "x", "language": "en", "reply_to": opening["id"]},
        headers=other.headers,
    )
    assert response.json()["errors"][0]["pointer"] == "/reply_to"


def test_edits_keep_their_history_and_deletion_leaves_a_tombstone(
    client, make_account, make_category, make_thread, reply
):
    author, reader = make_account(), make_account()
    thread = make_thread(author, make_category())
    post = reply(author, thread, "Budget: 10 000 EUR")
    path = f"{BOARD}/posts/{post['id']}"
    edited = client.patch(path, json={"body": "Budget: **12 000** EUR"}, headers=author.headers)
    assert edited.json()["revision"] == 1
    assert edited.json()["edited_at"] is not None
    assert "<strong>12 000</strong>" in edited.json()["html"]
    assert edited.json()["source"] == "Budget: **12 000** EUR"
    history = client.get(f"{path}/revisions", headers=author.headers).json()
    assert [(h["revision"], h["source"]) for h in history] == [(0, "Budget: 10 000 EUR")]
    assert client.get(path, headers=reader.headers).json()["source"] is None

    assert client.delete(path, headers=author.headers).status_code == 204
    shown = client.get(path, headers=reader.headers).json()
    assert (shown["deleted"], shown["html"], shown["position"]) == (True, "", 2)
    assert client.patch(path, json={"body": "again"}, headers=author.headers).status_code == 410


def test_reactions_are_counted_once_per_person_and_kind(
    client, make_account, make_category, make_thread, reply
):
    author, first, second = make_account(), make_account(), make_account()
    post = reply(author, make_thread(author, make_category()), "Our tender template")
    path = f"{BOARD}/posts/{post['id']}/reactions"
    client.put(f"{path}/insightful", headers=first.headers)
    client.put(f"{path}/insightful", headers=first.headers)
    counts = client.put(f"{path}/insightful", headers=second.headers).json()
    assert counts == [{"kind": "insightful", "count": 2, "mine": True}]
    assert client.delete(f"{path}/insightful", headers=second.headers).json()[0]["count"] == 1
    assert client.put(f"{path}/angry", headers=first.headers).status_code == 400
    assert client.put(f"{path}/like").status_code == 401
    shown = client.get(f"{BOARD}/posts/{post['id']}", headers=first.headers).json()
    assert shown["reactions"] == [{"kind": "insightful", "count": 1, "mine": True}]


def test_following_a_thread(client, make_account, make_category, make_thread):
    author, reader = make_account(), make_account()
    thread = make_thread(author, make_category())
    path = f"{BOARD}/threads/{thread['id']}"
    assert client.get(path, headers=author.headers).json()["following"] is True
    assert client.get(path, headers=reader.headers).json()["following"] is False
    assert client.put(f"{path}/follow", headers=reader.headers).status_code == 204
    assert client.get(path, headers=reader.headers).json()["following"] is True
    client.delete(f"{path}/follow", headers=reader.headers)
    assert client.get(path, headers=reader.headers).json()["following"] is False


def test_mentions_are_marked_in_the_post(client, make_account, make_category, make_thread, reply):
    author, named = make_account(), make_account(display_name="Kofi")
    post = reply(
        author, make_thread(author, make_category()), f"Thanks [@Kofi](mention:{named.id})!"
    )
    assert f'<span class="mention" data-user-id="{named.id}">@Kofi</span>' in post["html"]


def test_new_accounts_may_post_less_often(client, make_account, make_category, make_thread):
    category = make_category()
    newcomer, veteran = make_account(), make_account()
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    run_sql(client, "UPDATE account_user SET created_at = {} WHERE id = {}", long_ago, veteran.id)
    thread = make_thread(newcomer, category)
    url = f"{BOARD}/threads/{thread['id']}/posts"
    body = {"body": "More", "language": "en"}
    statuses = [client.post(url, json=body, headers=newcomer.headers).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 201, 429]
    refused = client.post(url, json=body, headers=newcomer.headers)
    assert refused.json()["code"] == "posting_too_fast"
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert all(
        client.post(url, json=body, headers=veteran.headers).status_code == 201 for _ in range(6)
    )


def test_a_page_shows_each_post_as_the_post_alone_reads_for_every_reader(
    client, make_account, make_category, make_thread, board_admin, reply
):
    """The page reads its posts in one statement, the post alone in another: both say the
    same, whoever reads, for posts replied to, reacted to, translated, hidden and deleted."""
    awa = make_account(locale="fr", display_name="Awa")
    tom = make_account(locale="en", display_name="Tom")
    reader = make_account(locale="en")
    thread = make_thread(awa, make_category(), title="Cantines", language="fr", body="Bio")
    url = f"{BOARD}/threads/{thread['id']}/posts"
    opening = client.get(url).json()["items"][0]
    answer = reply(tom, thread, "Organic, yes", reply_to=opening["id"])
    hidden = reply(tom, thread, "Off topic")
    deleted = reply(awa, thread, "Oups", language="fr")
    asked = reply(awa, thread, "Les menus", language="fr")
    translated = client.post(
        f"{BOARD}/posts/{opening['id']}/translations",
        json={"locale": "en", "body": "Organic"},
        headers=board_admin.headers,
    )
    assert translated.status_code in (201, 202), translated.text
    for kind in ("thanks", "agree"):
        client.put(f"{BOARD}/posts/{answer['id']}/reactions/{kind}", headers=reader.headers)
    client.put(f"{BOARD}/posts/{answer['id']}/reactions/thanks", headers=awa.headers)
    client.post(f"{BOARD}/posts/{asked['id']}/translations", json={"locale": "en"},
                headers=reader.headers)  # fmt: skip
    assert client.post(
        f"{BOARD}/posts/{hidden['id']}/hide", json={}, headers=board_admin.headers
    ).status_code == 204  # fmt: skip
    assert client.delete(f"{BOARD}/posts/{deleted['id']}", headers=awa.headers).status_code == 204

    pages = {}
    for name, headers in (
        ("anonymous", {"Accept-Language": "de"}),
        ("reader", reader.headers),
        ("tom", tom.headers),
        ("moderator", board_admin.headers),
    ):
        page = client.get(url, headers=headers).json()
        pages[name] = {post["id"]: post for post in page["items"]}
        for post in page["items"]:
            alone = client.get(f"{BOARD}/posts/{post['id']}", headers=headers).json()
            assert post == {**alone, "source": None}, (name, post["position"])
        last = client.get(f"{url}?last=true&limit=2", headers=headers).json()["items"]
        assert last == page["items"][-2:], name

    seen = pages["reader"]
    assert seen[opening["id"]]["html"] == "<p>Organic</p>\n"
    assert seen[opening["id"]]["shown_language"] == "en"
    assert seen[opening["id"]]["translation"]["translator"]["id"] == board_admin.id
    # A German reader gets the English version (the fallback) before the French original.
    german = pages["anonymous"][opening["id"]]
    assert (german["shown_language"], german["language_name"]) == ("en", "Französisch")
    assert seen[answer["id"]]["reply_to"] == {
        "id": opening["id"], "position": 1, "author": {"id": awa.id, "display_name": "Awa"},
    }  # fmt: skip
    assert seen[answer["id"]]["reactions"] == [
        {"kind": "agree", "count": 1, "mine": True},
        {"kind": "thanks", "count": 2, "mine": True},
    ]
    assert [r["mine"] for r in pages["tom"][answer["id"]]["reactions"]] == [False, False]
    assert (seen[hidden["id"]]["hidden"], seen[hidden["id"]]["html"]) == (True, "")
    assert pages["tom"][hidden["id"]]["html"] == "<p>Off topic</p>\n"
    assert pages["moderator"][hidden["id"]]["html"] == "<p>Off topic</p>\n"
    assert (seen[deleted["id"]]["deleted"], seen[deleted["id"]]["html"]) == (True, "")
    assert seen[asked["id"]]["translation_requested"] is True
    assert pages["tom"][asked["id"]]["translation_requested"] is True
    assert pages["anonymous"][asked["id"]]["translation_requested"] is False
    beyond = client.get(f"{url}?after=5", headers=reader.headers).json()
    assert (beyond["items"], beyond["post_count"], beyond["prev_cursor"]) == ([], 5, None)
    created = datetime.fromisoformat(seen[answer["id"]]["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
