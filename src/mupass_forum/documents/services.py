"""Visa letters, badges and certificates: who may see and make them, and what they say.

Passport details are seen by the person and the forum's organizers only (``edits_forum``);
documents are downloaded by the person they name and by the organizers; the verification of a
reference is public and says only whether the document is genuine, whose it is, for which
forum and when.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mupass_forum import db, regions
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import as_utc, now
from mupass_forum.consent import ledger, vocabulary
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.consent.notices import notice_state
from mupass_forum.consent.schemas import Marker
from mupass_forum.documents import mails, rendering, schemas
from mupass_forum.documents.tables import BadgePrint, IssuedDocument, Letterhead, VisaDetails
from mupass_forum.downloads import file_name
from mupass_forum.errors import Conflict, FieldError, Gone, InvalidInput, NotAuthenticated, NotFound
from mupass_forum.forums.authorization import ForumRef, edits_forum
from mupass_forum.forums.services import editable_forum, forum_ref, forum_ref_by_id, label_of
from mupass_forum.forums.services import stored_json as _json
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import (
    N_,
    current_locale,
    format_date,
    format_date_interval,
    gettext,
    supported_locales,
    use_locale,
)
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.mail import queue_mail
from mupass_forum.registrations.status import status_label
from mupass_forum.registrations.tables import Registration, WorkshopSignUp
from mupass_forum.settings import Settings

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

_base_url = "http://127.0.0.1:8000"


def install(settings: Settings) -> None:
    global _base_url
    _base_url = settings.base_url
    rendering.install(settings.document_fonts_dir)


def _new_reference(kind: schemas.DocumentKind) -> str:
    # Crockford's alphabet: no I, L, O or U to misread when typed from paper.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    code = "".join(secrets.choice(alphabet) for _ in range(12))
    prefix = "V" if kind is schemas.DocumentKind.VISA_LETTER else "C"
    return f"{prefix}-{code[:4]}-{code[4:8]}-{code[8:]}"


def verification_url(reference: str) -> str:
    return _base_url + VERIFY_PATH.format(reference=reference)


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


def _person(row: Mapping[str, Any]) -> Person:
    name = " ".join(part for part in (row["given_name"], row["family_name"]) if part)
    return Person(
        registration_id=row["id"],
        user_id=row["user_id"],
        status=row["status"],
        badge_number=row["badge_number"],
        travel_support=bool(row["travel_support_requested"]),
        needs_visa_letter=bool(row["needs_visa_letter"]),
        display_name=row["display_name"],
        email=row["email"],
        locale=row["locale"] if row["locale"] in supported_locales() else "en",
        timezone=row["timezone"],
        name=name or row["display_name"],
        organization=row["organization"] or "",
        country=row["country"],
    )


async def _people(forum_id: int, extra: str = "", *args: Any) -> list[Person]:
    rows = await Registration.raw(_PEOPLE + extra + " ORDER BY r.id", forum_id, *args)
    return [_person(row) for row in rows]


async def _person_of(forum_id: int, registration_id: int) -> Person:
    found = await _people(forum_id, " AND r.id = {}", registration_id)
    if not found:
        raise NotFound("registration_not_found")
    return found[0]


async def _own(principal: Principal, slug: str) -> tuple[ForumRef, Person]:
    if principal.user_id is None:
        raise NotAuthenticated()
    forum = await forum_ref(slug)
    found = await _people(forum.id, ' AND r."user" = {}', principal.user_id)
    if not found:
        raise NotFound(
            "registration_not_found", N_("There is no registration of yours for this forum.")
        )
    return forum, found[0]


# Visa details ----------------------------------------------------------------------------------


def _visa(row: Mapping[str, Any]) -> schemas.VisaDetails:
    return schemas.VisaDetails(
        registration_id=row["registration"],
        full_name=row["full_name"],
        date_of_birth=_date(row["date_of_birth"]),
        nationality=row["nationality"],
        nationality_name=regions.name(row["nationality"]),
        passport_number=row["passport_number"],
        passport_valid_until=_date(row["passport_valid_until"]),
        embassy=row["embassy"],
        entry_date=_date(row["entry_date"]),
        exit_date=_date(row["exit_date"]),
        updated_at=row["updated_at"],
    )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def _visa_of(registration_ids: Sequence[int]) -> dict[int, schemas.VisaDetails]:
    if not registration_ids:
        return {}
    rows = await VisaDetails.select().where(VisaDetails.registration.is_in(list(registration_ids)))
    return {row["registration"]: _visa(row) for row in rows}


def _visa_problems(data: schemas.VisaDetailsInput) -> list[FieldError]:
    problems = []
    today = now().date()
    if not regions.is_country(data.nationality.upper()):
        problems.append(
            FieldError(N_("Choose a country."), code="unknown_country", pointer="/nationality")
        )
    if data.date_of_birth >= today:
        problems.append(
            FieldError(
                N_("The date of birth must be in the past."),
                code="invalid_date",
                pointer="/date_of_birth",
            )
        )
    if data.exit_date < data.entry_date:
        problems.append(
            FieldError(
                N_("The date of leaving must not be before the date of arrival."),
                code="invalid_dates",
                pointer="/exit_date",
            )
        )
    if data.passport_valid_until < data.exit_date:
        problems.append(
            FieldError(
                N_("The passport must be valid until the date of leaving at least."),
                code="passport_expires",
                pointer="/passport_valid_until",
            )
        )
    return problems


async def my_visa_details(principal: Principal, slug: str) -> schemas.VisaDetails | None:
    """Your passport details for the forum's visa letter, if you gave them."""
    _, person = await _own(principal, slug)
    return (await _visa_of([person.registration_id])).get(person.registration_id)


