"""Queueing mail in the caller's transaction, and the outbox operations of the relay.

``queue_mail`` refuses to run outside a transaction: the point of the outbox is that a mail
exists exactly when the change that caused it was committed, and a mail written on its own
would be sent even if the caller's later writes failed. A service that only sends mail wraps
the call in ``db.transaction()`` like any other write.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.utils import getaddresses
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

import msgspec
from piccolo.custom_types import Combinable
from piccolo.query import Select

from mupass_forum import db
from mupass_forum.app_context import Hook, current
from mupass_forum.clock import now
from mupass_forum.mail import headers as mail_headers
from mupass_forum.mail.schemas import OutboxEntry
from mupass_forum.mail.tables import MailStatus, OutboxMail
from mupass_forum.mail.templates import MailTemplate, RenderedMail, fill_in, render
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.settings import Settings


class MailOutsideTransaction(RuntimeError):
    """``queue_mail`` was called with no transaction active."""


#: Wake-up calls of the app's relays, called after a commit queued mail.
RELAY_WAKERS: Hook[Callable[[], None]] = Hook("mail relay wakers")


def wake_relays() -> None:
    for wake in current().hooks.plugged(RELAY_WAKERS):
        wake()


def _recipients(to: str | Sequence[str]) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    if not addresses:
        raise ValueError("a mail needs at least one recipient")
    for address in addresses:
        # A line break would let an address inject headers; Address() rejects it.
        Address(addr_spec=address)
    return addresses


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{current().message_id_domain}>"


@dataclass(frozen=True)
class PreparedMail:
    """A mail rendered for its recipient, not yet in the outbox (``prepare_mail``)."""

    template: str
    recipients: list[str]
    locale: str
    timezone: str | None
    user_id: int | None
    rendered: RenderedMail
    #: Extra header fields as stored (``mail.headers.to_json``).
    headers: str

    def filled_in(self, values: Mapping[str, Any]) -> PreparedMail:
        """The mail with the fields it was prepared ``later`` for written in (``fill_in``)."""
        return replace(self, rendered=fill_in(self.rendered, self.locale, self.timezone, values))


class MailFields(TypedDict, total=False):
    """What a mail may say besides its recipients and language (``queue_mail``)."""

    timezone: str | None
    context: Mapping[str, Any] | None
    user_id: int | None
    headers: Mapping[str, str] | None


def prepare_mail(
    template: MailTemplate,
    *,
    to: str | Sequence[str],
    locale: str,
    later: Collection[str] = (),
    **fields: Unpack[MailFields],
) -> PreparedMail:
    """Render ``template`` for the recipient, to be queued by ``queue_prepared``.

    For work that must hold a lock while it decides what a mail says: the mail is rendered
    before, with the fields named in ``later`` written in once decided (``filled_in``).
    """
    recipients = _recipients(to)
    extra_headers = mail_headers.checked(fields.get("headers"))
    timezone = fields.get("timezone")
    return PreparedMail(
        template=template.name,
        recipients=recipients,
        locale=locale,
        timezone=timezone,
        user_id=fields.get("user_id"),
        rendered=render(template, locale, timezone, fields.get("context") or {}, later),
        headers=mail_headers.to_json(extra_headers),
    )


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """An account as a mail to it needs it: it goes out in the account's own language and time
    zone, whatever the language of the request that caused it."""

    id: int
    email: str
    display_name: str
    locale: str
    timezone: str


async def queue_mail_to(
    template: MailTemplate,
    recipient: Recipient,
    *,
    context: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> int:
    """``queue_mail`` to an account, in its language and time zone, kept under its id."""
    return await queue_mail(
        template,
        to=recipient.email,
        locale=recipient.locale,
        timezone=recipient.timezone,
        user_id=recipient.id,
        context=context,
        headers=headers,
    )


async def queue_mail(
    template: MailTemplate, *, to: str | Sequence[str], locale: str, **fields: Unpack[MailFields]
) -> int:
    """Render ``template`` for the recipient and write it to the outbox; return its id.

    Must run inside ``db.transaction()``: the mail is sent only if that transaction commits,
    and the relay is woken right after the commit. ``headers`` are extra header fields for the
    message (such as ``List-Unsubscribe``); ``ValueError`` for one the mail package owns or
    one that is malformed (``mail.headers``).
    """
    _require_transaction(template.name)
    prepared = prepare_mail(template, to=to, locale=locale, **fields)
    [outbox_id] = await queue_prepared([prepared])
    return outbox_id


def _require_transaction(what: str) -> None:
    if not db.in_transaction():
        raise MailOutsideTransaction(
            f"queueing {what!r} needs an active db.transaction(), so that the mail is sent "
            "exactly when the change that causes it is committed"
        )


async def queue_prepared(mails: Sequence[PreparedMail]) -> list[int]:
    """Write prepared mails to the outbox in one statement; their ids.

    Must run inside ``db.transaction()``, as ``queue_mail``.
    """
    _require_transaction(", ".join(sorted({mail.template for mail in mails})))
    if not mails:
        return []
    stamp = now()
    rows = await db.insert_rows(
        OutboxMail,
        [
            {
                "recipient": ", ".join(mail.recipients),
                "user_id": mail.user_id,
                "template": mail.template,
                "locale": mail.locale,
                "subject": mail.rendered.subject,
                "text": mail.rendered.text,
                "html": mail.rendered.html,
                "headers": mail.headers,
                "message_id": new_message_id(),
                "status": MailStatus.queued.value,
                "next_attempt_at": stamp,
                "created_at": stamp,
            }
            for mail in mails
        ],
        OutboxMail.id,
    )
    db.after_commit(wake_relays)
    return [int(row["id"]) for row in rows]


async def queue_test_mail(
    settings: Settings, to: str, locale: str | None = None, timezone: str | None = None
) -> int:
    """Queue ``mail.test`` to ``to`` (``mupass-forum mail-test``); return its outbox id."""
    from mupass_forum.mail.mails import TEST_MAIL

    async with db.transaction():
        return await queue_mail(
            TEST_MAIL,
            to=to,
            locale=locale or settings.default_locale,
            timezone=timezone or settings.default_timezone,
            context={
                # The site by its name, and its start page as the one link, which (named
                # ``*_url``) opens in the mail's language.
                "site": urlsplit(settings.base_url).netloc,
                "site_url": f"{settings.base_url}/",
                "queued_at": now(),
            },
        )


# The relay's side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimedMail:
    """A mail a relay holds (``sending``) until it records the outcome with its ``claim_token``."""

    id: int
    recipients: list[str]
    locale: str
    subject: str
    text: str
    html: str
    #: Extra header fields the caller set.
    headers: dict[str, str]
    message_id: str
    attempts: int
    created_at: dt.datetime
    claim_token: str


def _due(at: dt.datetime, claim_timeout: dt.timedelta) -> Combinable:
    waiting = (OutboxMail.status == MailStatus.queued.value) & (OutboxMail.next_attempt_at <= at)
    abandoned = (OutboxMail.status == MailStatus.sending.value) & (
        OutboxMail.claimed_at < at - claim_timeout
    )
    return waiting | abandoned


class _ClaimedRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    recipient: str
    locale: str
    subject: str
    text: str
    html: str
    #: JSON of the extra header fields.
    headers: str
    message_id: str
    attempts: int
    created_at: Moment


#: Due mails looked at per claim: if another relay takes the oldest first, the next is tried.
_CLAIM_CANDIDATES = 8


async def claim_next(claim_timeout: dt.timedelta) -> ClaimedMail | None:
    """Take the mail due longest, including one a crashed relay left ``sending``; None if none.

    One mail per claim: a relay's claim then lasts one SMTP conversation (bounded by
    ``MUPASS_SMTP_TIMEOUT_SECONDS``, which settings keep below the claim timeout), never the
    time it takes to work through a batch, so another relay cannot take over a mail that is
    still in hand. The mail is taken by an UPDATE that repeats the due condition, so of two
    relays reaching for the same mail only one gets it back.
    """
    at = now()
    candidates = (
        await OutboxMail.select(OutboxMail.id)
        .where(_due(at, claim_timeout))
        .order_by(OutboxMail.next_attempt_at)
        .limit(_CLAIM_CANDIDATES)
    )
    for candidate in candidates:
        token = secrets.token_hex(16)
        rows = (
            await OutboxMail.update(
                {
                    OutboxMail.status: MailStatus.sending.value,
                    OutboxMail.claimed_at: at,
                    OutboxMail.claim_token: token,
                    OutboxMail.attempts: OutboxMail.attempts + 1,
                }
            )
            .where((OutboxMail.id == candidate["id"]) & _due(at, claim_timeout))
            .returning(
                OutboxMail.id,
                OutboxMail.recipient,
                OutboxMail.locale,
                OutboxMail.subject,
                OutboxMail.text,
                OutboxMail.html,
                OutboxMail.headers,
                OutboxMail.message_id,
                OutboxMail.attempts,
                OutboxMail.created_at,
            )
        )
        if rows:
            row = row_as(rows[0], _ClaimedRow)
            return ClaimedMail(
                id=row.id,
                recipients=[address for _, address in getaddresses([row.recipient])],
                locale=row.locale,
                subject=row.subject,
                text=row.text,
                html=row.html,
                headers=mail_headers.from_json(row.headers),
                message_id=row.message_id,
                attempts=row.attempts,
                created_at=row.created_at,
                claim_token=token,
            )
    return None


async def _settle(mail: ClaimedMail, changes: dict[Any, Any]) -> bool:
    """Record an outcome unless another relay has reclaimed the mail meanwhile."""
    changes.update({OutboxMail.claim_token: None, OutboxMail.claimed_at: None})
    rows = (
        await OutboxMail.update(changes)
        .where(
            (OutboxMail.id == mail.id)
            & (OutboxMail.claim_token == mail.claim_token)
            & (OutboxMail.status == MailStatus.sending.value)
        )
        .returning(OutboxMail.id)
    )
    return bool(rows)


async def mark_sent(mail: ClaimedMail, refused_recipients: str = "") -> bool:
    return await _settle(
        mail,
        {
            OutboxMail.status: MailStatus.sent.value,
            OutboxMail.sent_at: now(),
            OutboxMail.last_error: "",
            OutboxMail.refused_recipients: refused_recipients,
        },
    )


async def mark_retry(mail: ClaimedMail, error: str, delay: dt.timedelta) -> bool:
    return await _settle(
        mail,
        {
            OutboxMail.status: MailStatus.queued.value,
            OutboxMail.next_attempt_at: now() + delay,
            OutboxMail.last_error: error,
        },
    )


async def mark_parked(mail: ClaimedMail, error: str, refused_recipients: str = "") -> bool:
    return await _settle(
        mail,
        {
            OutboxMail.status: MailStatus.parked.value,
            OutboxMail.last_error: error,
            OutboxMail.refused_recipients: refused_recipients,
        },
    )


# For operators -----------------------------------------------------------------------------------


def _entries() -> Select[OutboxMail]:
    return OutboxMail.select(
        OutboxMail.id,
        OutboxMail.created_at,
        OutboxMail.status,
        OutboxMail.attempts,
        OutboxMail.recipient,
        OutboxMail.user_id,
        OutboxMail.template,
        OutboxMail.locale,
        OutboxMail.subject,
        OutboxMail.headers,
        OutboxMail.message_id,
        OutboxMail.next_attempt_at,
        OutboxMail.sent_at,
        OutboxMail.last_error,
        OutboxMail.refused_recipients,
    )


async def _outbox(query: Select[OutboxMail]) -> list[OutboxEntry]:
    rows = await query
    for row in rows:
        # Stored as JSON text; an entry shows the fields.
        row["headers"] = mail_headers.from_json(row["headers"])
    return rows_as(rows, OutboxEntry)


async def list_outbox(status: MailStatus | None = None, limit: int = 50) -> list[OutboxEntry]:
    """The newest mails, optionally only those in one state."""
    query = _entries()
    if status is not None:
        query = query.where(OutboxMail.status == status.value)
    return await _outbox(query.order_by(OutboxMail.id, ascending=False).limit(limit))


async def get_outbox_entry(outbox_id: int) -> OutboxEntry | None:
    entries = await _outbox(_entries().where(OutboxMail.id == outbox_id))
    return entries[0] if entries else None


async def requeue_parked(outbox_id: int) -> bool:
    """Send a parked mail again at once (after its cause was fixed); False if none is parked."""
    rows = (
        await OutboxMail.update(
            {
                OutboxMail.status: MailStatus.queued.value,
                OutboxMail.next_attempt_at: now(),
                OutboxMail.attempts: 0,
            }
        )
        .where((OutboxMail.id == outbox_id) & (OutboxMail.status == MailStatus.parked.value))
        .returning(OutboxMail.id)
    )
    if rows:
        wake_relays()
    return bool(rows)
