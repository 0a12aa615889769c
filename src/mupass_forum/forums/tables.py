"""Forums, their series, partner institutes, programme items and forum-scoped roles.

Times are stored as UTC instants (``Timestamptz``) next to the forum's IANA time zone, so that
"09:30 in Bonn" stays 09:30 in Bonn whatever the reader's zone and across daylight-saving
changes. Translatable texts are JSON columns holding ``TranslatableText.to_json()``.
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

from mupass_forum.accounts.tables import Organization, User


class ForumSeries(Table, tablename="forum_series"):
    """A recurring forum, such as the annual MUPASS Dialogue Forum."""

    id = Serial(primary_key=True)
    slug = Varchar(length=80, unique=True, index=True)
    #: ``TranslatableText``.
    name = JSON()
    created_at = Timestamptz(default=TimestamptzNow())


class Forum(Table, tablename="forum"):
    id = Serial(primary_key=True)
    slug = Varchar(length=80, unique=True, index=True)
    #: Indexed as ``forum_series_id`` by the second migration: Piccolo's own name for the
    #: index, ``forum_series``, is the series table's.
    series = ForeignKey(ForumSeries, on_delete=OnDelete.restrict)
    #: The year of the edition, e.g. 2019.
    edition = Integer()
    #: One of ``ForumKind``.
    kind = Varchar(length=32)
    #: One of ``ForumStatus``; changed only along the lifecycle's transitions.
    status = Varchar(length=32, default="draft", index=True)
    #: ``TranslatableText`` each; summary and description may be null.
    title = JSON()
    summary = JSON(null=True, default=None)
    description = JSON(null=True, default=None)
    venue_name = Varchar(length=200, default="")
    venue_address = Varchar(length=300, default="")
    venue_room = Varchar(length=120, default="")
    venue_city = Varchar(length=120, default="")
    #: ISO 3166-1 alpha-2, upper case; empty for an online forum.
    venue_country = Varchar(length=2, default="", index=True)
    #: IANA zone the forum takes place in; local times are shown in it.
    timezone = Varchar(length=64)
    #: Indexed with ``id`` for keyset pages (second migration).
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    #: Seats; null means not limited.
    capacity = Integer(null=True, default=None)
    interest_deadline = Timestamptz(null=True, default=None)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    #: ``[{"code": "fr", "interpretation": true}, ...]``: languages of the forum, and whether
    #: it is interpreted into each.
    languages = JSON(default="[]")
    lead_organization = ForeignKey(Organization, on_delete=OnDelete.restrict, index=True)
    contact_email = Varchar(length=320, default="")
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    #: Loaded by ``serve --demo``: retention leaves it alone, so the demonstration stays whole.
    is_demo = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ForumPartner(Table, tablename="forum_partner"):
    """A partner institute of a forum; its admins administer the forum with the lead's."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    organization = ForeignKey(Organization, on_delete=OnDelete.restrict, index=True)


class ForumRole(Table, tablename="forum_role"):
    """A person's role for one forum: ``organizer``, ``moderator`` or ``photographer``."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16)
    granted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    granted_at = Timestamptz(default=TimestamptzNow())


class ProgrammeItem(Table, tablename="forum_programme_item"):
    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    #: One of ``ProgrammeItemKind``.
    kind = Varchar(length=32)
    title = JSON()
    description = JSON(null=True, default=None)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    room = Varchar(length=120, default="")
    #: Seats of a workshop; null means not limited.
    capacity = Integer(null=True, default=None)
    #: ``[{"name": ..., "organization": ..., "user_id": 12 | null}, ...]``.
    speakers = JSON(default="[]")
    #: ISO 639-1 code of the language the item is delivered in.
    language = Varchar(length=8, default="")
    #: ISO 639-1 codes it is interpreted into.
    interpretation = JSON(default="[]")
    #: A track or working group, free text (e.g. "Working group Latin America").
    track = Varchar(length=120, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