async def set_my_visa_details(
    principal: Principal, slug: str, data: schemas.VisaDetailsInput
) -> schemas.VisaDetails:
    """Give or correct your passport details; the registration then asks for a visa letter."""
    forum, person = await _own(principal, slug)
    if person.status not in OPEN:
        raise Conflict(
            "registration_not_active",
            N_("Your registration for this forum is cancelled or declined."),
        )
    if problems := _visa_problems(data):
        raise InvalidInput(*problems)
    values: dict[Any, Any] = {
        VisaDetails.full_name: data.full_name.strip(),
        VisaDetails.date_of_birth: data.date_of_birth,
        VisaDetails.nationality: data.nationality.upper(),
        VisaDetails.passport_number: data.passport_number.strip().upper(),
        VisaDetails.passport_valid_until: data.passport_valid_until,
        VisaDetails.embassy: data.embassy.strip(),
        VisaDetails.entry_date: data.entry_date,
        VisaDetails.exit_date: data.exit_date,
        VisaDetails.updated_at: now(),
    }
    async with db.transaction():
        updated = (
            await VisaDetails.update(values)
            .where(VisaDetails.registration == person.registration_id)
            .returning(VisaDetails.id)
        )
        if not updated:
            await VisaDetails.insert(
                VisaDetails(
                    registration=person.registration_id,
                    **{column._meta.name: value for column, value in values.items()},
                )
            )
        await Registration.update({Registration.needs_visa_letter: True}).where(
            Registration.id == person.registration_id
        )
    details = await my_visa_details(principal, forum.slug)
    assert details is not None
    return details


async def delete_my_visa_details(principal: Principal, slug: str) -> None:
    """Remove your passport details; the registration no longer asks for a visa letter."""
    _, person = await _own(principal, slug)
    async with db.transaction():
        await VisaDetails.delete().where(VisaDetails.registration == person.registration_id)
        await Registration.update({Registration.needs_visa_letter: False}).where(
            Registration.id == person.registration_id
        )


