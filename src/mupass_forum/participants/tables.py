"""Participant profiles, with the languages people speak and the topics they work on.

Languages and topics are link tables rather than arrays or JSON: a directory filter is then the
same indexed ``EXISTS`` on SQLite and PostgreSQL, and a page reads them in the same query.
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import Organization, User


class Profile(Table, tablename="participant_profile"):
    """What a person tells other participants about themselves; one per account."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, unique=True, index=True)
    given_name = Varchar(length=100)
    family_name = Varchar(length=100)
    #: As the person writes it; filled from the linked organization when left blank.
    organization_name = Varchar(length=200, default="")
    #: A registered organization the person belongs to, if they chose to link it.
    organization = ForeignKey(Organization, on_delete=OnDelete.set_null, null=True, default=None)
    position = Varchar(length=200, default="")
    #: ISO 3166-1 alpha-2, upper case; null when not given.
    country = Varchar(length=2, null=True, default=None, index=True)
    #: M49 region and sub-region, derived from ``country`` on every write, never typed.
    region = Varchar(length=3, null=True, default=None, index=True)
    sub_region = Varchar(length=3, null=True, default=None, index=True)
    #: One of ``GovernmentLevel``; null when not given.
    government_level = Varchar(length=32, null=True, default=None)
    #: One of ``StakeholderGroup``; null when not given.
    stakeholder_group = Varchar(length=32, null=True, default=None)
    bio = Text(default="")
    #: One of ``DirectoryVisibility``: ``hidden`` until the person chooses otherwise.
    visibility = Varchar(length=16, default="hidden", index=True)
    #: The account's address is shown to those who see the profile only when this is set.
    show_email = Boolean(default=False)
    #: Family and given name without accents and case: the directory's order (then the user
    #: id; the index on both is made by a migration, in byte order on PostgreSQL too).
    sort_name = Varchar(length=220)
    #: " " + the words of names and organization without accents and case, for word-prefix
    #: search with ``LIKE '% word%'`` on both databases.
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ProfileLanguage(Table, tablename="participant_profile_language"):
    """A language a person speaks (ISO 639-1); unique per (profile, code)."""

    id = Serial(primary_key=True)
    profile = ForeignKey(Profile, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=2)


class ProfileTopic(Table, tablename="participant_profile_topic"):
    """A topic of ``participants.topics`` a person works on; unique per (profile, topic)."""

    id = Serial(primary_key=True)
    profile = ForeignKey(Profile, on_delete=OnDelete.cascade, null=False)
    topic = Varchar(length=64)
