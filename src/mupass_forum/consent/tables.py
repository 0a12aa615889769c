"""Consent notices and the consent ledger.

Both tables only ever grow. A notice exists only as a published version, and the ledger keeps
every decision as its own event; the second migration adds triggers that make the database
itself reject ``UPDATE`` and ``DELETE`` (and, on PostgreSQL, ``TRUNCATE``) on both, so that
neither a code path nor a hand-typed statement can rewrite the proof.

Foreign keys restrict deletion: a forum or an account with consent events cannot be deleted
while the events must be kept.
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


class ConsentNotice(Table, tablename="consent_notice"):
    """One published version of a forum's photo and video notice; unique per (forum, version)."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.restrict, null=False)
    #: 1, 2, 3, ... per forum.
    version = Integer()
    #: ``TranslatableText``, in every language of the service.
    text = JSON()
    #: A material version asks everyone to choose again: decisions made under an earlier
    #: version no longer count. Corrections and wording changes are not material.
    material = Boolean(default=True)
    published_at = Timestamptz(default=TimestamptzNow())
    #: Null for the default notice the service published itself.
    published_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)


class ConsentEvent(Table, tablename="consent_event"):
    """One decision of one person, for one forum, medium and purpose, as it was made."""

    id = Serial(primary_key=True)
    #: Indexed alone for a person's history; ``(forum, user, medium, purpose, id)`` is indexed
    #: by the second migration for the latest decisions of a forum.
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.restrict, null=False)
    #: One of ``Medium``.
    medium = Varchar(length=8)
    #: One of ``Purpose``.
    purpose = Varchar(length=16)
    #: One of ``Decision``.
    decision = Varchar(length=8)
    #: The notice the decision was made on, and which of its versions that was.
    notice = ForeignKey(ConsentNotice, on_delete=OnDelete.restrict, null=False)
    notice_version = Integer()
    #: The language the notice was shown in, and the SHA-256 of that exact text (hex).
    notice_locale = Varchar(length=8)
    notice_sha256 = Varchar(length=64)
    #: One of ``Channel``.
    channel = Varchar(length=16)
    #: Who recorded it: the person themselves, or the organizer on site on their word.
    actor = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class ConsentRelease(Table, tablename="consent_release"):
    """A forum whose consent events are no longer needed as proof; unique per forum.

    The ledger's delete trigger lets an event go only when its forum has a release; only the
    retention run writes one, once the forum ended longer ago than the proof period. Releases
    are append-only themselves, and every other ``DELETE`` of the ledger is refused as before.
    """

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.restrict, null=False, unique=True)
    released_at = Timestamptz(default=TimestamptzNow())
    #: The proof period the release was made under: the database refuses a release of a forum
    #: that ended less than this many days before it.
    proof_days = Integer(default=0)