async def visa_requests(principal: Principal, slug: str) -> schemas.VisaRequestList:
    """Everyone who asked for a visa letter, with their details and letter (organizers)."""
    forum = await editable_forum(principal, slug)
    people = await _people(forum.id, " AND r.needs_visa_letter = {}", True)
    ids = [person.registration_id for person in people]
    details = await _visa_of(ids)
    letters = await _current_documents(ids, schemas.DocumentKind.VISA_LETTER)
    return schemas.VisaRequestList(
        items=[
            schemas.VisaRequest(
                registration_id=person.registration_id,
                status=status_label(person.status),
                display_name=person.name,
                details=details.get(person.registration_id),
                letter=letters.get(person.registration_id),
            )
            for person in people
        ]
    )


# Letterhead ------------------------------------------------------------------------------------


async def _letterhead_row(forum_id: int) -> dict[str, Any]:
    row = await Letterhead.select().where(Letterhead.forum == forum_id).first()
    if row is not None:
        return dict(row)
    institute = await Forum.raw(
        "SELECT o.name FROM forum f JOIN account_organization o ON o.id = f.lead_organization "
        "WHERE f.id = {}",
        forum_id,
    )
    return {
        "institute": institute[0]["name"] if institute else "",
        "address": "",
        "signatory_name": "",
        "signatory_role": "",
        "letter_locale": "en",
        "covered_costs": "[]",
        "logo": None,
        "logo_media_type": "",
    }


def _letterhead(slug: str, row: Mapping[str, Any]) -> schemas.Letterhead:
    return schemas.Letterhead(
        forum=slug,
        institute=row["institute"],
        address=row["address"],
        signatory_name=row["signatory_name"],
        signatory_role=row["signatory_role"],
        letter_locale=row["letter_locale"],
        covered_costs=[label_of(cost, COST_LABELS) for cost in _json(row["covered_costs"]) or []],
        has_logo=bool(row["logo"]),
    )


async def letterhead(principal: Principal, slug: str) -> schemas.Letterhead:
    """What the forum's letters and certificates are signed with (organizers)."""
    forum = await editable_forum(principal, slug)
    return _letterhead(forum.slug, await _letterhead_row(forum.id))


async def _save_letterhead(forum_id: int, values: dict[Any, Any]) -> None:
    values = {**values, Letterhead.updated_at: now()}
    async with db.transaction():
        updated = (
            await Letterhead.update(values)
            .where(Letterhead.forum == forum_id)
            .returning(Letterhead.id)
        )
        if not updated:
            start = await _letterhead_row(forum_id)
            start.update({column._meta.name: value for column, value in values.items()})
            start.pop("id", None)
            await Letterhead.insert(Letterhead(forum=forum_id, **start))


async def set_letterhead(
    principal: Principal, slug: str, data: schemas.LetterheadInput
) -> schemas.Letterhead:
    """Set the institute, address and signatory of the forum's documents."""
    forum = await editable_forum(principal, slug)
    await _save_letterhead(
        forum.id,
        {
            Letterhead.institute: data.institute.strip(),
            Letterhead.address: data.address.strip(),
            Letterhead.signatory_name: data.signatory_name.strip(),
            Letterhead.signatory_role: data.signatory_role.strip(),
            Letterhead.letter_locale: data.letter_locale.value,
            Letterhead.covered_costs: [cost.value for cost in dict.fromkeys(data.covered_costs)],
        },
    )
    return await letterhead(principal, slug)


