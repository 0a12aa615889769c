"""The registrations API: interest, registering, the waiting list, decisions, statistics."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from mupass_forum.accounts.controllers import client_address
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.downloads import content_disposition, file_name
from mupass_forum.i18n import N_
from mupass_forum.pagination import Cursor, page_size
from mupass_forum.registrations import check_in as door
from mupass_forum.registrations import (
    decisions,
    desk_settings,
    exports,
    interest,
    interest_list,
    lists,
    queries,
    registering,
    schemas,
    stats,
    workshops,
)
from mupass_forum.settings import Settings

Limit = Annotated[int, page_size(200)]
RegionFilter = Annotated[str | None, QueryParameter(description="M49 region or sub-region")]
CountryFilter = Annotated[str | None, QueryParameter(description="ISO 3166-1 alpha-2")]
Search = Annotated[
    str | None,
    QueryParameter(description="words of the name, e-mail or institution, or a badge number"),
]


class InterestController(Controller):
    path = "/forums/{slug:str}/interest"
    tags = ["registrations"]

    @post(
        "",
        operation_id="express_interest",
        summary="Register interest (save the date)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def express_interest(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.InterestCreate],
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> schemas.InterestReceipt:
        """Register interest in an announced forum without an account; a link confirms it."""
        await account_service.client_throttle.hit(
            "interest", client_address(request), settings.interest_per_client_per_hour
        )
        return await interest.express_interest(slug, data, account_service.mail_throttle)

    @post(
        "/confirm",
        operation_id="confirm_interest",
        summary="Confirm interest",
        status_code=HTTP_200_OK,
    )
    async def confirm_interest(
        self, slug: FromPath[str], data: JSONBody[schemas.InterestConfirmation]
    ) -> schemas.InterestReceipt:
        """Confirm an expression of interest with the token from the mailed link."""
        return await interest.confirm_interest(slug, data.token)

    @get("", operation_id="list_interest", summary="Interest list")
    async def list_interest(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        q: Annotated[
            str | None, QueryParameter(description="words of the name, e-mail or organization")
        ] = None,
        region: RegionFilter = None,
        country: CountryFilter = None,
        wants_to_present: FromQuery[bool | None] = None,
        locale: Annotated[str | None, QueryParameter(description="the language chosen")] = None,
        invited: Annotated[
            bool | None, QueryParameter(description="whether the invitation went out")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> schemas.InterestPage:
        """People who confirmed interest, in the order they came, with who wants to present on
        what and when they were invited (organizers)."""
        given = interest_list.InterestFilter(
            q=q,
            region=region,
            country=country,
            wants_to_present=wants_to_present,
            locale=locale,
            invited=invited,
        )
        return await interest_list.list_interest(principal, slug, given, cursor, limit)

    @get(
        "/export",
        operation_id="export_interest",
        summary="Export the interest list",
        media_type="text/csv",
    )
    async def export(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        format: FromQuery[exports.ExportFormat] = exports.ExportFormat.CSV,
        region: RegionFilter = None,
        wants_to_present: FromQuery[bool | None] = None,
    ) -> Response[bytes]:
        """The interest list as CSV or XLSX for spreadsheet programs (organizers)."""
        given = interest_list.InterestFilter(region=region, wants_to_present=wants_to_present)
        return await interest_list.interest_download(principal, slug, given, format)


class RegistrationController(Controller):
    path = "/forums/{slug:str}"
    tags = ["registrations"]

    @get(
        "/registration-form",
        operation_id="get_registration_form",
        summary="What the registration form asks",
    )
    async def form(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.RegistrationForm:
        """The built-in questions the forum asks and its own questions, with their options."""
        return await desk_settings.registration_form(principal, slug)

    @post("/registrations", operation_id="register", summary="Register for a forum")
    async def register(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.RegistrationCreate],
        principal: NamedDependency[Principal],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                description="Any unique text; the same request sent again with it gets the "
                "registration it made (200) instead of a conflict",
            ),
        ] = None,
    ) -> Response[schemas.Registration]:
        """Register yourself: confirmed while seats are free, else on the waiting list."""
        registration, made = await registering.register(principal, slug, data, idempotency_key)
        return Response(registration, status_code=HTTP_201_CREATED if made else HTTP_200_OK)

    @get("/registrations/mine", operation_id="get_my_registration", summary="My registration")
    async def mine(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.Registration:
        """Your registration for the forum, with your place on the waiting list."""
        return await registering.my_registration(principal, slug)

    @patch(
        "/registrations/mine",
        operation_id="update_my_registration",
        summary="Change my registration",
    )
    async def update_mine(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.RegistrationUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.Registration:
        """Change your dates, needs and languages; the status stays as it is."""
        return await registering.update_my_registration(principal, slug, data)

    @post(
        "/registrations/mine/cancel",
        operation_id="cancel_my_registration",
        summary="Cancel my registration",
        status_code=HTTP_200_OK,
    )
    async def cancel_mine(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.Cancellation],
        principal: NamedDependency[Principal],
    ) -> schemas.Registration:
        """Cancel your registration; your seat goes to the next person waiting."""
        return await decisions.cancel_my_registration(principal, slug, data)

    @get("/registrations", operation_id="list_registrations", summary="Registrations")
    async def list_registrations(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        status: FromQuery[schemas.RegistrationStatus | None] = None,
        region: RegionFilter = None,
        country: CountryFilter = None,
        needs_visa_letter: FromQuery[bool | None] = None,
        travel_support_requested: FromQuery[bool | None] = None,
        q: Search = None,
        need: FromQuery[schemas.RegistrationNeed | None] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> schemas.RegistrationPage:
        """A forum's registrations in the order they came in (organizers)."""
        given = queries.RegistrationFilter(
            status=status,
            region=region,
            country=country,
            needs_visa_letter=needs_visa_letter,
            travel_support_requested=travel_support_requested,
            q=q,
            need=need,
        )
        return await lists.list_registrations(principal, slug, given, cursor, limit)

    @get(
        "/registrations/export",
        operation_id="export_registrations",
        summary="Export registrations",
        media_type="text/csv",
    )
    async def export(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        format: FromQuery[exports.ExportFormat] = exports.ExportFormat.CSV,
        status: FromQuery[schemas.RegistrationStatus | None] = None,
        region: RegionFilter = None,
        country: CountryFilter = None,
        q: Search = None,
        need: FromQuery[schemas.RegistrationNeed | None] = None,
    ) -> Response[bytes]:
        """Registrations as CSV or XLSX for spreadsheet programs (organizers)."""
        given = queries.RegistrationFilter(
            status=status, region=region, country=country, q=q, need=need
        )
        return await exports.registrations_download(principal, slug, given, format)

    @get(
        "/registrations/{registration_id:int}",
        operation_id="get_registration",
        summary="A registration",
    )
    async def get_registration(
        self,
        slug: FromPath[str],
        registration_id: FromPath[int],
        principal: NamedDependency[Principal],
    ) -> schemas.Registration:
        """One registration of the forum (organizers)."""
        return await lists.registration(principal, slug, registration_id)

    @get(
        "/registrations/{registration_id:int}/history",
        operation_id="get_registration_history",
        summary="Status history",
    )
    async def get_history(
        self,
        slug: FromPath[str],
        registration_id: FromPath[int],
        principal: NamedDependency[Principal],
    ) -> list[schemas.StatusChange]:
        """Who changed a registration's status, when, from what to what and why (organizers)."""
        return await lists.history(principal, slug, registration_id)

    @post(
        "/registrations/{registration_id:int}/decision",
        operation_id="decide_registration",
        summary="Approve, decline, cancel or check in",
        status_code=HTTP_200_OK,
    )
    async def decide(
        self,
        slug: FromPath[str],
        registration_id: FromPath[int],
        data: JSONBody[schemas.Decision],
        principal: NamedDependency[Principal],
    ) -> schemas.Registration:
        """Approve, decline, cancel or check in a registration; the participant is mailed."""
        return await decisions.decide(principal, slug, registration_id, data)

    @get("/waiting-list", operation_id="get_waiting_list", summary="Waiting list")
    async def waiting_list(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> schemas.RegistrationPage:
        """The waiting list in order, position 1 first (organizers)."""
        return await lists.waiting_list(principal, slug, cursor, limit)

    @get(
        "/registration-settings",
        operation_id="get_registration_settings",
        summary="Registration settings",
    )
    async def get_settings(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.RegistrationSettings:
        """Approval, regional balance and target shares of a forum (organizers)."""
        return await desk_settings.registration_settings(principal, slug)

    @put(
        "/registration-settings",
        operation_id="update_registration_settings",
        summary="Change registration settings",
    )
    async def update_settings(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.RegistrationSettingsUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.RegistrationSettings:
        """Require approval, switch regional balance on or off, set target shares by region."""
        return await desk_settings.update_registration_settings(principal, slug, data)

    @get(
        "/stats",
        operation_id="get_forum_stats",
        summary="Regional statistics",
        media_type="application/json",
        # The JSON form is the one to describe; CSV and SVG carry the same figures.
        responses={200: ResponseSpec(data_container=schemas.Stats, description="The figures")},
    )
    async def get_stats(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        format: FromQuery[stats.StatsFormat] = stats.StatsFormat.JSON,
    ) -> Response[bytes]:
        """Interest and registrations by region, country and group, next to the targets:
        JSON, CSV or an SVG bar chart, labelled in the reader's language (organizers)."""
        figures = await stats.forum_stats(principal, slug)
        body, media_type = stats.render(figures, format)
        headers = {}
        if format != stats.StatsFormat.JSON:
            headers["Content-Disposition"] = content_disposition(
                # i18n: A file name (lower case, words joined by hyphens, no spaces).
                file_name(N_("{forum}-statistics"), format.value, forum=figures.forum),
                download=False,
            )
        return Response(body, media_type=media_type, headers=headers)


class DoorController(Controller):
    path = "/forums/{slug:str}/door"
    tags = ["registrations"]

    @get("", operation_id="search_door", summary="Find people at the door")
    async def search(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        q: Annotated[
            str, QueryParameter(description="A badge number, or the start of a name's words")
        ] = "",
    ) -> door.DoorSearch:
        """People holding a seat found by badge number or name, with the running count
        (organizers)."""
        return await door.door_search(principal, slug, q)

    @post(
        "/{registration_id:int}/check-in",
        operation_id="check_in",
        summary="Check in",
        status_code=HTTP_200_OK,
    )
    async def check_in(
        self,
        slug: FromPath[str],
        registration_id: FromPath[int],
        principal: NamedDependency[Principal],
    ) -> door.DoorCheckIn:
        """Check a person in, from the day before the forum to its last day (organizers)."""
        return await door.check_in(principal, slug, registration_id)

    @delete(
        "/{registration_id:int}/check-in",
        operation_id="undo_check_in",
        summary="Take a check-in back",
        status_code=HTTP_200_OK,
    )
    async def undo_check_in(
        self,
        slug: FromPath[str],
        registration_id: FromPath[int],
        principal: NamedDependency[Principal],
    ) -> door.DoorCheckIn:
        """Take a check-in back; the person holds a confirmed seat again (organizers)."""
        return await door.undo_check_in(principal, slug, registration_id)


class WorkshopController(Controller):
    path = "/forums/{slug:str}/workshops"
    tags = ["registrations"]

    @get("", operation_id="list_workshops", summary="Workshops")
    async def list_workshops(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> list[schemas.Workshop]:
        """The forum's break-out workshops with places left and whether you have one."""
        return await workshops.list_workshops(principal, slug)

    @post("/{item_id:int}/sign-up", operation_id="sign_up_for_workshop", summary="Sign up")
    async def sign_up(
        self, slug: FromPath[str], item_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.Workshop:
        """Take a place in a workshop (participants with a seat; never two at the same time)."""
        return await workshops.sign_up(principal, slug, item_id)

    @delete("/{item_id:int}/sign-up", operation_id="leave_workshop", summary="Give back a place")
    async def leave(
        self, slug: FromPath[str], item_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> None:
        """Give back your place in a workshop; it is free for the next person who asks."""
        await workshops.leave(principal, slug, item_id)

    @get(
        "/{item_id:int}/sign-ups",
        operation_id="list_workshop_sign_ups",
        summary="Workshop participants",
    )
    async def sign_ups(
        self,
        slug: FromPath[str],
        item_id: FromPath[int],
        principal: NamedDependency[Principal],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> schemas.WorkshopParticipantPage:
        """Who holds a place in a workshop, in the order they signed up (organizers)."""
        return await workshops.workshop_participants(principal, slug, item_id, cursor, limit)
