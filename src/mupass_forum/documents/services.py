"""Documents issued, listed, revoked, mailed and verified."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from mupass_forum import db
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.documents import mails, schemas
from mupass_forum.documents.people import (
    APPROVED,
    KIND_LABELS,
    DocumentRow,
    Person,
    base_url,
    current_documents,
    documents_of,
    new_reference,
    own_registration,
    people_of,
    person_of,
)
from mupass_forum.documents.tables import IssuedDocument
from mupass_forum.documents.visa import visa_of
from mupass_forum.errors import Conflict, FieldError, Gone, InvalidInput, NotAuthenticated, NotFound
from mupass_forum.forums.authorization import ForumRef, edits_forum
from mupass_forum.forums.queries import editable_forum, forum_ref_by_id
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import (
    N_,
    use_locale,
)
from mupass_forum.mail import MailTemplate, queue_mail
from mupass_forum.registrations.forum_facts import ForumFacts, forum_facts
from mupass_forum.rows import Moment, row_as


async def forum_documents(principal: Principal, slug: str) -> schemas.DocumentList:
    """Every letter and certificate of the forum, revoked ones too (organizers)."""
    forum = await editable_forum(principal, slug)
    rows = await IssuedDocument.raw(
        "SELECT d.* FROM document_issued d JOIN registration r ON r.id = d.registration "
        "WHERE r.forum = {} ORDER BY d.id",
        forum.id,
    )
    return schemas.DocumentList(items=documents_of(rows))


async def my_documents(principal: Principal, slug: str) -> schemas.DocumentList:
    """Your letters and certificates for the forum."""
    _, person = await own_registration(principal, slug)
    rows = (
        await IssuedDocument.select()
        .where(IssuedDocument.registration == person.registration_id)
        .order_by(IssuedDocument.id)
    )
    return schemas.DocumentList(items=documents_of(rows))


async def _issue(
    principal: Principal,
    slug: str,
    kind: schemas.DocumentKind,
    registration_ids: Sequence[int] | None,
) -> schemas.DocumentList:
    forum = await editable_forum(principal, slug)
    letter = kind is schemas.DocumentKind.VISA_LETTER
    eligible_status = APPROVED if letter else ("attended",)
    people = {person.registration_id: person for person in await people_of(forum.id)}
    details = await visa_of(list(people)) if letter else {}
    current = await current_documents(list(people), kind)

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
    facts = await forum_facts(forum.id)
    issued = []
    async with db.transaction():
        for person in chosen:
            reference = new_reference(kind)
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
            issued += documents_of(rows)
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
    template: MailTemplate, forum: ForumRef, person: Person, reference: str, facts: ForumFacts
) -> None:
    with use_locale(person.locale, person.timezone):
        context = {
            "display_name": person.display_name,
            "reference": reference,
            "link": base_url() + mails.DOCUMENTS_PATH.format(slug=forum.slug),
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


class _FoundRow(DocumentRow, frozen=True, kw_only=True):
    forum_id: int


@dataclass(frozen=True, slots=True)
class FoundDocument:
    row: DocumentRow
    forum: ForumRef
    person: Person
    organizer: bool


async def find_document(principal: Principal, reference: str) -> FoundDocument:
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
    row = row_as(rows[0], _FoundRow)
    forum = await forum_ref_by_id(row.forum_id)
    person = await person_of(forum.id, row.registration)
    organizer = await edits_forum(principal, forum)
    if person.user_id != principal.user_id and not organizer:
        raise NotFound("document_not_found")
    return FoundDocument(row, forum, person, organizer)


async def revoke(principal: Principal, reference: str) -> schemas.Document:
    """Revoke a letter or certificate: its verification says so from now on (organizers)."""
    found = await find_document(principal, reference)
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
    return documents_of(rows)[0]


async def mail_my_document(principal: Principal, reference: str) -> None:
    """Mail yourself the way to your certificate."""
    found = await find_document(principal, reference)
    if found.person.user_id != principal.user_id:
        raise NotFound("document_not_found")
    if found.row.revoked_at is not None:
        raise Gone("document_revoked", N_("This document has been revoked."))
    letter = found.row.kind == schemas.DocumentKind.VISA_LETTER
    template = mails.LETTER_ISSUED if letter else mails.CERTIFICATE_LINK
    facts = await forum_facts(found.forum.id)
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
    row = row_as(rows[0], _VerifiedRow)
    facts = await forum_facts(row.forum_id)
    return schemas.Verification(
        reference=row.reference,
        kind=label_of(row.kind, KIND_LABELS),
        valid=row.revoked_at is None,
        holder_name=row.holder_name,
        forum=facts.title.best(),
        forum_dates=facts.dates(),
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
    )


class _VerifiedRow(msgspec.Struct, frozen=True, kw_only=True):
    kind: schemas.DocumentKind
    reference: str
    holder_name: str
    issued_at: Moment
    revoked_at: Moment | None
    forum_id: int