def _logo_type(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


async def set_logo(principal: Principal, slug: str, content: bytes) -> schemas.Letterhead:
    """Put the institute's logo (PNG or JPEG, at most 512 KiB) on the forum's documents."""
    forum = await editable_forum(principal, slug)
    media_type = _logo_type(content)
    if media_type is None or len(content) > LOGO_MAX_BYTES:
        raise InvalidInput(
            FieldError(
                N_("The logo must be a PNG or JPEG image of at most 512 KiB."),
                code="invalid_logo",
                pointer="/logo",
            )
        )
    await _save_letterhead(
        forum.id, {Letterhead.logo: content, Letterhead.logo_media_type: media_type}
    )
    return await letterhead(principal, slug)


# Issued documents ------------------------------------------------------------------------------


def _document(row: Mapping[str, Any]) -> schemas.Document:
    kind = schemas.DocumentKind(row["kind"])
    return schemas.Document(
        kind=label_of(kind, KIND_LABELS),
        reference=row["reference"],
        registration_id=row["registration"],
        holder_name=row["holder_name"],
        issued_at=row["issued_at"],
        revoked_at=row["revoked_at"],
        pdf_url=f"{_base_url}/api/v1/documents/{row['reference']}/pdf",
        verification_url=verification_url(row["reference"]),
    )


async def _current_documents(
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
    return {row["registration"]: _document(row) for row in rows}


async def forum_documents(principal: Principal, slug: str) -> schemas.DocumentList:
    """Every letter and certificate of the forum, revoked ones too (organizers)."""
    forum = await editable_forum(principal, slug)
    rows = await IssuedDocument.raw(
        "SELECT d.* FROM document_issued d JOIN registration r ON r.id = d.registration "
        "WHERE r.forum = {} ORDER BY d.id",
        forum.id,
    )
    return schemas.DocumentList(items=[_document(row) for row in rows])


async def my_documents(principal: Principal, slug: str) -> schemas.DocumentList:
    """Your letters and certificates for the forum."""
    _, person = await _own(principal, slug)
    rows = (
        await IssuedDocument.select()
        .where(IssuedDocument.registration == person.registration_id)
        .order_by(IssuedDocument.id)
    )
    return schemas.DocumentList(items=[_document(row) for row in rows])


async def _issue(
    principal: Principal,
    slug: str,
    kind: schemas.DocumentKind,
    registration_ids: Sequence[int] | None,
) -> schemas.DocumentList:
    forum = await editable_forum(principal, slug)
    letter = kind is schemas.DocumentKind.VISA_LETTER
    eligible_status = APPROVED if letter else ("attended",)
    people = {person.registration_id: person for person in await _people(forum.id)}
    details = await _visa_of(list(people)) if letter else {}
    current = await _current_documents(list(people), kind)

    def eligible(person: Person) -> bool:
        if person.status not in eligible_status:
            return False
        return not letter or person.registration_id in details

    if registration_ids is None:
        chosen = [p for p in people.values() if eligible(p) and p.registration_id not in current]
    else:
        chosen = []
        for index, registration_id in enumerate(dict.fromkeys(registration_ids)):
            person = people.get(registration_id)
            if person is None or not eligible(person):
                raise InvalidInput(
                    FieldError(
                        N_("This registration is not approved with visa details given.")
                        if letter
                        else N_("This person has not been checked in."),
                        code="not_eligible",
                        pointer=f"/registration_ids/{index}",
                    )
                )
            if registration_id not in current:
                chosen.append(person)
    if not chosen:
        return schemas.DocumentList(items=[])
    facts = await _forum_facts(forum.id)
    issued = []
    async with db.transaction():
        for person in chosen:
            reference = _new_reference(kind)
            holder = details[person.registration_id].full_name if letter else person.name
            rows = await IssuedDocument.insert(
                IssuedDocument(
                    kind=kind.value,
                    reference=reference,
                    registration=person.registration_id,
                    holder_name=holder,
                    issued_at=now(),
                    issued_by=principal.user_id,
                )
            ).returning(*IssuedDocument.all_columns())
            issued.append(_document(rows[0]))
            if letter:
                await _mail(mails.LETTER_ISSUED, forum, person, reference, facts)
    return schemas.DocumentList(items=issued)


async def issue_visa_letters(
    principal: Principal, slug: str, registration_ids: Sequence[int] | None
) -> schemas.DocumentList:
    """Issue visa letters (mailed to each person); without ids to every approved person who
    gave their passport details and has no letter."""
    return await _issue(principal, slug, schemas.DocumentKind.VISA_LETTER, registration_ids)


async def issue_certificates(
    principal: Principal, slug: str, registration_ids: Sequence[int] | None
) -> schemas.DocumentList:
    """Issue certificates of attendance; without ids to everyone checked in who has none."""
    return await _issue(principal, slug, schemas.DocumentKind.CERTIFICATE, registration_ids)


async def _mail(
    template: Any, forum: ForumRef, person: Person, reference: str, facts: ForumFacts
) -> None:
    with use_locale(person.locale, person.timezone):
        context = {
            "display_name": person.display_name,
            "reference": reference,
            "link": _base_url + mails.DOCUMENTS_PATH.format(slug=forum.slug),
            "consent_link": withdrawal_link(person.user_id, forum.id),
            "forum": facts.title.best(),
            "dates": facts.dates(),
        }
    await queue_mail(
        template,
        to=person.email,
        locale=person.locale,
        timezone=person.timezone,
        context=context,
        user_id=person.user_id,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    row: dict[str, Any]
    forum: ForumRef
    person: Person
    organizer: bool


async def _find(principal: Principal, reference: str) -> _Found:
    """A document for the person it names or the organizers of its forum; 404 for others."""
    if principal.user_id is None:
        raise NotAuthenticated()
    rows = await IssuedDocument.raw(
        "SELECT d.*, r.forum AS forum_id FROM document_issued d "
        "JOIN registration r ON r.id = d.registration WHERE d.reference = {}",
        reference,
    )
    if not rows:
        raise NotFound("document_not_found")
    row = dict(rows[0])
    forum = await forum_ref_by_id(row["forum_id"])
    person = await _person_of(forum.id, row["registration"])
    organizer = await edits_forum(principal, forum)
    if person.user_id != principal.user_id and not organizer:
        raise NotFound("document_not_found")
    return _Found(row, forum, person, organizer)


async def revoke(principal: Principal, reference: str) -> schemas.Document:
    """Revoke a letter or certificate: its verification says so from now on (organizers)."""
    found = await _find(principal, reference)
    await authorize(principal, edits_forum, found.forum)
    async with db.transaction():
        rows = (
            await IssuedDocument.update(
                {IssuedDocument.revoked_at: now(), IssuedDocument.revoked_by: principal.user_id}
            )
            .where(IssuedDocument.reference == reference, IssuedDocument.revoked_at.is_null())
            .returning(*IssuedDocument.all_columns())
        )
    if not rows:
        raise Conflict("document_revoked", N_("This document has been revoked."))
    return _document(rows[0])


async def mail_my_document(principal: Principal, reference: str) -> None:
    """Mail yourself the way to your certificate."""
    found = await _find(principal, reference)
    if found.person.user_id != principal.user_id:
        raise NotFound("document_not_found")
    if found.row["revoked_at"] is not None:
        raise Gone("document_revoked", N_("This document has been revoked."))
    template = mails.LETTER_ISSUED if found.row["kind"] == "visa_letter" else mails.CERTIFICATE_LINK
    facts = await _forum_facts(found.forum.id)
    async with db.transaction():
        await _mail(template, found.forum, found.person, reference, facts)


async def verify(reference: str) -> schemas.Verification:
    """Whether a document is genuine: its holder, forum and dates, nothing else (public)."""
    rows = await IssuedDocument.raw(
        "SELECT d.kind, d.reference, d.holder_name, d.issued_at, d.revoked_at, "
        "r.forum AS forum_id FROM document_issued d "
        "JOIN registration r ON r.id = d.registration WHERE d.reference = {}",
        reference.strip().upper(),
    )
    if not rows:
        raise NotFound("document_not_found", N_("No document of this service has this reference."))
    row = rows[0]
    facts = await _forum_facts(row["forum_id"])
    return schemas.Verification(
        reference=row["reference"],
        kind=label_of(schemas.DocumentKind(row["kind"]), KIND_LABELS),
        valid=row["revoked_at"] is None,
        holder_name=row["holder_name"],
        forum=facts.title.best(),
        forum_dates=facts.dates(),
        issued_at=row["issued_at"],
        revoked_at=row["revoked_at"],
    )


# Rendering -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForumFacts:
    slug: str
    title: TranslatableText
    starts: date
    ends: date
    city: str
    venue: str

    def dates(self) -> str:
        return format_date_interval(self.starts, self.ends)


async def _forum_facts(forum_id: int) -> ForumFacts:
    row = (
        await Forum.select(
            Forum.slug,
            Forum.title,
            Forum.starts_at,
            Forum.ends_at,
            Forum.timezone,
            Forum.venue_city,
            Forum.venue_name,
        )
        .where(Forum.id == forum_id)
        .first()
    )
    if row is None:
        raise NotFound("forum_not_found")
    zone = ZoneInfo(row["timezone"])
    return ForumFacts(
        slug=row["slug"],
        title=TranslatableText.from_json(row["title"]),
        starts=row["starts_at"].astimezone(zone).date(),
        ends=row["ends_at"].astimezone(zone).date(),
        city=row["venue_city"],
        venue=row["venue_name"],
    )


def _logo_uri(row: Mapping[str, Any]) -> str | None:
    if not row["logo"]:
        return None
    encoded = base64.b64encode(bytes(row["logo"])).decode("ascii")
    return f"data:{row['logo_media_type']};base64,{encoded}"


def _letter_page(
    locale: str,
    facts: ForumFacts,
    head: Mapping[str, Any],
    person: Person,
    visa: Any,
    issued: date,
) -> str:
    with use_locale(locale):
        costs = [
            gettext(COST_LABELS[schemas.CoveredCost(cost)])
            for cost in _json(head["covered_costs"]) or []
        ]
        return rendering.render_html(
            "documents/letter_page.html",
            {
                "forum": facts,
                "forum_title": facts.title.best(),
                "head": head,
                "person": person,
                "visa": visa,
                "nationality": regions.name(visa.nationality),
                "costs": costs if person.travel_support else [],
                # Dated the day it was issued: the letter reads the same at every download.
                "today": format_date(issued, "long"),
                "format_date": lambda value: format_date(value, "long"),
            },
        )


async def document_pdf(principal: Principal, reference: str) -> tuple[str, bytes]:
    """A letter or certificate as PDF, for the person it names and the organizers."""
    found = await _find(principal, reference)
    if found.row["revoked_at"] is not None:
        raise Gone("document_revoked", N_("This document has been revoked."))
    head = await _letterhead_row(found.forum.id)
    facts = await _forum_facts(found.forum.id)
    if found.row["kind"] == schemas.DocumentKind.VISA_LETTER:
        visa = (await _visa_of([found.person.registration_id])).get(found.person.registration_id)
        if visa is None:
            # Removed by retention after the forum, or by the person: a letter without them
            # would be an empty form, so there is none; its verification still answers.
            raise Gone(
                "visa_details_removed",
                N_(
                    "The passport details of this letter have been deleted, so it can no longer "
                    "be downloaded. Its reference can still be verified."
                ),
            )
        html = await visa_letter_html(found.row, facts, head, found.person, visa)
        # i18n: A file name (lower case, words joined by hyphens, no spaces).
        name = file_name(N_("visa-letter-{reference}"), "pdf", reference=reference)
    else:
        html = await certificate_html(found.row, found.forum, facts, head, found.person)
        # i18n: A file name (lower case, words joined by hyphens, no spaces).
        name = file_name(N_("certificate-{reference}"), "pdf", reference=reference)
    return name, await rendering.render_pdf(html)


async def visa_letter_html(
    row: Mapping[str, Any],
    facts: ForumFacts,
    head: Mapping[str, Any],
    person: Person,
    visa: schemas.VisaDetails,
) -> str:
    """The letter: the first page in the embassy's language, the second in the person's."""
    issued = as_utc(row["issued_at"]).date()
    pages = [_letter_page(head["letter_locale"], facts, head, person, visa, issued)]
    if person.locale != head["letter_locale"]:
        pages.append(_letter_page(person.locale, facts, head, person, visa, issued))
    return rendering.render_html(
        "documents/document.html",
        {
            "pages": pages,
            "reference": row["reference"],
            "qr": rendering.qr_data_uri(verification_url(row["reference"])),
            "verify_url": verification_url(row["reference"]),
            "logo": _logo_uri(head),
            "head": head,
            "lang": head["letter_locale"],
        },
    )


async def _workshops(registration_id: int) -> list[TranslatableText]:
    rows = await WorkshopSignUp.raw(
        "SELECT i.title FROM registration_workshop_sign_up s "
        "JOIN forum_programme_item i ON i.id = s.programme_item "
        "WHERE s.registration = {} ORDER BY i.starts_at",
        registration_id,
    )
    return [TranslatableText.from_json(row["title"]) for row in rows]


async def certificate_html(
    row: Mapping[str, Any],
    forum: ForumRef,
    facts: ForumFacts,
    head: Mapping[str, Any],
    person: Person,
) -> str:
    """The certificate in the person's language, and a page in English."""
    workshops = await _workshops(person.registration_id)
    pages = []
    for locale in dict.fromkeys((person.locale, "en")):
        with use_locale(locale):
            pages.append(
                rendering.render_html(
                    "documents/certificate_page.html",
                    {
                        "forum": facts,
                        "forum_title": facts.title.best(),
                        "head": head,
                        "person": person,
                        "workshops": [title.best() for title in workshops],
                        "issued": format_date(as_utc(row["issued_at"]).date(), "long"),
                    },
                )
            )
    return rendering.render_html(
        "documents/document.html",
        {
            "pages": pages,
            "reference": row["reference"],
            "qr": rendering.qr_data_uri(verification_url(row["reference"])),
            "verify_url": verification_url(row["reference"]),
            "logo": _logo_uri(head),
            "head": head,
            "lang": person.locale,
        },
    )


# Badges ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BadgeLine:
    badge: schemas.Badge
    marker: Marker
    fingerprint: str
    check_in_url: str


async def _badge_lines(forum: ForumRef) -> list[_BadgeLine]:
    people = await _people(forum.id, " AND r.status IN ('confirmed', 'attended')")
    notices = await notice_state(forum.id)
    latest = await ledger.latest_decisions(forum.id)
    printed = {
        row["registration"]: row["printed_at"]
        for row in await BadgePrint.raw(
            "SELECT b.registration, b.printed_at FROM document_badge_print b "
            "JOIN registration r ON r.id = b.registration WHERE r.forum = {}",
            forum.id,
        )
    }
    lines = []
    for person in people:
        if person.badge_number is None:
            continue
        states = ledger.pair_states(latest.get(person.user_id, {}), notices.material_version)
        marker = ledger.marker_of(states)
        shown = "\x1f".join(
            (person.name, person.organization, person.country or "", str(person.badge_number))
        )
        fingerprint = hashlib.sha256(f"{shown}\x1f{marker.value}".encode()).hexdigest()
        lines.append(
            _BadgeLine(
                badge=schemas.Badge(
                    registration_id=person.registration_id,
                    badge_number=person.badge_number,
                    name=person.name,
                    organization=person.organization,
                    country=person.country,
                    marker=label_of(marker, vocabulary.MARKER_LABELS),
                    printed_at=printed.get(person.registration_id),
                ),
                marker=marker,
                fingerprint=fingerprint,
                check_in_url=_base_url
                + CHECK_IN_PATH.format(slug=forum.slug, number=person.badge_number),
            )
        )
    lines.sort(key=lambda line: line.badge.badge_number)
    return lines


def _changed(line: _BadgeLine, printed: Mapping[int, str]) -> bool:
    return printed.get(line.badge.registration_id) != line.fingerprint


async def _printed(forum_id: int) -> dict[int, str]:
    rows = await BadgePrint.raw(
        "SELECT b.registration, b.printed FROM document_badge_print b "
        "JOIN registration r ON r.id = b.registration WHERE r.forum = {}",
        forum_id,
    )
    return {row["registration"]: row["printed"] for row in rows}


async def changed_badges(principal: Principal, slug: str) -> schemas.BadgeList:
    """Badges never printed, or printed before a name or consent changed (organizers)."""
    forum = await editable_forum(principal, slug)
    printed = await _printed(forum.id)
    lines = await _badge_lines(forum)
    return schemas.BadgeList(items=[line.badge for line in lines if _changed(line, printed)])


async def badges_pdf(
    principal: Principal, slug: str, request: schemas.BadgePrintRequest
) -> tuple[str, bytes]:
    """Print the forum's badges (all, or those changed since printing) and remember what each
    showed (organizers)."""
    forum = await editable_forum(principal, slug)
    printed = await _printed(forum.id)
    lines = await _badge_lines(forum)
    if request.which is schemas.BadgeSelection.CHANGED:
        lines = [line for line in lines if _changed(line, printed)]
    facts = await _forum_facts(forum.id)
    html = rendering.render_html(
        "documents/badges.html",
        {
            "layout": request.layout.value,
            "sheets": _sheets(lines, 4 if request.layout is schemas.BadgeLayout.A4 else 1),
            "forum_title": facts.title.best(),
            "dates": facts.dates(),
            "words": {marker.value: BADGE_WORDS[marker] for marker in Marker},
            "qr": rendering.qr_data_uri,
            "country_name": regions.name,
            "lang": current_locale(),
        },
    )
    pdf = await rendering.render_pdf(html)
    at = now()
    async with db.transaction():
        for line in lines:
            updated = (
                await BadgePrint.update(
                    {BadgePrint.printed: line.fingerprint, BadgePrint.printed_at: at}
                )
                .where(BadgePrint.registration == line.badge.registration_id)
                .returning(BadgePrint.id)
            )
            if not updated:
                await BadgePrint.insert(
                    BadgePrint(
                        registration=line.badge.registration_id,
                        printed=line.fingerprint,
                        printed_at=at,
                    )
                )
    # i18n: A file name (lower case, words joined by hyphens, no spaces); {layout} is "a6"
    # or "a4".
    name = file_name(
        N_("badges-{forum}-{layout}"), "pdf", forum=forum.slug, layout=request.layout.value
    )
    return name, pdf


def _sheets(lines: Sequence[_BadgeLine], per_sheet: int) -> list[list[_BadgeLine]]:
    return [list(lines[start : start + per_sheet]) for start in range(0, len(lines), per_sheet)]


# Retention -------------------------------------------------------------------------------------


# Passport details of registrations of forums that ended before the cutoff ``{}``, or were
# cancelled. The demonstration's forums (``is_demo`` = ``{}``, passed False) are examples and
# stay whole, as retention leaves them.
_COUNT_EXPIRED = """
SELECT count(*) AS n FROM document_visa_details WHERE registration IN (
    SELECT r.id FROM registration r JOIN forum f ON f.id = r.forum
    WHERE (f.ends_at < {} OR f.status = 'cancelled') AND f.is_demo = {})
"""
_DELETE_EXPIRED = """
DELETE FROM document_visa_details WHERE registration IN (
    SELECT r.id FROM registration r JOIN forum f ON f.id = r.forum
    WHERE (f.ends_at < {} OR f.status = 'cancelled') AND f.is_demo = {})
RETURNING id
"""
_FORGET_HOLDERS = """
UPDATE document_issued SET holder_name = ''
WHERE kind = 'visa_letter' AND holder_name <> '' AND registration IN (
    SELECT r.id FROM registration r JOIN forum f ON f.id = r.forum
    WHERE (f.ends_at < {} OR f.status = 'cancelled') AND f.is_demo = {})
"""


def _cutoff(settings: Settings, at: datetime) -> datetime:
    return at - timedelta(days=settings.visa_details_days)


async def expired_visa_details(settings: Settings, at: datetime) -> int:
    """How many people's passport details are due for removal."""
    rows = await VisaDetails.raw(_COUNT_EXPIRED, _cutoff(settings, at), False)
    return int(rows[0]["n"])


async def remove_expired_visa_details(settings: Settings, at: datetime) -> int:
    """Remove the passport details of forums that are over, and the names their letters'
    verification showed."""
    cutoff = _cutoff(settings, at)
    async with db.transaction():
        removed = await VisaDetails.raw(_DELETE_EXPIRED, cutoff, False)
        await IssuedDocument.raw(_FORGET_HOLDERS, cutoff, False)
    return len(removed)
