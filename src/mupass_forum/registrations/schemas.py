"""What the registrations API takes and gives.

Input structs refuse unknown fields, so that a misspelt or privileged field (a status, a
badge number) fails loudly instead of being ignored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mupass_forum.consent.schemas import Choices as ConsentChoices
from mupass_forum.forums.schemas import Label, ProgrammeItem, TextMap
from mupass_forum.i18n.text import LocalizedText
from mupass_forum.participants.schemas import GovernmentLevel, StakeholderGroup

Name = Annotated[str, Meta(min_length=1, max_length=100)]
Email = Annotated[str, Meta(min_length=3, max_length=320)]
ShortText = Annotated[str, Meta(max_length=200)]
Topic = Annotated[str, Meta(max_length=300)]
Needs = Annotated[str, Meta(max_length=2000)]
Reason = Annotated[str, Meta(max_length=2000)]
LanguageCode = Annotated[str, Meta(min_length=2, max_length=3)]
Languages = Annotated[list[LanguageCode], Meta(max_length=12)]
Share = Annotated[float, Meta(ge=0, le=100)]


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


class RegistrationNeed(StrEnum):
    """What a registration asked the organizers for, to find those people."""

    VISA_LETTER = "visa_letter"
    TRAVEL_SUPPORT = "travel_support"
    INTERPRETATION = "interpretation"
    DIETARY = "dietary"
    ACCESSIBILITY = "accessibility"


class DecisionAction(StrEnum):
    """What an organizer does with a registration."""

    #: A pending registration takes a seat, or joins the waiting list when there is none.
    APPROVE = "approve"
    DECLINE = "decline"
    CANCEL = "cancel"
    #: The person arrived (check-in at the desk).
    CHECK_IN = "check_in"


# Registration questions ------------------------------------------------------------------------


class BuiltInQuestion(StrEnum):
    """The questions every registration form knows; organizers switch each on or off."""

    #: Arrival and departure dates.
    DATES = "dates"
    DIETARY_NEEDS = "dietary_needs"
    ACCESSIBILITY_NEEDS = "accessibility_needs"
    VISA_LETTER = "visa_letter"
    TRAVEL_SUPPORT = "travel_support"
    INTERPRETATION = "interpretation"


class QuestionKind(StrEnum):
    """What a forum's own question takes as its answer."""

    YES_NO = "yes_no"
    TEXT = "text"
    #: One of the question's options, by its key.
    CHOICE = "choice"


QuestionKey = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
#: An answer: true or false (yes/no), a text, or an option's key (one choice).
Answer = bool | Annotated[str, Meta(max_length=500)]
Answers = Annotated[dict[str, Answer], Meta(max_length=40)]


class QuestionOptionInput(msgspec.Struct, forbid_unknown_fields=True):
    #: Stays the same when the label changes: answers name options by it.
    key: QuestionKey
    #: ``{"de": "…", "en": "…"}``.
    label: TextMap


