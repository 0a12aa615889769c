"""The board's lists and fan-out cost the same number of statements whatever their size.

Each list is read with one participants-only category of a forum, then again with 50; the
caller's roles and seats are read once per request, and what they may read is a condition of
the list's own query, never a check per row.
"""

from __future__ import annotations

from tests.board.conftest import BOARD, grant_forum_role, outbox
from tests.translations.queue import translation_queue


def test_list_endpoints_cost_the_same_for_1_and_50_categories(
    client, make_account, make_forum, make_category, make_thread, count_queries
):
    forum = make_forum(status="announced")
    moderator, organizer = make_account(), make_account()
    translator = make_account(translator_locales=["fr"])
    grant_forum_role(client, forum, moderator, "moderator")
    grant_forum_role(client, forum, organizer, "organizer")

    asked_for = []

    def add_category(number):
        category = make_category(
            read_access="participants", post_access="participants", forum_id=forum.id
        )
        thread = make_thread(
            forum.admin, category, title=f"Workshop {number}", body=f"Kriterien {number}",
            language="de",
        )  # fmt: skip
        post_id = client.get(
            f"{BOARD}/threads/{thread['id']}/posts", headers=organizer.headers
        ).json()["items"][0]["id"]
        asked = client.post(
            f"{BOARD}/posts/{post_id}/translations",
            json={"locale": "fr"},
            headers=organizer.headers,
        )
        assert asked.status_code == 202, asked.text
        asked_for.append(f"board_post:{post_id}:body:fr")
        hidden = client.post(f"{BOARD}/posts/{post_id}/hide", json={}, headers=moderator.headers)
        assert hidden.status_code == 204, hidden.text
        client.post(f"{BOARD}/posts/{post_id}/unhide", json={}, headers=moderator.headers)
        flagged = client.post(
            f"{BOARD}/posts/{post_id}/flags", json={"reason": "spam"}, headers=organizer.headers
        )
        assert flagged.status_code == 202, flagged.text

    lists = {
        "categories (lead-organization admin)": ("/api/v1/board/categories", forum.admin),
        "categories (organizer)": ("/api/v1/board/categories", organizer),
        "categories (moderator)": ("/api/v1/board/categories", moderator),
        "search (organizer)": ("/api/v1/board/search?q=Kriterien", organizer),
        "translation queue (translator)": (
            "/api/v1/translations/tasks?locale=fr&limit=100",
            translator,
        ),
        "moderation queue (moderator)": ("/api/v1/board/moderation/queue", moderator),
        "moderation log (moderator)": ("/api/v1/board/moderation/log", moderator),
    }

    def measure():
        counts = {}
        for name, (path, account) in lists.items():
            with count_queries() as statements:
                response = client.get(path, headers=account.headers)
            assert response.status_code == 200, (name, response.text)
            counts[name] = (len(statements), len(_items(response.json())), str(statements))
        return counts

    add_category(1)
    one = measure()
    for number in range(2, 51):
        add_category(number)
    fifty = measure()
    for name in lists:
        if not name.startswith("translation queue"):  # other tests' texts wait there too
            assert fifty[name][1] > one[name][1], name  # the list did grow
        assert fifty[name][0] == one[name][0], f"{name}:\n{one[name][2]}\n---\n{fifty[name][2]}"
    queued = {task["id"] for task in translation_queue(client, translator.headers, locale="fr")}
    assert set(asked_for) <= queued


def _items(body):
    return body if isinstance(body, list) else body.get("items", body.get("hits", []))


def test_reply_mail_costs_the_same_for_1_and_50_followers(
    client, make_account, make_forum, make_category, make_thread, count_queries
):
    forum = make_forum(status="announced")
    category = make_category(
        read_access="participants", post_access="participants", forum_id=forum.id
    )
    thread = make_thread(forum.admin, category, title="Follow-up")

    def follower():
        person = make_account(organizations={forum.lead_organization_id: "admin"})
        followed = client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=person.headers)
        assert followed.status_code in (200, 204), followed.text
        return person

    def reply_cost():
        with count_queries() as statements:
            response = client.post(
                f"{BOARD}/threads/{thread['id']}/posts",
                json={"body": "Minutes attached", "language": "en"},
                headers=forum.admin.headers,
            )
        assert response.status_code == 201, response.text
        mails = [sql for sql in statements if sql.startswith('INSERT INTO "mail_outbox"')]
        return len(statements) - len(mails), len(mails), str(statements)

    first = follower()
    one = reply_cost()
    followers = [first] + [follower() for _ in range(49)]
    fifty = reply_cost()
    # One mail written per follower; everything else the same for one follower and fifty.
    assert (one[1], fifty[1]) == (1, 50)
    assert fifty[0] == one[0], f"{one[2]}\n---\n{fifty[2]}"
    assert all(outbox(client, person.email) for person in followers)
