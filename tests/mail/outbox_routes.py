"""A test-only API that queues the test mail in a transaction, and shows outbox entries."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import msgspec
from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody

from mupass_forum import db
from mupass_forum.app import create_app
from mupass_forum.errors import Conflict, NotFound
from mupass_forum.mail import queue_mail, services
from mupass_forum.mail.mails import TEST_MAIL
from mupass_forum.mail.schemas import OutboxEntry
from mupass_forum.settings import Settings


class TestMailCreate(msgspec.Struct, forbid_unknown_fields=True):
    to: list[str]
    locale: str = "en"
    timezone: str = "UTC"
    site: str = "forum.example.org"
    site_url: str = "https://forum.example.org/"
    queued_at: dt.datetime = dt.datetime(2030, 5, 4, 10, 30, tzinfo=dt.UTC)
    user_id: int | None = None
    headers: dict[str, str] | None = None
    #: Keep the transaction open this long after queueing.
    hold_seconds: float = 0
    #: Fail after queueing, so that the transaction rolls back.
    fail: bool = False


class Queued(msgspec.Struct):
    id: int


@post("/api/v1/test-mails", operation_id="test_queue_mail", summary="Queue", tags=["test"])
async def queue_test_mail(data: JSONBody[TestMailCreate]) -> Queued:
    """Queue the test mail in a transaction."""
    async with db.transaction():
        outbox_id = await queue_mail(
            TEST_MAIL,
            to=data.to,
            locale=data.locale,
            timezone=data.timezone,
            context={"site": data.site, "site_url": data.site_url, "queued_at": data.queued_at},
            user_id=data.user_id,
            headers=data.headers,
        )
        await asyncio.sleep(data.hold_seconds)
        if data.fail:
            raise Conflict("test_failed", "Failed after queueing.")
    return Queued(id=outbox_id)


@get("/api/v1/test-mails/{outbox_id:int}", operation_id="test_mail", summary="Show", tags=["test"])
async def show_test_mail(outbox_id: FromPath[int]) -> OutboxEntry:
    """An outbox entry."""
    entry = await services.get_outbox_entry(outbox_id)
    if entry is None:
        raise NotFound()
    return entry


def outbox_app(settings: Settings) -> Litestar:
    app = create_app(settings)
    for handler in (queue_test_mail, show_test_mail):
        app.register(handler)
    return app


def address(name: str = "ada") -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"
