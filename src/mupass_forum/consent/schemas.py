"""What the consent API takes and gives.

A *pair* is one medium for one purpose (photo for social media, video for the press, ...);
every decision is about pairs, and a person's state is the latest decision for each pair.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from mupass_forum.forums.schemas import Label, TextMap
from mupass_forum.i18n.text import LocalizedText


class Medium(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class Purpose(StrEnum):
    INTERNAL = "internal"
    WEBSITE = "website"
    SOCIAL_MEDIA = "social_media"
    PRESS = "press"


class Decision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class Channel(StrEnum):
    #: Chosen with the registration.
    REGISTRATION = "registration"
    #: Chosen by the signed-in person (``POST /forums/{slug}/consent``).
    SELF_SERVICE = "self_service"
    #: Withdrawn with the signed link of a mail, without signing in.
    SIGNED_LINK = "signed_link"
    #: Recorded by an organizer at the forum, on the person's word.
    ON_SITE = "on_site"


class PairState(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    #: No decision yet: no consent.
    UNDECIDED = "undecided"
    #: The latest decision predates the current material notice: no consent until the person
    #: chooses again.
    NEEDS_NEW_CHOICE = "needs_new_choice"


class Marker(StrEnum):
    """The badge marker a photographer goes by."""

    #: Photo and video, every purpose.
    GREEN = "green"
    #: Some media or purposes only.
    YELLOW = "yellow"
    #: None: nothing decided, everything refused or withdrawn, or a new choice needed.
    RED = "red"


# Notices ---------------------------------------------------------------------------------------


class ConsentNotice(msgspec.Struct):
    """One version of a forum's photo and video notice, in the reader's language."""

    forum_slug: str
    version: int
    #: Whether this version asked everyone to choose again.
    material: bool
    #: The version whose publication last asked everyone to choose again.
    material_version: int
    text: LocalizedText
    #: SHA-256 (hex) of ``text.text``: what a decision on this notice records as proof.
    text_sha256: str
    published_at: datetime
    #: Null for the service's default notice.
    published_by: int | None


class ConsentNoticeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new version of the notice, in every language of the service."""

    text: TextMap
    #: True when people must choose again (what is recorded, or how it is used, changed);
    #: false for corrections that leave the meaning as it was.
    material: bool
    #: The language the text was written in (default: the request's).
    original_locale: str | None = None


# Decisions -------------------------------------------------------------------------------------


class ConsentChoice(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One decision for some media and purposes; leaving a list out means all of them."""

    decision: Decision
    media: Annotated[list[Medium], Meta(min_length=1, max_length=2)] | None = None
    purposes: Annotated[list[Purpose], Meta(min_length=1, max_length=4)] | None = None


Choices = Annotated[list[ConsentChoice], Meta(min_length=1, max_length=8)]


class ConsentChange(msgspec.Struct, forbid_unknown_fields=True):
    """Decisions to record: ``{"choices": [{"decision": "refused"}]}`` withdraws everything."""

    choices: Choices
    #: The notice version the person was shown; refused with 409 if it is no longer current.
    #: Default: the current one.
    notice_version: int | None = None


class OnSiteConsentChange(msgspec.Struct, forbid_unknown_fields=True):
    """Decisions a person states to an organizer at the forum."""

    choices: Choices
    notice_version: int | None = None
    #: The language the person read the notice in (default: their account's language).
    notice_locale: str | None = None


# State and history -----------------------------------------------------------------------------


class PairStatus(msgspec.Struct):
    """The current state of one medium for one purpose."""

    medium: Label
    purpose: Label
    state: Label
    #: True only while the state is ``granted``.
    consents: bool
    #: When the decision behind the state was made; null when undecided.
    decided_at: datetime | None
    #: The notice version of that decision.
    notice_version: int | None


class ConsentEvent(msgspec.Struct):
    """One entry of the ledger, as it was recorded."""

    id: int
    forum_slug: str
    medium: Label
    purpose: Label
    decision: Label
    notice_version: int
    notice_locale: str
    notice_sha256: str
    channel: Label
    #: The account that recorded it: the person, or an organizer on site.
    actor_id: int | None
    recorded_at: datetime


class ConsentState(msgspec.Struct):
    """A person's consent for one forum: the state of every pair and the whole history."""

    forum_slug: str
    user_id: int
    marker: Label
    #: True when a decision predates the current material notice, or nothing is decided.
    needs_choice: bool
    notice: ConsentNotice
    pairs: list[PairStatus]
    #: Newest first.
    history: list[ConsentEvent]


class ConsentHistory(msgspec.Struct):
    """Every consent decision of a person, all forums, newest first."""

    events: list[ConsentEvent]


class WithdrawalPreview(msgspec.Struct):
    """What a signed withdrawal link will do, shown before it is used."""

    forum_slug: str
    forum_title: LocalizedText
    #: What posting the link does, in the reader's language.
    action: str
    marker: Label
    expires_at: datetime
    #: False when there is nothing to withdraw (no use is granted, or the account was erased):
    #: posting the link then records and sends nothing.
    can_withdraw: bool = True


class WithdrawalDone(msgspec.Struct):
    forum_slug: str
    forum_title: LocalizedText
    message: str
    marker: Label
    #: Whether anything was withdrawn (and a receipt mailed); false when nothing was granted.
    withdrawn: bool = True


# Statistics ------------------------------------------------------------------------------------


class Share(msgspec.Struct):
    count: int
    #: 0..1.
    share: float
    #: The share as the reader writes percentages.
    percent: str


class PairStatistics(msgspec.Struct):
    medium: Label
    purpose: Label
    granted: Share
    refused: Share
    #: Nothing decided, or a decision under an earlier material notice.
    undecided: Share


class ConsentStatistics(msgspec.Struct):
    forum_slug: str
    #: Who is counted (``registered``: confirmed and attended registrations).
    population: Label
    people: int
    markers: dict[str, Share]
    pairs: list[PairStatistics]
