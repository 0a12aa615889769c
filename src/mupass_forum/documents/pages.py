"""Documents on the site: a person's passport details and documents, the public verification
of a reference, and the organizers' documents desk under ``/desk/forums/{slug}/documents``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.documents import badges, letterheads, letters, schemas, visa
from mupass_forum.documents import people as document_people
from mupass_forum.documents import services as document_services
from mupass_forum.documents.controllers import pdf_response
from mupass_forum.errors import DomainError, InvalidInput
from mupass_forum.forums import queries as forum_queries
from mupass_forum.i18n import gettext
from mupass_forum.participants.services import country_list

DESK_PATH = "/desk/forums/{slug}/documents"


class IssueForm(msgspec.Struct):
    registration_id: int | None = None


class BadgeForm(msgspec.Struct):
    layout: schemas.BadgeLayout = schemas.BadgeLayout.A4
    which: schemas.BadgeSelection = schemas.BadgeSelection.ALL


# The person ------------------------------------------------------------------------------------


async def _my_page(
    principal: Principal,
    slug: str,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    details = await visa.my_visa_details(principal, slug)
    documents = await document_services.my_documents(principal, slug)
    if values is None:
        values = msgspec.structs.asdict(details) if details else {}
        values = {key: str(value) for key, value in values.items()}
    return Template(
        "documents/mine.html",
        context={
            "forum": forum,
            "details": details,
            "documents": documents.items,
            "countries": [(country.code, country.name) for country in country_list()],
            "errors": errors,
            "values": values,
        },
        status_code=400 if errors else 200,
    )


@get("/forums/{slug:str}/documents", guards=[requires_signed_in])
async def my_documents_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Your passport details for a visa letter, and your letters and certificates."""
    return await _my_page(principal, slug)


@post("/forums/{slug:str}/documents/visa", guards=[requires_signed_in])
async def visa_details_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Save your passport details; then the page again."""
    try:
        data = await pages.form_data(request, schemas.VisaDetailsInput)
        await visa.set_my_visa_details(principal, slug, data)
    except InvalidInput as exc:
        values = {name: str(value) for name, value in (await request.form()).items()}
        return await _my_page(principal, slug, pages.FormErrors.of(exc), values)
    return pages.redirect(f"/forums/{slug}/documents")


@post("/forums/{slug:str}/documents/visa/delete", guards=[requires_signed_in])
async def visa_details_removed(
    slug: FromPath[str], principal: NamedDependency[Principal]
) -> Redirect:
    """Remove your passport details."""
    await visa.delete_my_visa_details(principal, slug)
    return pages.redirect(f"/forums/{slug}/documents")


@get("/documents/{reference:str}/pdf", guards=[requires_signed_in])
async def document_download(
    reference: FromPath[str], principal: NamedDependency[Principal]
) -> Response[bytes]:
    """A letter or certificate as PDF (the person it names and the organizers)."""
    name, content = await letters.document_pdf(principal, reference)
    return pdf_response(name, content)


@post("/documents/{reference:str}/mail", guards=[requires_signed_in])
async def document_mailed(
    reference: FromPath[str], principal: NamedDependency[Principal]
) -> Template:
    """Mail yourself the way to your document."""
    await document_services.mail_my_document(principal, reference)
    return pages.message_page(
        gettext("Mail sent"),
        gettext("We have sent you a mail with the link to your document."),
    )


# Anyone ----------------------------------------------------------------------------------------


@get(document_people.VERIFY_PATH.replace("{reference}", "{reference:str}"))
async def verification_page(reference: FromPath[str]) -> Template:
    """Whether a letter or certificate is genuine (the page its QR code opens)."""
    try:
        verification = await document_services.verify(reference)
    except DomainError as exc:
        if exc.status != 404:
            raise
        return Template(
            "documents/verify.html",
            context={"verification": None, "reference": reference},
            status_code=404,
        )
    return Template(
        "documents/verify.html", context={"verification": verification, "reference": reference}
    )


# The organizers' desk --------------------------------------------------------------------------


async def _desk_page(
    principal: Principal, slug: str, errors: pages.FormErrors = pages.NO_ERRORS
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    head = await letterheads.letterhead(principal, slug)
    requests = (await visa.visa_requests(principal, slug)).items
    return Template(
        "documents/desk.html",
        context={
            "forum": forum,
            "section": "documents",
            "here": DESK_PATH.format(slug=slug),
            "head": head,
            "covered": {label.value for label in head.covered_costs},
            "costs": [
                (cost.value, gettext(label)) for cost, label in document_people.COST_LABELS.items()
            ],
            "requests": requests,
            # Letters whose passport details were deleted (after the forum): not downloadable.
            "without_details": {
                asked.letter.reference for asked in requests if asked.letter and not asked.details
            },
            "documents": (await document_services.forum_documents(principal, slug)).items,
            "changed": (await badges.changed_badges(principal, slug)).items,
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


_DESK = DESK_PATH.replace("{slug}", "{slug:str}")


@get(_DESK, guards=[requires_signed_in])
async def desk_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """The forum's documents: letterhead, visa letters, badges and certificates."""
    return await _desk_page(principal, slug)


