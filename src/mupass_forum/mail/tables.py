"""The outbox: every mail the service sends, written in the transaction that causes it."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class MailStatus(StrEnum):
    #: Waiting for its next attempt (``next_attempt_at``).
    queued = "queued"
    #: Claimed by a relay that is talking to the SMTP server right now.
    sending = "sending"
    #: Accepted by the SMTP server for at least one recipient.
    sent = "sent"
    #: Given up: refused permanently or failing for too long; ``last_error`` says why.
    parked = "parked"


class OutboxMail(Table, tablename="mail_outbox"):
    id: Serial
    #: Addresses, comma-separated, as they appear in ``To``.
    recipient = Text()
    #: The account the mail is about or for; a plain number so mail outlives no foreign key.
    user_id = Integer(null=True, default=None, index=True)
    #: ``MailTemplate.name``.
    template = Varchar(length=100)
    locale = Varchar(length=16)
    subject = Text()
    text = Text()
    html = Text()
    #: Extra header fields the caller set (``mail.headers``), a JSON object of name to value.
    headers = Text(default="{}")
    #: Made when queued and sent unchanged on every attempt, so receivers can drop duplicates.
    message_id = Varchar(length=255, unique=True)
    status = Varchar(length=16, choices=MailStatus, default=MailStatus.queued, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    #: When the relay holding ``claim_token`` took the mail (``sending``).
    claimed_at = Timestamptz(null=True, default=None)
    claim_token = Varchar(length=32, null=True, default=None)
    last_error = Text(default="")
    #: ``address: code reply`` lines for recipients the server refused.
    refused_recipients = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
