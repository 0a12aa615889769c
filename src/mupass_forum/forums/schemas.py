"""What the forums API takes and gives.

Translatable texts come in as ``{locale: text}`` maps and go out as ``LocalizedText`` (the
reader's language, or a fallback that says so, with the original one click away). Times come
in as ISO 8601; a time without an offset is local time in the forum's zone. They go out with
the offset of the forum's zone, next to texts formatted for the reader.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mupass_forum.i18n.text import LocalizedText

Slug = Annotated[str, Meta(min_length=3, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
#: ``{locale: text}``; keys are checked against the service's languages by the service.
TextMap = dict[str, str]
Edition = Annotated[int, Meta(ge=1900, le=2200)]
Seats = Annotated[int, Meta(ge=1, le=100_000)]
ShortText = Annotated[str, Meta(max_length=200)]
Email = Annotated[str, Meta(max_length=320)]
LanguageCode = Annotated[str, Meta(min_length=2, max_length=3)]


class ForumKind(StrEnum):
    DIALOGUE_FORUM = "dialogue_forum"
    NETWORK_MEETING = "network_meeting"
    STAKEHOLDER_FORUM = "stakeholder_forum"
    WORKSHOP = "workshop"


class ForumStatus(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    HELD = "held"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


class ForumRoleName(StrEnum):
    ORGANIZER = "organizer"
    MODERATOR = "moderator"
    PHOTOGRAPHER = "photographer"


class ProgrammeItemKind(StrEnum):
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    BREAKOUT_SESSION = "breakout_session"
    NETWORKING = "networking"
    WARM_UP = "warm_up"
    BREAK = "break"


class When(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"


# Series ----------------------------------------------------------------------------------------


class Series(msgspec.Struct):
    slug: str
    name: LocalizedText


class SeriesCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    name: TextMap
    #: The locale the name was written in (default: the request's, if the map has it).
    original_locale: str | None = None


# Forums ----------------------------------------------------------------------------------------


class Label(msgspec.Struct):
    """A machine value and its name in the reader's language."""

    value: str
    label: str


class Venue(msgspec.Struct):
    name: str
    address: str
    room: str
    city: str
    #: ISO 3166-1 alpha-2, empty for an online forum.
    country: str
    #: The country's name in the reader's language.
    country_name: str


