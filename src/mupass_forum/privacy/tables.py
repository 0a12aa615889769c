"""What the personal data rights keep themselves: an erasure log and each forum's retention.

Neither table names a person: an erasure is logged by the pseudonymous account id that stays
behind, with who asked for it and when.
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.forums.tables import Forum


class Erasure(Table, tablename="privacy_erasure"):
    """One erasure of one person's data, carried out in one transaction."""

    id = Serial(primary_key=True)
    #: The erased account's id: the tombstone that consent proof still points to.
    subject_id = Integer(index=True)
    #: Who asked: the person themselves or a platform admin; null from the command line.
    requested_by_id = Integer(null=True, default=None)
    #: ``self_service``, ``admin`` or ``command_line``.
    channel = Varchar(length=16)
    #: Whether the person's board posts were removed too, not only unlinked.
    posts_removed = Boolean(default=False)
    erased_at = Timestamptz(default=TimestamptzNow())


class ForumRetention(Table, tablename="privacy_forum_retention"):
    """A forum's retention period, when it differs from the default, and what retention did."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, unique=True, index=True)
    #: Days after the forum's end that personal details are kept; null means the default.
    retention_days = Integer(null=True, default=None)
    #: When retention shredded the forum's personal details (registrations, interest, the
    #: photo list); null until then.
    shredded_at = Timestamptz(null=True, default=None)
    #: When the forum's consent events were removed from the ledger, beyond their proof period.
    consent_cleared_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
