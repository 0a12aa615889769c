"""Listeners hear forum changes inside the change's transaction, and can undo it."""

from __future__ import annotations

from mupass_forum import db
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.services import ForumChange, on_forum_change


def test_listeners_hear_status_changes_and_edits_in_the_transaction(
    client, make_forum, app_context
) -> None:
    forum = make_forum(status="announced", capacity=10)
    heard: list[tuple[str, str, dict, bool]] = []

    async def listener(change: ForumChange) -> None:
        if change.before.slug == forum.slug:
            heard.append(
                (
                    change.before.slug,
                    change.before.status,
                    dict(change.changes),
                    db.in_transaction(),
                )
            )

    remove = on_forum_change(app_context.hooks, listener)
    assert on_forum_change(app_context.hooks, listener) is not None  # added once only
    try:
        client.post(
            f"/api/v1/forums/{forum.slug}/status",
            json={"status": "registration_open"},
            headers=forum.admin.headers,
        )
        client.patch(
            f"/api/v1/forums/{forum.slug}", json={"capacity": 12}, headers=forum.admin.headers
        )
    finally:
        remove()
    assert [
        (status, changes.get("status"), changes.get("capacity"), inside)
        for _, status, changes, inside in heard
    ] == [
        (ForumStatus.ANNOUNCED, ForumStatus.REGISTRATION_OPEN, None, True),
        (ForumStatus.REGISTRATION_OPEN, None, 12, True),
    ]
    client.patch(f"/api/v1/forums/{forum.slug}", json={"capacity": 14}, headers=forum.admin.headers)
    assert len(heard) == 2  # removed listeners hear nothing


def test_a_failing_listener_undoes_the_change(client, make_forum, app_context) -> None:
    forum = make_forum(status="announced")

    async def refuse(change: ForumChange) -> None:
        if change.before.slug == forum.slug:
            raise RuntimeError("refused")

    remove = on_forum_change(app_context.hooks, refuse)
    try:
        response = client.post(
            f"/api/v1/forums/{forum.slug}/status",
            json={"status": "registration_open"},
            headers=forum.admin.headers,
        )
    finally:
        remove()
    assert response.status_code == 500
    assert client.get(f"/api/v1/forums/{forum.slug}").json()["status"]["value"] == "announced"
