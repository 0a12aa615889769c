"""Passport details for visa letters, each forum's letterhead, issued documents, badge prints."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Bytea,
    Date,
    ForeignKey,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User
from mupass_forum.forums.tables import Forum
from mupass_forum.registrations.tables import Registration


class VisaDetails(Table, tablename="document_visa_details"):
    """What an embassy checks, given by a person who needs a visa letter; one per registration.

    The most sensitive details the service holds: only the person and the forum's organizers
    see them, no export to others carries them, and they go with the account and
    ``MUPASS_VISA_DETAILS_DAYS`` after the forum ends.
    """

    id = Serial(primary_key=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, unique=True, index=True)
    #: As written in the passport, which may differ from the profile's name.
    full_name = Varchar(length=200)
    date_of_birth = Date()
    #: ISO 3166-1 alpha-2.
    nationality = Varchar(length=2)
    passport_number = Varchar(length=40)
    passport_valid_until = Date()
    #: The embassy or consulate that decides, as the person names it ("German Embassy Accra").
    embassy = Varchar(length=200)
    entry_date = Date()
    exit_date = Date()
    updated_at = Timestamptz(default=TimestamptzNow())


class Letterhead(Table, tablename="document_letterhead"):
    """What a forum's documents are signed with; one per forum, set by its organizers."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, unique=True, index=True)
    institute = Varchar(length=200, default="")
    #: Postal address, one line per line.
    address = Text(default="")
    signatory_name = Varchar(length=200, default="")
    signatory_role = Varchar(length=200, default="")
    #: ``en`` or ``de``: the language embassies read the letter in.
    letter_locale = Varchar(length=8, default="en")
    #: The costs the forum covers for participants with travel support: ``CoveredCost`` values.
    covered_costs = JSON(default="[]")
    #: PNG or JPEG, at most 512 KiB.
    logo = Bytea(null=True, default=None)
    logo_media_type = Varchar(length=32, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class IssuedDocument(Table, tablename="document_issued"):
    """A visa letter or a certificate: its public reference and what verification shows."""

    id = Serial(primary_key=True)
    #: ``visa_letter`` or ``certificate``.
    kind = Varchar(length=16, index=True)
    #: Printed on the document and in its QR code; random, so that references cannot be guessed.
    reference = Varchar(length=32, unique=True, index=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True)
    #: The name the document was issued to, shown by the verification page; emptied by
    #: retention for visa letters.
    holder_name = Varchar(length=200)
    issued_at = Timestamptz(default=TimestamptzNow())
    issued_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class BadgePrint(Table, tablename="document_badge_print"):
    """What a registration's badge showed when it was last printed, to find badges to reprint."""

    id = Serial(primary_key=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, unique=True, index=True)
    #: SHA-256 of the printed name, institution, country, number and consent marker.
    printed = Varchar(length=64)
    printed_at = Timestamptz(default=TimestamptzNow())
