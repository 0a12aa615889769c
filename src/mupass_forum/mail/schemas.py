"""What the outbox shows operators."""

from __future__ import annotations

import datetime as dt

import msgspec


class OutboxEntry(msgspec.Struct, kw_only=True):
    id: int
    created_at: dt.datetime
    status: str
    attempts: int
    recipient: str
    user_id: int | None
    template: str
    locale: str
    subject: str
    headers: dict[str, str]
    message_id: str
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    refused_recipients: str