class VenueInput(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText = ""
    address: Annotated[str, Meta(max_length=300)] = ""
    room: Annotated[str, Meta(max_length=120)] = ""
    city: Annotated[str, Meta(max_length=120)] = ""
    country: Annotated[str, Meta(max_length=2)] = ""


class Language(msgspec.Struct):
    #: ISO 639-1.
    code: str
    #: Its name in the reader's language.
    name: str
    #: Whether the forum is interpreted into this language.
    interpretation: bool


class LanguageInput(msgspec.Struct, forbid_unknown_fields=True):
    code: LanguageCode
    interpretation: bool = False


class OrganizationRef(msgspec.Struct):
    id: int
    name: str


class LocalTimes(msgspec.Struct):
    """Dates of a forum for people: in the reader's language, in the forum's time zone."""

    #: e.g. "28.–30. Oktober 2019" / "28–30 oct. 2019".
    dates: str
    starts: str
    ends: str


class Forum(msgspec.Struct):
    id: int
    slug: str
    series: Series
    edition: int
    kind: Label
    status: Label
    title: LocalizedText
    summary: LocalizedText | None
    #: Only in the detail; lists leave it out.
    description: LocalizedText | None
    venue: Venue
    #: IANA zone of the forum; the times below carry its offset.
    timezone: str
    starts_at: datetime
    ends_at: datetime
    local: LocalTimes
    capacity: int | None
    interest_deadline: datetime | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    languages: list[Language]
    lead_organization: OrganizationRef
    partner_organizations: list[OrganizationRef]
    contact_email: str


class ForumPage(msgspec.Struct):
    items: list[Forum]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None


class ForumCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    #: The slug of the series.
    series: Slug
    edition: Edition
    kind: ForumKind
    title: TextMap
    timezone: str
    starts_at: datetime
    ends_at: datetime
    lead_organization_id: int
    summary: TextMap = msgspec.field(default_factory=dict)
    description: TextMap = msgspec.field(default_factory=dict)
    #: The locale the texts were written in (default: the request's, if the title has it).
    original_locale: str | None = None
    venue: VenueInput = msgspec.field(default_factory=VenueInput)
    capacity: Seats | None = None
    interest_deadline: datetime | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    languages: list[LanguageInput] = msgspec.field(default_factory=list)
    partner_organization_ids: list[int] = msgspec.field(default_factory=list)
    contact_email: Email = ""


class ForumUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; a text map replaces the whole text."""

    series: Slug | UnsetType = UNSET
    edition: Edition | UnsetType = UNSET
    kind: ForumKind | UnsetType = UNSET
    title: TextMap | UnsetType = UNSET
    summary: TextMap | UnsetType = UNSET
    description: TextMap | UnsetType = UNSET
    original_locale: str | UnsetType = UNSET
    venue: VenueInput | UnsetType = UNSET
    timezone: str | UnsetType = UNSET
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    capacity: Seats | UnsetType | None = UNSET
    interest_deadline: datetime | UnsetType | None = UNSET
    registration_opens_at: datetime | UnsetType | None = UNSET
    registration_closes_at: datetime | UnsetType | None = UNSET
    languages: list[LanguageInput] | UnsetType = UNSET
    lead_organization_id: int | UnsetType = UNSET
    partner_organization_ids: list[int] | UnsetType = UNSET
    contact_email: Email | UnsetType = UNSET


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: ForumStatus


# Roles -----------------------------------------------------------------------------------------


class ForumRoleGrant(msgspec.Struct):
    user_id: int
    display_name: str
    role: Label
    granted_by: int | None
    granted_at: datetime


class ForumRoleCreate(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    role: ForumRoleName


# Programme -------------------------------------------------------------------------------------


class Speaker(msgspec.Struct):
    name: str
    organization: str
    #: The speaker's account, when they have one.
    user_id: int | None = None
    #: The accepted proposal that put the speaker here (managed through the proposal).
    proposal_id: int | None = None


class SpeakerInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    organization: ShortText = ""
    user_id: int | None = None
    #: Keeps a speaker linked from a proposal at this place in the list (as read); the entry
    #: itself stays as the proposal made it.
    proposal_id: int | None = None


class ProgrammeItem(msgspec.Struct):
    id: int
    kind: Label
    title: LocalizedText
    description: LocalizedText | None
    starts_at: datetime
    ends_at: datetime
    #: Start and end in the reader's format, in the forum's time zone ("09:30", "9:30 AM").
    starts: str
    ends: str
    room: str
    capacity: int | None
    speakers: list[Speaker]
    language: Language | None
    interpretation: list[Language]
    track: str


class ProgrammeDay(msgspec.Struct):
    date: date
    #: e.g. "Montag, 28. Oktober 2019" / "lundi 28 octobre 2019".
    label: str
    items: list[ProgrammeItem]


class Programme(msgspec.Struct):
    forum: str
    timezone: str
    days: list[ProgrammeDay]


class ProgrammeItemCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: ProgrammeItemKind
    title: TextMap
    starts_at: datetime
    ends_at: datetime
    description: TextMap = msgspec.field(default_factory=dict)
    original_locale: str | None = None
    room: Annotated[str, Meta(max_length=120)] = ""
    capacity: Seats | None = None
    speakers: list[SpeakerInput] = msgspec.field(default_factory=list)
    language: LanguageCode | None = None
    interpretation: list[LanguageCode] = msgspec.field(default_factory=list)
    track: Annotated[str, Meta(max_length=120)] = ""


class ProgrammeItemUpdate(msgspec.Struct, forbid_unknown_fields=True):
    kind: ProgrammeItemKind | UnsetType = UNSET
    title: TextMap | UnsetType = UNSET
    description: TextMap | UnsetType = UNSET
    original_locale: str | UnsetType = UNSET
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    room: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET
    capacity: Seats | UnsetType | None = UNSET
    speakers: list[SpeakerInput] | UnsetType = UNSET
    language: LanguageCode | UnsetType | None = UNSET
    interpretation: list[LanguageCode] | UnsetType = UNSET
    track: Annotated[str, Meta(max_length=120)] | UnsetType = UNSET