class QuestionInput(msgspec.Struct, forbid_unknown_fields=True):
    #: Stays the same when the label changes: answers name questions by it.
    key: QuestionKey
    kind: QuestionKind
    label: TextMap
    required: bool = False
    #: The choices of a ``choice`` question (2 to 20); none for the other kinds.
    options: Annotated[list[QuestionOptionInput], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class QuestionOption(msgspec.Struct, kw_only=True):
    key: str
    label: LocalizedText
    #: The label in every language written (for editing it).
    label_texts: dict[str, str]


class Question(msgspec.Struct, kw_only=True):
    """One of a forum's own registration questions."""

    key: str
    kind: Label
    required: bool
    label: LocalizedText
    #: The label in every language written (for editing it).
    label_texts: dict[str, str]
    options: list[QuestionOption]


class RegistrationForm(msgspec.Struct, kw_only=True):
    """What a forum's registration form asks."""

    #: The built-in questions switched on.
    built_in_questions: list[BuiltInQuestion]
    #: The forum's own questions, in order; answers go in ``answers`` by their keys.
    questions: list[Question]


# Interest --------------------------------------------------------------------------------------


class InterestCreate(msgspec.Struct, forbid_unknown_fields=True):
    given_name: Name
    family_name: Name
    email: Email
    #: One of the service's languages; the confirmation and the invitation are written in it.
    locale: str
    #: ISO 3166-1 alpha-2.
    country: str
    organization: ShortText = ""
    stakeholder_group: StakeholderGroup | None = None
    government_level: GovernmentLevel | None = None
    #: The wish to present a best-practice example, and its topic.
    wants_to_present: bool = False
    presentation_topic: Topic = ""


class InterestConfirmation(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, Meta(min_length=1, max_length=200)]


class InterestReceipt(msgspec.Struct):
    """The same answer whether the address was new, known or confirmed already."""

    message: str


class InterestEntry(msgspec.Struct, kw_only=True):
    """A person who confirmed interest in a forum, as organizers see them."""

    id: int
    given_name: str
    family_name: str
    email: str
    organization: str
    country: str
    country_name: str
    #: M49 region and sub-region of the country, with their names in the reader's language.
    region: str | None
    region_name: str | None
    sub_region: str | None
    sub_region_name: str | None
    stakeholder_group: str | None
    government_level: str | None
    wants_to_present: bool
    presentation_topic: str
    #: The language the person chose; their mails are written in it.
    locale: str
    language_name: str
    confirmed_at: datetime
    #: When the invitation to register went out; null while it has not.
    invitation_sent_at: datetime | None


class InterestPage(msgspec.Struct):
    items: list[InterestEntry]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None


# Registrations ---------------------------------------------------------------------------------


class RegistrationCreate(msgspec.Struct, forbid_unknown_fields=True):
    arrival_date: date | None = None
    departure_date: date | None = None
    dietary_needs: Needs = ""
    accessibility_needs: Needs = ""
    needs_visa_letter: bool = False
    travel_support_requested: bool = False
    #: ISO 639-1 codes of the languages the person wants interpretation into.
    interpretation_languages: Languages = msgspec.field(default_factory=list)
    #: Answers to the forum's own questions by their keys: ``true``/``false`` for yes/no,
    #: the text, or the chosen option's key (see ``GET …/registration-form``).
    answers: Answers = msgspec.field(default_factory=dict)
    #: The initial photo and video choice, recorded in the consent ledger with the
    #: registration (``[{"decision": "granted", "media": ["photo"]}]``); left out, nothing is
    #: decided, which means no consent. Changed later only through the consent API.
    consent: ConsentChoices | None = None
    #: The consent notice version the form showed; a newer one is a 409.
    consent_notice_version: int | None = None


class RegistrationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The fields sent are changed; ``null`` clears a date."""

    arrival_date: date | UnsetType | None = UNSET
    departure_date: date | UnsetType | None = UNSET
    dietary_needs: Needs | UnsetType = UNSET
    accessibility_needs: Needs | UnsetType = UNSET
    needs_visa_letter: bool | UnsetType = UNSET
    travel_support_requested: bool | UnsetType = UNSET
    interpretation_languages: Languages | UnsetType = UNSET
    #: Answers given are changed (``null`` removes an optional one); others stay.
    answers: Annotated[dict[str, Answer | None], Meta(max_length=40)] | UnsetType = UNSET


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    action: DecisionAction
    #: Told to the participant in the mail about the decision.
    reason: Reason = ""


class Cancellation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class Person(msgspec.Struct, kw_only=True):
    """Who registered: the account, and what their profile says (names empty without one)."""

    user_id: int
    display_name: str
    email: str
    given_name: str
    family_name: str
    organization: str
    country: str | None
    country_name: str | None
    region: str | None
    region_name: str | None
    sub_region: str | None
    stakeholder_group: str | None
    government_level: str | None


class Registration(msgspec.Struct, kw_only=True):
    id: int
    forum: str
    person: Person
    status: Label
    #: Place on the waiting list (1 is next) while waitlisted, else null.
    position: int | None
    #: Given when the registration is first confirmed.
    badge_number: int | None
    arrival_date: date | None
    departure_date: date | None
    dietary_needs: str
    accessibility_needs: str
    needs_visa_letter: bool
    travel_support_requested: bool
    interpretation_languages: list[str]
    #: Answers to the forum's own questions by their keys (an option's key for a choice).
    answers: dict[str, Answer]
    created_at: datetime
    updated_at: datetime


class RegistrationPage(msgspec.Struct):
    items: list[Registration]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None


class StatusChange(msgspec.Struct, kw_only=True):
    from_status: Label | None
    to_status: Label
    #: Who caused it; null when the service did (a promotion from the waiting list).
    actor_id: int | None
    actor_name: str | None
    reason: str
    at: datetime


# Organizers' settings --------------------------------------------------------------------------


class TargetShare(msgspec.Struct, kw_only=True):
    #: M49 region or sub-region.
    region: str
    name: str
    #: Percent, e.g. 40.0.
    share: float
    #: The share as the reader writes percentages ("40 %").
    share_text: str


class RegistrationSettings(msgspec.Struct, kw_only=True):
    requires_approval: bool
    regional_balance: bool
    target_shares: list[TargetShare]
    #: The forum's seats (null: not limited), and how many are taken.
    capacity: int | None
    seats_taken: int
    #: Each built-in question, asked or not.
    built_in_questions: dict[BuiltInQuestion, bool]
    #: The forum's own questions, in the form's order.
    questions: list[Question]


class RegistrationSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    requires_approval: bool | UnsetType = UNSET
    regional_balance: bool | UnsetType = UNSET
    #: ``{"150": 40, "202": 30, "419": 30}``: M49 region or sub-region -> percent; regions
    #: must not overlap and the shares must not exceed 100 in total. ``{}`` removes them.
    target_shares: dict[str, Share] | UnsetType = UNSET
    #: Built-in questions switched on (true) or off (false); those left out stay as they are.
    built_in_questions: dict[BuiltInQuestion, bool] | UnsetType = UNSET
    #: The forum's own questions, all of them, in order (``[]`` removes them). Answers given
    #: to a removed question stay with the registrations that gave them.
    questions: Annotated[list[QuestionInput], Meta(max_length=20)] | UnsetType = UNSET


# Statistics ------------------------------------------------------------------------------------


class Count(msgspec.Struct):
    count: int
    #: Of the column's total, 0 to 1; null when the total is 0.
    share: float | None
    #: The share as the reader writes percentages.
    share_text: str


class StatsRow(msgspec.Struct, kw_only=True):
    #: The region, country or group; null for people who did not say.
    key: str | None
    label: str
    interest: Count
    #: By registration status (every status, zeros included).
    registrations: dict[str, Count]
    #: The forum's target, on rows of regions it set one for.
    target: Count | None


class StatsDimension(msgspec.Struct, kw_only=True):
    #: ``region``, ``sub_region``, ``country``, ``stakeholder_group`` or ``government_level``.
    dimension: str
    label: str
    rows: list[StatsRow]


class BalanceRow(msgspec.Struct, kw_only=True):
    """An area of the regional balance: a region or sub-region a target names (or, without
    targets, a region); ``key`` null for everyone outside the targets' areas."""

    key: str | None
    label: str
    #: Seats held (confirmed or attended), as a share of all seats held.
    seats: Count
    waitlisted: Count
    interest: Count
    target: Count | None
    #: Seats share minus target share, in percentage points; null without a target.
    gap_points: float | None
    #: The difference as the reader writes it ("+20,0"); empty without a target.
    gap_text: str = ""


class Stats(msgspec.Struct, kw_only=True):
    forum: str
    capacity: int | None
    #: Confirmed expressions of interest.
    interest_total: int
    registration_totals: dict[str, int]
    dimensions: list[StatsDimension]
    #: The areas the targets name (sub-regions such as 202 and 419 included) and everyone
    #: else; without targets, the regions.
    balance: list[BalanceRow] = msgspec.field(default_factory=list)


# Workshop sign-ups -----------------------------------------------------------------------------


class Workshop(msgspec.Struct, kw_only=True):
    """A break-out workshop of the programme, with its places and the caller's choice."""

    item: ProgrammeItem
    places_taken: int
    #: Null when the workshop's places are not limited.
    places_left: int | None
    #: Whether the caller holds a place in it.
    signed_up: bool


class WorkshopParticipant(msgspec.Struct, kw_only=True):
    registration_id: int
    person: Person
    signed_up_at: datetime


class WorkshopParticipantPage(msgspec.Struct):
    items: list[WorkshopParticipant]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None
