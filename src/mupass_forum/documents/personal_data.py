"""The documents' share of a person's data: passport details given for visa letters, and the
letters and certificates issued to them.

Passport details are the most sensitive details the service holds: the person's own export
carries them, no export to others does (they live apart from the registration), erasure removes
them with the documents, and they are removed ``MUPASS_VISA_DETAILS_DAYS`` after their forum
ends (an ``Expiry`` run by ``mupass-forum retention run``; the demonstration's forums are left
alone, as retention leaves them); the verification of a letter then shows no name and the
letter can no longer be downloaded (410 ``visa_details_removed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.query import Select

from mupass_forum.documents import visa
from mupass_forum.documents.tables import BadgePrint, IssuedDocument, Letterhead, VisaDetails
from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import (
    STAGE_DOCUMENTS,
    ErasureRequest,
    Expiry,
    NoPersonalData,
    PersonalData,
    Subject,
)
from mupass_forum.registrations.tables import Registration


def _mine(subject: Subject) -> Select[Registration]:
    return Registration.select(Registration.id).where(Registration.user == subject.user_id)


async def export(subject: Subject) -> Mapping[str, Any]:
    visa = await VisaDetails.select(
        VisaDetails.registration._.forum._.slug.as_alias("forum"),
        VisaDetails.full_name,
        VisaDetails.date_of_birth,
        VisaDetails.nationality,
        VisaDetails.passport_number,
        VisaDetails.passport_valid_until,
        VisaDetails.embassy,
        VisaDetails.entry_date,
        VisaDetails.exit_date,
        VisaDetails.updated_at,
    ).where(VisaDetails.registration.is_in(_mine(subject)))
    documents = await IssuedDocument.select(
        IssuedDocument.registration._.forum._.slug.as_alias("forum"),
        IssuedDocument.kind,
        IssuedDocument.reference,
        IssuedDocument.holder_name,
        IssuedDocument.issued_at,
        IssuedDocument.revoked_at,
    ).where(IssuedDocument.registration.is_in(_mine(subject)))
    return {"visa_details": visa, "documents": documents}


async def erase(request: ErasureRequest) -> None:
    mine = _mine(request.subject)
    await VisaDetails.delete().where(VisaDetails.registration.is_in(mine))
    # A letter's verification names its holder: it goes too, and the reference stops verifying.
    await IssuedDocument.delete().where(IssuedDocument.registration.is_in(mine))
    await BadgePrint.delete().where(BadgePrint.registration.is_in(mine))


PERSONAL_DATA = PersonalData(
    section="documents",
    # i18n: Part of the personal data export (README).
    description=N_(
        "The passport details you gave for visa invitation letters, and the letters and "
        "certificates of attendance issued to you."
    ),
    tables={VisaDetails: "visa_details", IssuedDocument: "documents"},
    export=export,
    erase=erase,
    stage=STAGE_DOCUMENTS,
)

NO_PERSONAL_DATA = NoPersonalData(
    (Letterhead, BadgePrint),
    "letterheads hold the institute's address and signatory as it prints them; badge prints "
    "keep a hash of what was printed (erased with the person's registrations)",
)

VISA_DETAILS_EXPIRY = Expiry(
    name="passport details for visa letters",
    due=visa.expired_visa_details,
    remove=visa.remove_expired_visa_details,
)
