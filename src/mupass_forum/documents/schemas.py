"""What the documents API takes and gives."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from mupass_forum.forums.schemas import Label

Line = Annotated[str, Meta(max_length=200)]
Address = Annotated[str, Meta(max_length=1000)]
PassportNumber = Annotated[str, Meta(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9 <-]+$")]
RegistrationIds = Annotated[list[int], Meta(max_length=2000)]


class DocumentKind(StrEnum):
    VISA_LETTER = "visa_letter"
    CERTIFICATE = "certificate"


class CoveredCost(StrEnum):
    """What the forum pays for participants it gives travel support."""

    TRAVEL = "travel"
    ACCOMMODATION = "accommodation"
    MEALS = "meals"
    LOCAL_TRANSPORT = "local_transport"
    VISA_FEES = "visa_fees"
    HEALTH_INSURANCE = "health_insurance"


class LetterLocale(StrEnum):
    """Embassies read invitation letters in English or German."""

    EN = "en"
    DE = "de"


class BadgeLayout(StrEnum):
    #: One A6 badge per page.
    A6 = "a6"
    #: Four A6-sized badges per A4 sheet, with cut marks.
    A4 = "a4"


class BadgeSelection(StrEnum):
    ALL = "all"
    #: Badges never printed, or whose name, institution, country or consent marker changed
    #: since they were.
    CHANGED = "changed"


# Visa details ----------------------------------------------------------------------------------


class VisaDetailsInput(msgspec.Struct, forbid_unknown_fields=True):
    full_name: Annotated[str, Meta(min_length=2, max_length=200)]
    date_of_birth: date
    #: ISO 3166-1 alpha-2.
    nationality: Annotated[str, Meta(min_length=2, max_length=2)]
    passport_number: PassportNumber
    passport_valid_until: date
    embassy: Annotated[str, Meta(min_length=2, max_length=200)]
    entry_date: date
    exit_date: date


class VisaDetails(msgspec.Struct):
    registration_id: int
    full_name: str
    date_of_birth: date
    nationality: str
    nationality_name: str
    passport_number: str
    passport_valid_until: date
    embassy: str
    entry_date: date
    exit_date: date
    updated_at: datetime


# Letterhead ------------------------------------------------------------------------------------


class LetterheadInput(msgspec.Struct, forbid_unknown_fields=True):
    institute: Line
    address: Address
    signatory_name: Line
    signatory_role: Line
    letter_locale: LetterLocale = LetterLocale.EN
    covered_costs: Annotated[list[CoveredCost], Meta(max_length=6)] = msgspec.field(
        default_factory=list
    )


class Letterhead(msgspec.Struct):
    forum: str
    institute: str
    address: str
    signatory_name: str
    signatory_role: str
    letter_locale: str
    covered_costs: list[Label]
    has_logo: bool


# Documents -------------------------------------------------------------------------------------


class IssueDocuments(msgspec.Struct, forbid_unknown_fields=True):
    """Whom to issue documents to: the registrations named, or, without any, everyone due
    (approved people who gave their visa details; checked-in people) who has none yet."""

    registration_ids: RegistrationIds | None = None


class Document(msgspec.Struct):
    kind: Label
    reference: str
    registration_id: int
    holder_name: str
    issued_at: datetime
    revoked_at: datetime | None
    #: Where the person and the organizers download it (API, bearer token).
    pdf_url: str
    #: The public page the QR code leads to.
    verification_url: str


class DocumentList(msgspec.Struct):
    items: list[Document]


class Verification(msgspec.Struct):
    """What anyone holding a document may check: that it is genuine, and nothing more."""

    reference: str
    kind: Label
    valid: bool
    #: Empty once the details of a past forum's visa letters were removed.
    holder_name: str
    forum: str
    forum_dates: str
    issued_at: datetime
    revoked_at: datetime | None


class VisaRequest(msgspec.Struct):
    """A person who asked for a visa letter, for the forum's organizers."""

    registration_id: int
    status: Label
    display_name: str
    details: VisaDetails | None
    letter: Document | None


class VisaRequestList(msgspec.Struct):
    items: list[VisaRequest]


# Badges ----------------------------------------------------------------------------------------


class BadgePrintRequest(msgspec.Struct, forbid_unknown_fields=True):
    layout: BadgeLayout = BadgeLayout.A4
    which: BadgeSelection = BadgeSelection.ALL


class Badge(msgspec.Struct):
    registration_id: int
    badge_number: int
    name: str
    organization: str
    country: str | None
    marker: Label
    printed_at: datetime | None


class BadgeList(msgspec.Struct):
    items: list[Badge]
