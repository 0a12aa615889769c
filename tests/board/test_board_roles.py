"""The people who run a forum on its board: organizers, participants, translators, moderators.

A scripted run of a forum's participants-only category from start to end, and a matrix of who
may do what there, role by endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.board.conftest import BOARD, grant_forum_role, outbox
from tests.registrations.conftest import register
from tests.translations.queue import translation_queue


def _first_post(client, thread, reader):
    page = client.get(f"{BOARD}/threads/{thread['id']}/posts", headers=reader.headers)
    assert page.status_code == 200, page.text
    return page.json()["items"][0]


def test_a_forum_runs_its_participants_category_end_to_end(
    client, make_account, make_forum, make_category, make_thread, reply, board_admin
):
    forum = make_forum(status="registration_open", capacity=10)
    series = client.get(f"/api/v1/forums/{forum.slug}").json()["series"]["slug"]
    moderator, organizer = make_account(), make_account()
    grant_forum_role(client, forum, moderator, "moderator")
    grant_forum_role(client, forum, organizer, "organizer")
    german = make_account(locale="de", display_name="Katrin")
    french = make_account(locale="fr", display_name="Awa")
    register(client, forum, german)
    register(client, forum, french)
    translator = make_account(locale="fr", translator_locales=["fr"])

    # A moderator's queue and log are there before anything happened: empty, not refused.
    for path in ("/moderation/queue", "/moderation/log"):
        response = client.get(f"{BOARD}{path}", headers=moderator.headers)
        assert response.status_code == 200, (path, response.text)
    assert client.get(f"{BOARD}/moderation/queue", headers=moderator.headers).json() == []

    # Categories for the forum's participants, and for the series between its editions.
    category = make_category(
        read_access="participants", post_access="participants", forum_id=forum.id
    )
    between = make_category(series=series)
    assert between["series"] == series

    # A German post; a French participant asks for it in French.
    thread = make_thread(german, category, title="Schulessen", language="de", body="Bio-Kriterien")
    post = _first_post(client, thread, german)
    asked = client.post(
        f"{BOARD}/posts/{post['id']}/translations", json={"locale": "fr"}, headers=french.headers
    )
    assert asked.status_code == 202, asked.text

    # The French translator finds and answers it, and reads nothing else of the category.
    task = f"board_post:{post['id']}:body:fr"
    assert task in [item["id"] for item in translation_queue(client, translator.headers)]
    done = client.post(
        f"/api/v1/translations/tasks/{task}",
        json={"text": "Critères bio"},
        headers=translator.headers,
    )
    assert done.status_code == 201, done.text
    assert (
        client.get(f"{BOARD}/threads/{thread['id']}", headers=translator.headers).status_code == 404
    )
    seen = client.get(f"{BOARD}/posts/{post['id']}", headers=french.headers).json()
    assert (seen["shown_language"], seen["html"]) == ("fr", "<p>Critères bio</p>\n")
    assert any(
        mail["template"] == "board.translation_done" for mail in outbox(client, french.email)
    )

    # The lead organization's admin follows the thread and is told of replies.
    followed = client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=forum.admin.headers)
    assert followed.status_code in (200, 204), followed.text
    answer = reply(french, thread, "Merci !", language="fr")
    assert any(mail["template"] == "board.reply" for mail in outbox(client, forum.admin.email))

    # Flagged, hidden by the forum's moderator, written to the log the moderator reads.
    flagged = client.post(
        f"{BOARD}/posts/{answer['id']}/flags", json={"reason": "off_topic"}, headers=german.headers
    )
    assert flagged.status_code == 202, flagged.text
    queue = client.get(f"{BOARD}/moderation/queue", headers=moderator.headers).json()
    assert [item["post_id"] for item in queue] == [answer["id"]]
    hidden = client.post(f"{BOARD}/posts/{answer['id']}/hide", json={}, headers=moderator.headers)
    assert hidden.status_code == 204, hidden.text
    assert client.get(f"{BOARD}/moderation/queue", headers=moderator.headers).json() == []
    log = client.get(f"{BOARD}/moderation/log", headers=moderator.headers).json()["items"]
    assert [(entry["action"], entry["post_id"]) for entry in log] == [("hide", answer["id"])]

    # What happens in other categories stays out of this moderator's log.
    elsewhere = make_thread(board_admin, make_category())
    pinned = client.patch(
        f"{BOARD}/threads/{elsewhere['id']}", json={"pinned": True}, headers=board_admin.headers
    )
    assert pinned.status_code == 200, pinned.text
    log = client.get(f"{BOARD}/moderation/log", headers=moderator.headers).json()["items"]
    assert elsewhere["id"] not in [entry["thread_id"] for entry in log]
    everything = client.get(f"{BOARD}/moderation/log", headers=board_admin.headers).json()
    assert elsewhere["id"] in [entry["thread_id"] for entry in everything["items"]]


# Who may do what, role by endpoint -------------------------------------------------------------

ROLES = (
    "anonymous",
    "signed_in",
    "participant",
    "cancelled_participant",
    "organizer",
    "lead_organization_admin",
    "moderator",
    "translator",
    "platform_admin",
)
READERS = {
    "participant",
    "organizer",
    "lead_organization_admin",
    "moderator",
    "platform_admin",
}
MODERATORS = {"organizer", "lead_organization_admin", "moderator", "platform_admin"}


@dataclass(frozen=True)
class Expected:
    """What one role gets in a forum's participants-only category."""

    reads: bool
    moderates: bool
    sees_translation_request: bool