@post(_DESK + "/letterhead", guards=[requires_signed_in])
async def letterhead_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Save the letterhead (and the logo, when one is chosen)."""
    try:
        data = await pages.form_data(request, schemas.LetterheadInput)
        await letterheads.set_letterhead(principal, slug, data)
        logo = (await request.form()).get("logo")
        if logo is not None and not isinstance(logo, str):
            content = await logo.read()
            if content:
                await letterheads.set_logo(principal, slug, content)
    except InvalidInput as exc:
        return await _desk_page(principal, slug, pages.FormErrors.of(exc))
    return pages.redirect(DESK_PATH.format(slug=slug))


@post(_DESK + "/letters", guards=[requires_signed_in])
async def letters_issued(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Issue one person's visa letter, or everyone's who is due."""
    return await _issued(request, slug, principal, document_services.issue_visa_letters)


@post(_DESK + "/certificates", guards=[requires_signed_in])
async def certificates_issued(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Issue one person's certificate, or everyone's who was checked in."""
    return await _issued(request, slug, principal, document_services.issue_certificates)


async def _issued(
    request: Request[Any, Any, Any],
    slug: str,
    principal: Principal,
    issue: Callable[[Principal, str, Sequence[int] | None], Awaitable[object]],
) -> Template | Redirect:
    """Issue the documents the form asks for (one person's, or everyone's who is due)."""
    form = await pages.form_data(request, IssueForm)
    ids = None if form.registration_id is None else [form.registration_id]
    try:
        await issue(principal, slug, ids)
    except InvalidInput as exc:
        return await _desk_page(principal, slug, pages.FormErrors.of(exc))
    return pages.redirect(DESK_PATH.format(slug=slug))


@post(_DESK + "/{reference:str}/revoke", guards=[requires_signed_in])
async def document_revoked(
    slug: FromPath[str], reference: FromPath[str], principal: NamedDependency[Principal]
) -> Redirect:
    """Revoke a letter or certificate."""
    await document_services.revoke(principal, reference)
    return pages.redirect(DESK_PATH.format(slug=slug))


@post(_DESK + "/badges", guards=[requires_signed_in], status_code=HTTP_200_OK)
async def badges_printed(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Response[bytes]:
    """The badge sheet as PDF (all, or those changed since printing)."""
    form = await pages.form_data(request, BadgeForm)
    request_ = schemas.BadgePrintRequest(layout=form.layout, which=form.which)
    name, content = await badges.badges_pdf(principal, slug, request_)
    return pdf_response(name, content, download=True)


PAGES = [
    my_documents_page,
    visa_details_sent,
    visa_details_removed,
    document_download,
    document_mailed,
    verification_page,
    desk_page,
    letterhead_sent,
    letters_issued,
    certificates_issued,
    document_revoked,
    badges_printed,
]
