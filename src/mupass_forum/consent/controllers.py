"""The consent API: notices, a person's consent, on-site recording, links, statistics."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from mupass_forum import pages as site_pages
from mupass_forum.accounts.authorization import as_signed_in, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.consent import ledger, notices, pages, photo_list, schemas, services, stats
from mupass_forum.downloads import content_disposition

Token = Annotated[str, QueryParameter(description="the token of the link", max_length=200)]


class ForumConsentController(Controller):
    path = "/forums/{slug:str}"
    tags = ["consent"]

    @get("/consent-notice", operation_id="get_consent_notice", summary="Photo and video notice")
    async def get_notice(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        version: Annotated[
            int | None, QueryParameter(ge=1, description="a past version (default: current)")
        ] = None,
    ) -> schemas.ConsentNotice:
        """The forum's photo and video notice in the reader's language, with its text's hash."""
        return await notices.get_notice(principal, slug, version)

    @post(
        "/consent-notices",
        operation_id="publish_consent_notice",
        summary="Publish a new notice version",
    )
    async def publish_notice(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ConsentNoticeCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.ConsentNotice:
        """Publish a new version of the notice in every language (those who organize the forum)."""
        return await notices.publish_notice(principal, slug, data)

    @get("/consent", operation_id="get_my_consent", summary="My consent")
    async def get_my_consent(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.ConsentState:
        """Your photo and video consent for the forum: the state of each use and the history."""
        return await services.my_consent(principal, slug)

    @post(
        "/consent",
        operation_id="change_my_consent",
        summary="Grant or withdraw consent",
        status_code=HTTP_200_OK,
    )
    async def change_my_consent(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ConsentChange],
        principal: NamedDependency[Principal],
    ) -> schemas.ConsentState:
        """Grant or refuse photos and videos for some or all uses; one call either way."""
        return await services.change_my_consent(principal, slug, data)

    @get("/consent/{user_id:int}", operation_id="get_consent_of", summary="A person's consent")
    async def get_consent_of(
        self, slug: FromPath[str], user_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.ConsentState:
        """One person's consent and history for the forum (those who organize it)."""
        return await services.consent_of(principal, slug, user_id)

    @post(
        "/consent/{user_id:int}",
        operation_id="record_consent_on_site",
        summary="Record a decision on site",
        status_code=HTTP_200_OK,
    )
    async def record_on_site(
        self,
        slug: FromPath[str],
        user_id: FromPath[int],
        data: JSONBody[schemas.OnSiteConsentChange],
        principal: NamedDependency[Principal],
    ) -> schemas.ConsentState:
        """Record what a person tells an organizer at the forum; the organizer is the actor."""
        return await services.record_on_site(principal, slug, user_id, data)

    @get("/consent-stats", operation_id="get_consent_statistics", summary="Consent statistics")
    async def get_statistics(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.ConsentStatistics:
        """Shares granted, refused and undecided per medium and use (those who organize it)."""
        return await stats.consent_statistics(principal, slug)

    @get(
        "/photo-list",
        operation_id="get_photo_list",
        summary="Photo list",
        media_type="application/json",
    )
    async def get_photo_list(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        request: Request[Any, Any, Any],
        format: Annotated[
            photo_list.PhotoListFormat | None,
            QueryParameter(description="json, csv or html (default: from Accept, else json)"),
        ] = None,
        sort: Annotated[
            photo_list.PhotoListOrder, QueryParameter(description="name (default) or badge")
        ] = photo_list.PhotoListOrder.NAME,
    ) -> Response[Any]:
        """Participants with badge number and consent marker, for photographers and organizers."""
        listing = await photo_list.photo_list(principal, slug, sort)
        chosen = photo_list.negotiated(format, request.accept)
        headers = {"Cache-Control": "no-store"}
        if chosen == photo_list.PhotoListFormat.CSV:
            name = photo_list.filename(listing, "csv")
            headers["Content-Disposition"] = content_disposition(name)
            return Response(
                photo_list.as_csv(listing),
                media_type=photo_list.media_type_for(chosen),
                headers=headers,
            )
        if chosen == photo_list.PhotoListFormat.HTML:
            return site_pages.html_response(photo_list.as_html(listing))
        return Response(listing, headers=headers)


class ConsentLinkController(Controller):
    path = "/consent/withdrawal"
    tags = ["consent"]

    @get(
        "",
        operation_id="preview_consent_withdrawal",
        summary="What a withdrawal link does",
        media_type="application/json",
    )
    async def preview(self, token: Token, request: Request[Any, Any, Any]) -> Response[Any]:
        """What the signed link from a mail will do; a page with its button for browsers."""
        preview = await services.withdrawal_preview(token)
        if site_pages.wants_html(request):
            return site_pages.html_response(pages.withdrawal_preview_page(preview, token))
        return Response(preview, headers={"Cache-Control": "no-store"})

    @post(
        "",
        operation_id="withdraw_consent_with_link",
        summary="Withdraw consent with a link",
        status_code=HTTP_200_OK,
        media_type="application/json",
    )
    async def withdraw(self, token: Token, request: Request[Any, Any, Any]) -> Response[Any]:
        """Withdraw all photo and video consent for the link's forum, without signing in."""
        done = await services.withdraw_with_link(token)
        if site_pages.wants_html(request):
            return site_pages.html_response(pages.withdrawal_done_page(done))
        return Response(done, headers={"Cache-Control": "no-store"})


class MyConsentHistoryController(Controller):
    path = "/me/consent-history"
    tags = ["consent"]
    guards = [requires_signed_in]

    @get("", operation_id="get_my_consent_history", summary="My consent history")
    async def get_history(self, principal: NamedDependency[Principal]) -> schemas.ConsentHistory:
        """Every photo and video decision of yours, all forums, newest first."""
        principal = as_signed_in(principal)
        return await ledger.consent_history(principal.user_id)
