"""The documents API: passport details, letterheads, visa letters, certificates and badges."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from mupass_forum.accounts.principal import Principal
from mupass_forum.documents import badges, letterheads, letters, schemas, visa
from mupass_forum.documents import services as document_services
from mupass_forum.downloads import content_disposition

PDF = "application/pdf"


def pdf_response(name: str, content: bytes, *, download: bool = False) -> Response[bytes]:
    """A PDF, opened in the browser (or saved, ``download``), never kept by caches."""
    return Response(
        content,
        media_type=PDF,
        headers={
            "Content-Disposition": content_disposition(name, download=download),
            "Cache-Control": "private, no-store",
        },
    )


class MyVisaDetailsController(Controller):
    path = "/forums/{slug:str}/registrations/mine/visa"
    tags = ["documents"]

    @get("", operation_id="get_my_visa_details", summary="My passport details")
    async def get_details(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.VisaDetails | None:
        """The passport details you gave for the forum's visa letter (null when none)."""
        return await visa.my_visa_details(principal, slug)

    @put("", operation_id="set_my_visa_details", summary="Give my passport details")
    async def set_details(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.VisaDetailsInput],
        principal: NamedDependency[Principal],
    ) -> schemas.VisaDetails:
        """Ask for a visa letter with what the embassy checks (seen by you and the organizers)."""
        return await visa.set_my_visa_details(principal, slug, data)

    @delete(
        "",
        operation_id="delete_my_visa_details",
        summary="Remove my passport details",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_details(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> None:
        """Remove your passport details; you no longer ask for a visa letter."""
        await visa.delete_my_visa_details(principal, slug)


class ForumDocumentController(Controller):
    path = "/forums/{slug:str}/documents"
    tags = ["documents"]

    @get("", operation_id="list_forum_documents", summary="Letters and certificates")
    async def list_documents(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.DocumentList:
        """Every visa letter and certificate of the forum, revoked ones too (organizers)."""
        return await document_services.forum_documents(principal, slug)

    @get("/mine", operation_id="list_my_documents", summary="My letters and certificates")
    async def mine(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.DocumentList:
        """Your visa letters and certificates for the forum."""
        return await document_services.my_documents(principal, slug)

    @get("/letterhead", operation_id="get_letterhead", summary="Letterhead")
    async def get_letterhead(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.Letterhead:
        """The institute, address and signatory on the forum's documents (organizers)."""
        return await letterheads.letterhead(principal, slug)

    @put("/letterhead", operation_id="set_letterhead", summary="Set the letterhead")
    async def set_letterhead(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.LetterheadInput],
        principal: NamedDependency[Principal],
    ) -> schemas.Letterhead:
        """Set the institute, address, signatory, letter language and covered costs."""
        return await letterheads.set_letterhead(principal, slug, data)

    @put("/letterhead/logo", operation_id="set_logo", summary="Upload the logo")
    async def set_logo(
        self,
        slug: FromPath[str],
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
    ) -> schemas.Letterhead:
        """The institute's logo as the request's body (PNG or JPEG, at most 512 KiB)."""
        return await letterheads.set_logo(principal, slug, await request.body())

    @get("/visa-requests", operation_id="list_visa_requests", summary="Visa letter requests")
    async def visa_requests(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.VisaRequestList:
        """Everyone who asked for a visa letter, their passport details and letter (organizers)."""
        return await visa.visa_requests(principal, slug)

    @post(
        "/visa-letters",
        operation_id="issue_visa_letters",
        summary="Issue visa letters",
        status_code=HTTP_200_OK,
    )
    async def issue_letters(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.IssueDocuments],
        principal: NamedDependency[Principal],
    ) -> schemas.DocumentList:
        """Issue and mail visa letters: to the registrations named, or to every approved person
        with passport details and no letter."""
        return await document_services.issue_visa_letters(principal, slug, data.registration_ids)

    @post(
        "/certificates",
        operation_id="issue_certificates",
        summary="Issue certificates of attendance",
        status_code=HTTP_200_OK,
    )
    async def issue_certificates(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.IssueDocuments],
        principal: NamedDependency[Principal],
    ) -> schemas.DocumentList:
        """Issue certificates: to the registrations named, or to everyone checked in without one."""
        return await document_services.issue_certificates(principal, slug, data.registration_ids)

    @get("/badges/changed", operation_id="list_changed_badges", summary="Badges to reprint")
    async def changed_badges(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.BadgeList:
        """Badges never printed, or whose name or consent marker changed since (organizers)."""
        return await badges.changed_badges(principal, slug)

    @post(
        "/badges",
        operation_id="print_badges",
        summary="Print badges",
        status_code=HTTP_200_OK,
        media_type=PDF,
    )
    async def print_badges(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.BadgePrintRequest],
        principal: NamedDependency[Principal],
    ) -> Response[bytes]:
        """The badges as a print-ready PDF (A6, or four per A4 sheet with cut marks)."""
        name, content = await badges.badges_pdf(principal, slug, data)
        return pdf_response(name, content, download=True)


class DocumentController(Controller):
    path = "/documents/{reference:str}"
    tags = ["documents"]

    @get("/pdf", operation_id="download_document", summary="Download", media_type=PDF)
    async def download(
        self, reference: FromPath[str], principal: NamedDependency[Principal]
    ) -> Response[bytes]:
        """The letter or certificate as PDF (the person it names and the organizers)."""
        name, content = await letters.document_pdf(principal, reference)
        return pdf_response(name, content)

    @get("/verification", operation_id="verify_document", summary="Verify a document")
    async def verification(self, reference: FromPath[str]) -> schemas.Verification:
        """Whether a reference is genuine and valid: holder, forum and dates only (anyone)."""
        return await document_services.verify(reference)

    @post("/revoke", operation_id="revoke_document", summary="Revoke", status_code=HTTP_200_OK)
    async def revoke(
        self, reference: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.Document:
        """Revoke a letter or certificate; its verification says so (organizers)."""
        return await document_services.revoke(principal, reference)

    @post(
        "/mail",
        operation_id="mail_my_document",
        summary="Mail me the link",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def mail(self, reference: FromPath[str], principal: NamedDependency[Principal]) -> None:
        """Mail yourself the way to your document."""
        await document_services.mail_my_document(principal, reference)
