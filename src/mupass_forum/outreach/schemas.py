"""The outreach API's structs: messages to a forum's people, their preview, history and the
organizers' mail choices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


class Audience(StrEnum):
    """Whom a message can go to: registrations by status, or confirmed interest."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    INTERESTED = "interested"


class Need(StrEnum):
    """What a registration asked for, to write to those people only."""

    VISA_LETTER = "visa_letter"
    TRAVEL_SUPPORT = "travel_support"
    ACCESSIBILITY = "accessibility"
    DIETARY = "dietary"


class Recipients(msgspec.Struct, forbid_unknown_fields=True):
    #: Confirmed includes people already checked in.
    audiences: list[Audience] = msgspec.field(default_factory=lambda: [Audience.CONFIRMED])
    #: An M49 region or sub-region of the person's country.
    region: str | None = None
    #: Only registrations that asked for this (interest has no needs, so it drops out).
    need: Need | None = None


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: ``{locale: text}``: one language is enough; the others fall back to ``fallback_locale``.
    subject: dict[str, str]
    body: dict[str, str]
    fallback_locale: str
    recipients: Recipients = msgspec.field(default_factory=Recipients)


class MessageForm(msgspec.Struct):
    """The desk's form: a subject and a text per language, flat."""

    fallback_locale: str
    subject_de: str = ""
    body_de: str = ""
    subject_en: str = ""
    body_en: str = ""
    subject_fr: str = ""
    body_fr: str = ""
    subject_es: str = ""
    body_es: str = ""
    audiences: list[Audience] = msgspec.field(default_factory=list)
    region: str | None = None
    need: Need | None = None


class LanguagePreview(msgspec.Struct):
    locale: str
    language_name: str
    #: The language the text is written in: ``locale`` itself, or the fallback.
    written_in: str
    is_fallback: bool
    subject: str
    text: str
    #: How many recipients read this language.
    recipients: int


class Message(msgspec.Struct):
    id: int
    forum: str
    subject: dict[str, str]
    body: dict[str, str]
    fallback_locale: str
    recipients: Recipients
    author_name: str | None
    created_at: datetime
    sent_at: datetime | None
    recipient_count: int


class MessagePreview(msgspec.Struct):
    message: Message
    languages: list[LanguagePreview]
    recipient_total: int


class Delivery(msgspec.Struct):
    email: str
    name: str
    locale: str
    #: The outbox's state of the mail: queued, sending, sent or parked.
    mail_status: str
    created_at: datetime


class OrganizerMailChoices(msgspec.Struct):
    pending_registration: bool = True
    proposal_received: bool = True
    post_flagged: bool = True


class OrganizerMailChoicesUpdate(msgspec.Struct, forbid_unknown_fields=True):
    pending_registration: bool | msgspec.UnsetType = msgspec.UNSET
    proposal_received: bool | msgspec.UnsetType = msgspec.UNSET
    post_flagged: bool | msgspec.UnsetType = msgspec.UNSET
