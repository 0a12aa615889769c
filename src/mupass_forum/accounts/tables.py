"""Accounts, their sign-in sessions and one-time tokens, partner institutes and roles.

Secrets are never stored: sessions and one-time tokens keep only the SHA-256 of a random token
of 256 bits (a slow hash adds nothing at that entropy), passwords only their argon2id hash.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="account_user"):
    id = Serial(primary_key=True)
    #: Lower-cased and stripped; unique regardless of how the person typed it.
    email = Varchar(length=320, unique=True, index=True)
    #: argon2id, in the PHC string format (parameters included, so they can be upgraded).
    password_hash = Varchar(length=255)
    display_name = Varchar(length=120)
    #: One of the service's locales; mails and errors for this person use it.
    locale = Varchar(length=8, default="en")
    #: IANA time zone name, e.g. ``Africa/Accra``.
    timezone = Varchar(length=64, default="Europe/Berlin")
    #: When the person proved they receive mail at ``email``; null until then.
    email_verified_at = Timestamptz(null=True, default=None)
    is_platform_admin = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    #: Set when the person's data was erased: the row stays as a pseudonymous tombstone (its id
    #: is what consent proof and anonymized registrations point to), nothing in it names anyone
    #: and no password opens it.
    erased_at = Timestamptz(null=True, default=None)


#: An account as its holder sees it: their own ``/me`` and the export of their data.
OWN_ACCOUNT_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.locale,
    User.timezone,
    User.email_verified_at,
    User.is_platform_admin,
    User.created_at,
)


class Session(Table, tablename="account_session"):
    """A sign-in: the bearer token's hash, valid until it expires or is revoked."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    #: Refreshed at most every few minutes, so that reads do not turn into writes.
    last_used_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    #: What the person signed in with, to help them recognise their sessions.
    user_agent = Varchar(length=255, default="")
    client_address = Varchar(length=64, default="")


class OneTimeToken(Table, tablename="account_one_time_token"):
    """A link sent by mail (email verification, password reset): single use, expiring."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: ``verify_email`` or ``password_reset``.
    purpose = Varchar(length=32)
    token_hash = Varchar(length=64, unique=True, index=True)
    #: The address the token was sent to; verifying it only counts while it is still the
    #: account's address.
    email = Varchar(length=320)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class Organization(Table, tablename="account_organization"):
    """A partner institute: research institute, ministry, municipal network, NGO, ..."""

    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    #: One of ``OrganizationKind``.
    kind = Varchar(length=32)
    #: ISO 3166-1 alpha-2, upper case.
    country = Varchar(length=2)
    website = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="account_membership"):
    """A person's place in an organization; unique per (organization, user)."""

    id = Serial(primary_key=True)
    organization = ForeignKey(Organization, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: ``admin`` or ``member``.
    role = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())


class TranslatorRole(Table, tablename="account_translator_role"):
    """Someone entitled to translate into ``locale``; unique per (user, locale)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    locale = Varchar(length=8)
    granted_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