def _expected(role: str) -> Expected:
    return Expected(
        reads=role in READERS,
        moderates=role in MODERATORS,
        sees_translation_request=role in {"translator", "platform_admin"},
    )


@pytest.mark.parametrize("role", ROLES)
def test_board_roles_matrix(
    role, client, make_account, make_forum, make_category, make_thread, board_admin
):
    forum = make_forum(status="registration_open", capacity=10)
    author = make_account()
    register(client, forum, author)
    category = make_category(
        read_access="participants", post_access="participants", forum_id=forum.id
    )
    word = f"matrix{forum.id}x"
    thread = make_thread(author, category, title="Tenders", language="de", body=f"Über {word}")
    post = _first_post(client, thread, author)
    client.post(
        f"{BOARD}/posts/{post['id']}/translations", json={"locale": "fr"}, headers=author.headers
    )
    other = make_thread(author, category, title="Other", body="To be hidden")
    to_hide = _first_post(client, other, author)
    flagged = client.post(
        f"{BOARD}/posts/{to_hide['id']}/flags", json={"reason": "spam"}, headers=forum.admin.headers
    )
    assert flagged.status_code == 202, flagged.text

    caller = None
    if role == "signed_in":
        caller = make_account()
    elif role == "participant":
        caller = make_account()
        register(client, forum, caller)
    elif role == "cancelled_participant":
        caller = make_account()
        register(client, forum, caller)
        cancelled = client.post(
            f"/api/v1/forums/{forum.slug}/registrations/mine/cancel",
            json={},
            headers=caller.headers,
        )
        assert cancelled.status_code == 200, cancelled.text
    elif role in ("organizer", "moderator"):
        caller = make_account()
        grant_forum_role(client, forum, caller, role)
    elif role == "lead_organization_admin":
        caller = forum.admin
    elif role == "translator":
        caller = make_account(translator_locales=["fr"])
    elif role == "platform_admin":
        caller = board_admin
    headers = caller.headers if caller is not None else {}
    expected = _expected(role)
    hidden_status = 401 if caller is None else 404

    listed = client.get(f"{BOARD}/categories", headers=headers).json()
    assert (category["id"] in [c["id"] for c in listed]) is expected.reads

    read = client.get(f"{BOARD}/threads/{thread['id']}/posts", headers=headers)
    assert read.status_code == (200 if expected.reads else hidden_status), read.text

    found = client.get(f"{BOARD}/search", params={"q": word}, headers=headers).json()
    assert (post["id"] in [hit["post_id"] for hit in found["items"]]) is expected.reads

    replied = client.post(
        f"{BOARD}/threads/{thread['id']}/posts",
        json={"body": "Reply", "language": "en"},
        headers=headers,
    )
    assert replied.status_code == (201 if expected.reads else hidden_status), replied.text

    for path in ("/moderation/queue", "/moderation/log"):
        response = client.get(f"{BOARD}{path}", headers=headers)
        wanted = 200 if expected.moderates else 401 if caller is None else 403
        assert response.status_code == wanted, (path, response.text)
        if wanted == 403:
            assert response.json()["code"] == "moderators_only"
    if expected.moderates and role != "platform_admin":  # theirs holds every test's flags
        queue = client.get(f"{BOARD}/moderation/queue", headers=headers).json()
        assert to_hide["id"] in [item["post_id"] for item in queue]

    hide = client.post(f"{BOARD}/posts/{to_hide['id']}/hide", json={}, headers=headers)
    wanted = 204 if expected.moderates else 403 if expected.reads else hidden_status
    assert hide.status_code == wanted, hide.text

    tasks = client.get("/api/v1/translations/tasks", params={"limit": 100}, headers=headers)
    if caller is None:
        assert tasks.status_code == 401
    elif role in ("translator", "platform_admin"):
        task = f"board_post:{post['id']}:body:fr"
        queue = [item["id"] for item in translation_queue(client, headers, locale="fr")]
        assert (task in queue) is expected.sees_translation_request
    else:
        assert tasks.status_code == 403, tasks.text
