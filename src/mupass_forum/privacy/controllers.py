"""The personal data API: my export, deleting my account, erasure on request, retention."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from mupass_forum.accounts.authorization import requires_platform_admin, requires_signed_in
from mupass_forum.accounts.controllers import client_address
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.downloads import content_disposition, file_name
from mupass_forum.i18n import N_
from mupass_forum.pagination import page_size
from mupass_forum.privacy import retention, schemas, services
from mupass_forum.settings import Settings

ZIP = "application/zip"


async def export_response(principal: Principal, format: schemas.ExportFormat) -> Response[Any]:
    """The caller's export as a download: JSON, or a ZIP named for them and their language."""
    document = await services.my_export(principal)
    headers = {"Cache-Control": "no-store"}
    if format == schemas.ExportFormat.ZIP:
        name = file_name(N_("mupass-forum-export-{user}"), "zip", user=principal.user_id)
        headers["Content-Disposition"] = content_disposition(name)
        return Response(services.export_zip(document), media_type=ZIP, headers=headers)
    return Response(document, media_type="application/json", headers=headers)


class MyDataController(Controller):
    path = "/me"
    tags = ["privacy"]
    guards = [requires_signed_in]

    @get("/export", operation_id="export_my_data", summary="Export my data", media_type=ZIP)
    async def export(
        self,
        principal: NamedDependency[Principal],
        request: Request[Any, Any, Any],
        format: Annotated[
            schemas.ExportFormat | None,
            QueryParameter(description="json or zip (default: from Accept, else json)"),
        ] = None,
    ) -> Response[Any]:
        """Everything the service holds about me, as JSON or a ZIP with a README in my language."""
        if format is None:
            best = request.accept.best_match(["application/json", ZIP])
            format = schemas.ExportFormat.ZIP if best == ZIP else schemas.ExportFormat.JSON
        return await export_response(principal, format)

    @delete(
        "",
        operation_id="delete_my_account",
        summary="Delete my account",
        status_code=HTTP_200_OK,
    )
    async def delete_me(
        self,
        data: JSONBody[schemas.MyErasure],
        principal: NamedDependency[Principal],
        request: Request[Any, Any, Any],
        account_service: NamedDependency[AccountService],
    ) -> schemas.ErasureReceipt:
        """Erase my account and personal data; my current password confirms it."""
        await account_service.confirm_password(
            principal, data.password, client_address=client_address(request), pointer="/password"
        )
        return await services.erase_me(principal, data)


class ErasureController(Controller):
    path = "/admin"
    tags = ["privacy"]
    guards = [requires_platform_admin]

    @post(
        "/users/{user_id:int}/erasure",
        operation_id="erase_account",
        summary="Erase an account on request",
        status_code=HTTP_200_OK,
    )
    async def erase(
        self,
        user_id: FromPath[int],
        data: JSONBody[schemas.ErasureCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.ErasureReceipt:
        """Erase a person's account and personal data at their request (platform admins)."""
        return await services.erase_on_request(principal, user_id, data)

    @get("/erasures", operation_id="list_erasures", summary="Erasure log")
    async def erasures(
        self,
        principal: NamedDependency[Principal],
        limit: Annotated[int, page_size(500)] = 100,
    ) -> list[schemas.ErasureReceipt]:
        """The latest erasures, by pseudonymous account id (platform admins)."""
        return await services.erasures(principal, limit)


class ForumRetentionController(Controller):
    path = "/forums/{slug:str}/retention"
    tags = ["privacy"]

    @get("", operation_id="get_forum_retention", summary="A forum's retention period")
    async def get_retention(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> schemas.ForumRetention:
        """How long the forum's personal details are kept, and what retention did."""
        return await retention.forum_retention(principal, settings, slug)

    @put("", operation_id="set_forum_retention", summary="Set a forum's retention period")
    async def set_retention(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ForumRetentionUpdate],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> schemas.ForumRetention:
        """Give the forum its own retention period in days, or null for the default."""
        return await retention.set_forum_retention(principal, settings, slug, data)


class AddressDataController(Controller):
    path = "/privacy/address-data"
    tags = ["privacy"]

    @post(
        "",
        operation_id="request_address_data_link",
        summary="Ask for a link to the data held under an address",
        status_code=HTTP_202_ACCEPTED,
    )
    async def request_link(
        self,
        data: JSONBody[schemas.AddressAccessRequest],
        settings: NamedDependency[Settings],
    ) -> schemas.AddressAccessAccepted:
        """Mail a link to the data held under an address (for people without an account)."""
        return await services.request_address_access(settings, data)

    @post(
        "/export",
        operation_id="export_address_data",
        summary="Export the data held under an address",
        status_code=HTTP_200_OK,
    )
    async def export(self, data: JSONBody[schemas.AddressToken]) -> Response[Any]:
        """Everything held under the mailed link's address, as JSON."""
        document = await services.address_export(data.token)
        return Response(document, headers={"Cache-Control": "no-store"})

    @post(
        "/erasure",
        operation_id="erase_address_data",
        summary="Erase the data held under an address",
        status_code=HTTP_200_OK,
    )
    async def erase(self, data: JSONBody[schemas.AddressToken]) -> schemas.AddressErasureReceipt:
        """Erase what is held under the mailed link's address."""
        return await services.address_erase(data.token)
