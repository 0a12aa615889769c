"""Expressions of interest, registrations, their status history and each forum's seat desk.

Capacity itself is the forum's ``capacity``. Everything a registration decision needs to be
consistent is the forum's ``RegistrationDesk`` row: every transaction that changes who holds a
seat locks that row first (an ``UPDATE`` of it), so that the decisions for one forum are taken
one after the other on both databases and by every server process.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User
from mupass_forum.forums.tables import Forum, ProgrammeItem


class RegistrationDesk(Table, tablename="registration_desk"):
    """A forum's registration rules (chosen by organizers) and its seat counters.

    Made on first use, one per forum. The counters are only ever changed while the row is
    locked by the transaction that changes the registrations they count.
    """

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, unique=True, index=True)
    #: New registrations wait for an organizer's approval before they take a seat.
    requires_approval = Boolean(default=False)
    #: Freed seats go to the waiting list so that regions approach ``target_shares``, instead
    #: of strictly first come, first served.
    regional_balance = Boolean(default=False)
    #: ``{"150": 40.0, "202": 30.0, "419": 30.0}``: M49 region or sub-region -> percent.
    target_shares = JSON(default="{}")
    #: The ``BuiltInQuestion`` s the form does not ask; none by default.
    questions_off = JSON(default="[]")
    #: The forum's own questions, in order: ``[{"key", "kind", "required", "label", "options":
    #: [{"key", "label"}]}]``, labels as ``TranslatableText.to_json()``.
    questions = JSON(default="[]")
    #: Registrations holding a seat (confirmed or attended).
    seats_taken = Integer(default=0)
    #: The last waiting-list ticket handed out; tickets order the waiting list.
    last_ticket = Integer(default=0)
    #: The last badge number handed out; a confirmed registration keeps its number.
    last_badge = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class Interest(Table, tablename="registration_interest"):
    """An expression of interest ("save the date"), made without an account.

    Unique per (forum, email). It counts once ``confirmed_at`` is set by the link mailed to the
    address, within ``MUPASS_INTEREST_LINK_DAYS`` of ``link_sent_at``; ``invitation_sent_at``
    and ``cancellation_sent_at`` are each claimed by the one transaction that queues that mail.
    """

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    #: Lower-cased and stripped, like account addresses.
    email = Varchar(length=320)
    given_name = Varchar(length=100)
    family_name = Varchar(length=100)
    organization_name = Varchar(length=200, default="")
    #: One of the service's locales: mails to this person are written in it.
    locale = Varchar(length=8)
    #: ISO 3166-1 alpha-2; region and sub-region are derived from it.
    country = Varchar(length=2)
    region = Varchar(length=3, null=True, default=None)
    sub_region = Varchar(length=3, null=True, default=None)
    #: ``participants.schemas.StakeholderGroup`` / ``GovernmentLevel``, when given.
    stakeholder_group = Varchar(length=32, null=True, default=None)
    government_level = Varchar(length=32, null=True, default=None)
    wants_to_present = Boolean(default=False)
    presentation_topic = Varchar(length=300, default="")
    #: SHA-256 of the confirmation token mailed to the address.
    token_hash = Varchar(length=64, unique=True, index=True)
    #: When the link with ``token_hash`` was mailed; it expires ``MUPASS_INTEREST_LINK_DAYS``
    #: later, and asking again mails a fresh one.
    link_sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    invitation_sent_at = Timestamptz(null=True, default=None)
    #: When the person was told that the forum is cancelled.
    cancellation_sent_at = Timestamptz(null=True, default=None)
    #: Set when names, address and topic were removed (erasure or retention); the country,
    #: regions and groups stay, so that the forum's statistics stay right.
    anonymized_at = Timestamptz(null=True, default=None)


class Registration(Table, tablename="registration"):
    """A person's registration for a forum; unique per (forum, user)."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: One of ``RegistrationStatus``; changed only by the service, with a history entry.
    status = Varchar(length=24, index=True)
    #: Place in the waiting list: the forum's next ticket when the person was waitlisted
    #: (first come, first served); null when never waitlisted.
    ticket = Integer(null=True, default=None)
    #: Given when the registration is first confirmed, kept afterwards (badges, photo lists).
    badge_number = Integer(null=True, default=None)
    arrival_date = Date(null=True, default=None)
    departure_date = Date(null=True, default=None)
    dietary_needs = Text(default="")
    accessibility_needs = Text(default="")
    needs_visa_letter = Boolean(default=False)
    travel_support_requested = Boolean(default=False)
    #: ISO 639-1 codes of the languages the person wants interpretation into.
    interpretation_languages = JSON(default="[]")
    #: Answers to the forum's own questions: ``{key: true/false, text or option key}``.
    answers = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    #: The ``Idempotency-Key`` of the request that made (or made again) the registration: that
    #: request sent again, after its answer was lost, gets this registration back.
    idempotency_key = Varchar(length=100, null=True, default=None)
    #: Set when the person's account was erased: the registration still counts in the forum's
    #: statistics, by the profile's country and groups copied below, and names nobody.
    anonymized_at = Timestamptz(null=True, default=None)
    #: Set when retention removed the personal details (needs, dates, visa, travel,
    #: interpretation wishes).
    details_shredded_at = Timestamptz(null=True, default=None)
    #: The profile's statistics fields as they were when the account was erased; null while
    #: the profile itself is counted.
    country = Varchar(length=2, null=True, default=None)
    region = Varchar(length=3, null=True, default=None)
    sub_region = Varchar(length=3, null=True, default=None)
    stakeholder_group = Varchar(length=32, null=True, default=None)
    government_level = Varchar(length=32, null=True, default=None)


class RegistrationStatusChange(Table, tablename="registration_status_change"):
    """One change of a registration's status: who, when, from what, to what and why."""

    id = Serial(primary_key=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True)
    #: Null for the registration's first status.
    from_status = Varchar(length=24, null=True, default=None)
    to_status = Varchar(length=24)
    #: Who caused it; null when the service did (a promotion from the waiting list).
    actor = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class WorkshopDesk(Table, tablename="registration_workshop_desk"):
    """A workshop's places counter, locked by every transaction that changes its sign-ups.

    Made on first use, one per programme item; its capacity is the item's ``capacity``.
    """

    id = Serial(primary_key=True)
    programme_item = ForeignKey(ProgrammeItem, on_delete=OnDelete.cascade, unique=True, index=True)
    #: Sign-ups of the workshop; changed only while the row is locked.
    places_taken = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class WorkshopSignUp(Table, tablename="registration_workshop_sign_up"):
    """A participant's place in a break-out workshop; unique per (item, registration).

    It belongs to the registration that entitles the person to it: when that registration is
    declined or cancelled, its sign-ups go with it.
    """

    id = Serial(primary_key=True)
    programme_item = ForeignKey(ProgrammeItem, on_delete=OnDelete.cascade, index=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
