"""Visa letters and certificates rendered: their pages and PDF files."""

from __future__ import annotations

from datetime import date

from mupass_forum import regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.documents import rendering, schemas
from mupass_forum.documents.letterheads import LetterheadRow, letterhead_row, logo_uri
from mupass_forum.documents.people import COST_LABELS, DocumentRow, Person, verification_url
from mupass_forum.documents.services import find_document
from mupass_forum.documents.visa import visa_of
from mupass_forum.downloads import file_name
from mupass_forum.errors import Gone
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.i18n import (
    N_,
    format_date,
    gettext,
    use_locale,
)
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.registrations.forum_facts import ForumFacts, forum_facts
from mupass_forum.registrations.tables import WorkshopSignUp


def _letter_page(
    locale: str,
    facts: ForumFacts,
    head: LetterheadRow,
    person: Person,
    visa: schemas.VisaDetails,
    issued: date,
) -> str:
    with use_locale(locale):
        costs = [gettext(COST_LABELS[schemas.CoveredCost(cost)]) for cost in head.costs()]
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
    found = await find_document(principal, reference)
    if found.row.revoked_at is not None:
        raise Gone("document_revoked", N_("This document has been revoked."))
    head = await letterhead_row(found.forum.id)
    facts = await forum_facts(found.forum.id)
    if found.row.kind == schemas.DocumentKind.VISA_LETTER:
        visa = (await visa_of([found.person.registration_id])).get(found.person.registration_id)
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
    row: DocumentRow,
    facts: ForumFacts,
    head: LetterheadRow,
    person: Person,
    visa: schemas.VisaDetails,
) -> str:
    """The letter: the first page in the embassy's language, the second in the person's."""
    issued = row.issued_at.date()
    pages = [_letter_page(head.letter_locale, facts, head, person, visa, issued)]
    if person.locale != head.letter_locale:
        pages.append(_letter_page(person.locale, facts, head, person, visa, issued))
    return _document(pages, row, head, head.letter_locale)


def _document(pages: list[str], row: DocumentRow, head: LetterheadRow, lang: str) -> str:
    """``pages`` as one document of ``lang`` under the letterhead, with the reference and its
    verification code."""
    return rendering.render_html(
        "documents/document.html",
        {
            "pages": pages,
            "reference": row.reference,
            "qr": rendering.qr_data_uri(verification_url(row.reference)),
            "verify_url": verification_url(row.reference),
            "logo": logo_uri(head),
            "head": head,
            "lang": lang,
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
    row: DocumentRow,
    forum: ForumRef,
    facts: ForumFacts,
    head: LetterheadRow,
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
                        "issued": format_date(row.issued_at.date(), "long"),
                    },
                )
            )
    return _document(pages, row, head, person.locale)
