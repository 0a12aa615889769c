"""What every document stands on: labels, references, addresses, the people and their documents.

Passport details are seen by the person and the forum's organizers only (``edits_forum``);
documents are downloaded by the person they name and by the organizers; the verification of a
reference is public and says only whether the document is genuine, whose it is, for which
forum and when.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from mupass_forum.accounts.principal import Principal
from mupass_forum.app_context import current
from mupass_forum.consent.schemas import Marker
from mupass_forum.documents import schemas
from mupass_forum.documents.tables import IssuedDocument
from mupass_forum.errors import NotAuthenticated, NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import forum_ref
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import (
    N_,
    supported_locales,
)
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import Moment, rows_as

VERIFY_PATH = "/documents/verify/{reference}"
#: Where the door's check-in page is opened by a badge's QR code, with the badge number.
CHECK_IN_PATH = "/desk/forums/{slug}/door?q={number}"

KIND_LABELS: Mapping[schemas.DocumentKind, str] = {
    schemas.DocumentKind.VISA_LETTER: N_("Visa invitation letter"),
    schemas.DocumentKind.CERTIFICATE: N_("Certificate of attendance"),
}
COST_LABELS: Mapping[schemas.CoveredCost, str] = {
    schemas.CoveredCost.TRAVEL: N_("international travel"),
    schemas.CoveredCost.ACCOMMODATION: N_("accommodation"),
    schemas.CoveredCost.MEALS: N_("meals"),
    schemas.CoveredCost.LOCAL_TRANSPORT: N_("local transport"),
    schemas.CoveredCost.VISA_FEES: N_("visa fees"),
    schemas.CoveredCost.HEALTH_INSURANCE: N_("travel health insurance"),
}
#: The word printed in a badge's colour band, for photographers.
BADGE_WORDS: Mapping[Marker, str] = {
    # i18n: Printed on the green band of a badge.
    Marker.GREEN: N_("Photos welcome"),
    # i18n: Printed on the yellow band of a badge: check the photo list first.
    Marker.YELLOW: N_("Ask first"),
    # i18n: Printed on the red band of a badge.
    Marker.RED: N_("No photos"),
}
#: Registrations that are approved: an organizer or the seat desk gave them a seat.
APPROVED = ("confirmed", "attended")
#: Visa details are taken while a registration may still lead to a seat.
OPEN = ("confirmed", "attended", "waitlisted", "pending_approval")
LOGO_TYPES = ("image/png", "image/jpeg")
LOGO_MAX_BYTES = 512 * 1024


def base_url() -> str:
    """The public address of the service (``MUPASS_BASE_URL``)."""
    return current().base_url


def new_reference(kind: schemas.DocumentKind) -> str:
    # Crockford's alphabet: no I, L, O or U to misread when typed from paper.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    code = "".join(secrets.choice(alphabet) for _ in range(12))
    prefix = "V" if kind is schemas.DocumentKind.VISA_LETTER else "C"
    return f"{prefix}-{code[:4]}-{code[4:8]}-{code[8:]}"


def verification_url(reference: str) -> str:
    return base_url() + VERIFY_PATH.format(reference=reference)


# Who is who ------------------------------------------------------------------------------------

_PEOPLE = """
SELECT r.id, r."user" AS user_id, r.status, r.badge_number, r.travel_support_requested,
       r.needs_visa_letter, u.display_name, u.email, u.locale, u.timezone,
       p.given_name, p.family_name, p.country,
       COALESCE(NULLIF(p.organization_name, ''), o.name, '') AS organization
FROM registration r
JOIN account_user u ON u.id = r."user"
LEFT JOIN participant_profile p ON p."user" = r."user"
LEFT JOIN account_organization o ON o.id = p.organization
WHERE r.forum = {} AND r.anonymized_at IS NULL AND u.erased_at IS NULL
"""


@dataclass(frozen=True, slots=True)
class Person:
    registration_id: int
    user_id: int
    status: str
    badge_number: int | None
    travel_support: bool
    needs_visa_letter: bool
    display_name: str
    email: str
    locale: str
    timezone: str
    name: str
    organization: str
    country: str | None


class _PersonRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    user_id: int
    status: str
    badge_number: int | None
    travel_support_requested: bool
    needs_visa_letter: bool
    display_name: str
    email: str
    locale: str
    timezone: str
    #: Null without a profile, as are ``family_name`` and ``country``.
    given_name: str | None
    family_name: str | None
    country: str | None
    organization: str


def _person(row: _PersonRow) -> Person:
    name = " ".join(part for part in (row.given_name, row.family_name) if part)
    return Person(
        registration_id=row.id,
        user_id=row.user_id,
        status=row.status,
        badge_number=row.badge_number,
        travel_support=row.travel_support_requested,
        needs_visa_letter=row.needs_visa_letter,
        display_name=row.display_name,
        email=row.email,
        locale=row.locale if row.locale in supported_locales() else "en",
        timezone=row.timezone,
        name=name or row.display_name,
        organization=row.organization,
        country=row.country,
    )


async def people_of(forum_id: int, extra: str = "", *args: object) -> list[Person]:
    rows = await Registration.raw(_PEOPLE + extra + " ORDER BY r.id", forum_id, *args)
    return [_person(row) for row in rows_as(rows, _PersonRow)]


async def person_of(forum_id: int, registration_id: int) -> Person:
    found = await people_of(forum_id, " AND r.id = {}", registration_id)
    if not found:
        raise NotFound("registration_not_found")
    return found[0]


async def own_registration(principal: Principal, slug: str) -> tuple[ForumRef, Person]:
    if principal.user_id is None:
        raise NotAuthenticated()
    forum = await forum_ref(slug)
    found = await people_of(forum.id, ' AND r."user" = {}', principal.user_id)
    if not found:
        raise NotFound(
            "registration_not_found", N_("There is no registration of yours for this forum.")
        )
    return forum, found[0]


# Issued documents ------------------------------------------------------------------------------


class DocumentRow(msgspec.Struct, frozen=True, kw_only=True):
    """An ``IssuedDocument`` as its readers use it."""

    kind: schemas.DocumentKind
    reference: str
    registration: int
    holder_name: str
    issued_at: Moment
    revoked_at: Moment | None


def document_of(row: DocumentRow) -> schemas.Document:
    return schemas.Document(
        kind=label_of(row.kind, KIND_LABELS),
        reference=row.reference,
        registration_id=row.registration,
        holder_name=row.holder_name,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
        pdf_url=f"{base_url()}/api/v1/documents/{row.reference}/pdf",
        verification_url=verification_url(row.reference),
    )


def documents_of(rows: Sequence[Mapping[str, object]]) -> list[schemas.Document]:
    return [document_of(row) for row in rows_as(rows, DocumentRow)]


async def current_documents(
    registration_ids: Sequence[int], kind: schemas.DocumentKind
) -> dict[int, schemas.Document]:
    """Each registration's newest document of ``kind`` that is not revoked."""
    if not registration_ids:
        return {}
    rows = (
        await IssuedDocument.select()
        .where(
            IssuedDocument.registration.is_in(list(registration_ids)),
            IssuedDocument.kind == kind.value,
            IssuedDocument.revoked_at.is_null(),
        )
        .order_by(IssuedDocument.id)
    )
    return {row.registration: document_of(row) for row in rows_as(rows, DocumentRow)}
