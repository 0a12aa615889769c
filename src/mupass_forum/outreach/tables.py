"""Messages organizers write to a forum's people, who got each, reminders, organizers' choices.

A message is sent once: ``sent_at`` is claimed by the one transaction that queues its mails,
and every delivery is unique per (message, address), so a retried send writes to nobody twice.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User
from mupass_forum.forums.tables import Forum


class ParticipantMessage(Table, tablename="outreach_message"):
    """A message to a forum's people, written once per language."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    #: ``{locale: text}``; a language missing here is sent in ``fallback_locale``.
    subject = JSON()
    body = JSON()
    fallback_locale = Varchar(length=8)
    #: Who receives it: ``{"statuses": [...], "interested": bool, "region": code | null,
    #: "need": name | null}`` (``outreach.schemas.Recipients``).
    recipients = JSON()
    created_at = Timestamptz(default=TimestamptzNow())
    #: Claimed by the transaction that queues the mails; set once.
    sent_at = Timestamptz(null=True, default=None)
    recipient_count = Integer(default=0)


class MessageDelivery(Table, tablename="outreach_delivery"):
    """One person's copy of a message: to which address, in which language, which outbox mail."""

    id = Serial(primary_key=True)
    message = ForeignKey(ParticipantMessage, on_delete=OnDelete.cascade, index=True)
    #: ``{message id}:{address}``: the same message never goes to an address twice.
    key = Varchar(length=400, unique=True)
    #: Null for people who only registered interest (no account).
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    email = Varchar(length=320)
    name = Varchar(length=200, default="")
    locale = Varchar(length=8)
    outbox_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ForumReminder(Table, tablename="outreach_reminder"):
    """The reminder before a forum, sent to one participant; unique per (forum, person)."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: ``{forum id}:{user id}``.
    key = Varchar(length=40, unique=True)
    outbox_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class OrganizerMailChoice(Table, tablename="outreach_organizer_choice"):
    """Which mails an organizer wants; without a row, all of them."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True, index=True)
    #: A new registration waits for approval.
    pending_registration = Boolean(default=True)
    #: A best-practice proposal was sent.
    proposal_received = Boolean(default=True)
    #: A post was flagged in a category of a forum one organizes.
    post_flagged = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())
