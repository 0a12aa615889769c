"""Visa details: given by the person, read by the organizers, removed when they expire."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from mupass_forum import db, regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.documents import schemas
from mupass_forum.documents.people import OPEN, current_documents, own_registration, people_of
from mupass_forum.documents.tables import IssuedDocument, VisaDetails
from mupass_forum.errors import Conflict, FieldError, InvalidInput
from mupass_forum.forums.queries import editable_forum
from mupass_forum.i18n import (
    N_,
)
from mupass_forum.registrations.status import status_label
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import Moment, rows_as
from mupass_forum.settings import Settings

# Visa details ----------------------------------------------------------------------------------


class _VisaRow(msgspec.Struct, frozen=True, kw_only=True):
    registration: int
    full_name: str
    date_of_birth: date
    nationality: str
    passport_number: str
    passport_valid_until: date
    embassy: str
    entry_date: date
    exit_date: date
    updated_at: Moment


def _visa(row: _VisaRow) -> schemas.VisaDetails:
    return schemas.VisaDetails(
        registration_id=row.registration,
        full_name=row.full_name,
        date_of_birth=row.date_of_birth,
        nationality=row.nationality,
        nationality_name=regions.name(row.nationality),
        passport_number=row.passport_number,
        passport_valid_until=row.passport_valid_until,
        embassy=row.embassy,
        entry_date=row.entry_date,
        exit_date=row.exit_date,
        updated_at=row.updated_at,
    )


async def visa_of(registration_ids: Sequence[int]) -> dict[int, schemas.VisaDetails]:
    if not registration_ids:
        return {}
    rows = await VisaDetails.select().where(VisaDetails.registration.is_in(list(registration_ids)))
    return {row.registration: _visa(row) for row in rows_as(rows, _VisaRow)}


def _visa_problems(data: schemas.VisaDetailsInput) -> list[FieldError]:
    today = now().date()
    #: (whether the rule is broken, what to say, the code, the field)
    rules = (
        (
            not regions.is_country(data.nationality.upper()),
            N_("Choose a country."),
            "unknown_country",
            "/nationality",
        ),
        (
            data.date_of_birth >= today,
            N_("The date of birth must be in the past."),
            "invalid_date",
            "/date_of_birth",
        ),
        (
            data.exit_date < data.entry_date,
            N_("The date of leaving must not be before the date of arrival."),
            "invalid_dates",
            "/exit_date",
        ),
        (
            data.passport_valid_until < data.exit_date,
            N_("The passport must be valid until the date of leaving at least."),
            "passport_expires",
            "/passport_valid_until",
        ),
    )
    return [
        FieldError(message, code=code, pointer=pointer)
        for broken, message, code, pointer in rules
        if broken
    ]


async def my_visa_details(principal: Principal, slug: str) -> schemas.VisaDetails | None:
    """Your passport details for the forum's visa letter, if you gave them."""
    _, person = await own_registration(principal, slug)
    return (await visa_of([person.registration_id])).get(person.registration_id)


async def set_my_visa_details(
    principal: Principal, slug: str, data: schemas.VisaDetailsInput
) -> schemas.VisaDetails:
    """Give or correct your passport details; the registration then asks for a visa letter."""
    forum, person = await own_registration(principal, slug)
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
    _, person = await own_registration(principal, slug)
    async with db.transaction():
        await VisaDetails.delete().where(VisaDetails.registration == person.registration_id)
        await Registration.update({Registration.needs_visa_letter: False}).where(
            Registration.id == person.registration_id
        )


async def visa_requests(principal: Principal, slug: str) -> schemas.VisaRequestList:
    """Everyone who asked for a visa letter, with their details and letter (organizers)."""
    forum = await editable_forum(principal, slug)
    people = await people_of(forum.id, " AND r.needs_visa_letter = {}", True)
    ids = [person.registration_id for person in people]
    details = await visa_of(ids)
    letters = await current_documents(ids, schemas.DocumentKind.VISA_LETTER)
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
