"""Board events: written in the transaction of the change, numbered in commit order.

The live stream replays events from the table by id, so a client that reconnects with the last
id it saw misses nothing. That needs ids that never commit out of order: on SQLite every
writing transaction is serialized already; on PostgreSQL an event is written under a
transaction-level advisory lock, so the transaction that took id 10 has committed before
another can take id 11.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.app_context import Hook, current
from mupass_forum.board.authorization import CategoryAccess
from mupass_forum.board.queries import POST_COLUMNS, POST_JOINS
from mupass_forum.board.sql import query
from mupass_forum.board.tables import Event

#: Arbitrary, fixed: the advisory lock key that orders board events on PostgreSQL.
EVENT_LOCK_KEY = 0x6D7570617373

#: Called after the commit of any transaction that wrote events (the app's live hub plugs
#: in here and wakes its subscribers).
EVENTS_WRITTEN: Hook[Callable[[], None]] = Hook("board events written")


def _wake() -> None:
    for listener in current().hooks.plugged(EVENTS_WRITTEN):
        listener()


async def record(
    kind: str,
    *,
    category_id: int,
    thread_id: int,
    post_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Write one event in the active transaction; return its id."""
    if db.is_postgres():
        await Event.raw("SELECT pg_advisory_xact_lock({})", EVENT_LOCK_KEY).run()
    rows = await Event.insert(
        Event(
            category_id=category_id,
            thread_id=thread_id,
            post_id=post_id,
            kind=kind,
            payload=msgspec.json.encode(data or {}).decode(),
            created_at=datetime.now(UTC),
        )
    ).returning(Event.id)
    db.after_commit(_wake)
    return int(rows[0]["id"])


async def redact(post_id: int) -> None:
    """Remove a post's text from the events about it (when it is hidden or deleted), so that a
    replay never shows what readers can no longer see."""
    await Event.raw(
        "UPDATE board_event SET payload = {} WHERE post_id = {} AND kind IN "
        "('post_created', 'post_edited', 'translation')",
        '{"redacted": true}',
        post_id,
    ).run()


async def record_post(kind: str, category: CategoryAccess, thread_id: int, post_id: int) -> None:
    """Record a post's event with what the live stream shows of it."""
    rows = await query(
        f"SELECT {POST_COLUMNS} FROM board_post p {POST_JOINS} WHERE p.id = {{}}", post_id
    )
    row = rows[0]
    await record(
        kind,
        category_id=category.id,
        thread_id=thread_id,
        post_id=post_id,
        data={
            "position": int(row["position"]),
            "author": {"id": int(row["author"]), "display_name": str(row["author_name"])},
            "language": str(row["language"]),
            "html": str(row["html"]),
            "reply_to": row["reply_to"],
            "revision": int(row["revision"]),
        },
    )
