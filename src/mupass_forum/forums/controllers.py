"""The forums API: series, forums and their lifecycle, forum roles, programme, calendar."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from mupass_forum.accounts.principal import Principal
from mupass_forum.downloads import content_disposition
from mupass_forum.forums import calendar, programme, schemas
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums import roles as forum_roles
from mupass_forum.forums import series as forum_series
from mupass_forum.forums import services as forum_services
from mupass_forum.pagination import Cursor, page_size
from mupass_forum.settings import Settings


class SeriesController(Controller):
    path = "/forum-series"
    tags = ["forums"]

    @get("", operation_id="list_forum_series", summary="Forum series")
    async def list_series(self) -> list[schemas.Series]:
        """Every series of forums, such as the annual MUPASS Dialogue Forum."""
        return await forum_series.list_series()

    @post("", operation_id="create_forum_series", summary="Start a series")
    async def create_series(
        self, data: JSONBody[schemas.SeriesCreate], principal: NamedDependency[Principal]
    ) -> schemas.Series:
        """Start a series of forums (organization admins and platform admins)."""
        return await forum_series.create_series(principal, data)


class ForumController(Controller):
    path = "/forums"
    tags = ["forums"]

    @get("", operation_id="list_forums", summary="Forums")
    async def list_forums(
        self,
        principal: NamedDependency[Principal],
        status: FromQuery[schemas.ForumStatus | None] = None,
        series: Annotated[str | None, QueryParameter(description="slug of a series")] = None,
        year: Annotated[int | None, QueryParameter(description="edition")] = None,
        when: FromQuery[schemas.When | None] = None,
        country: Annotated[
            str | None, QueryParameter(description="ISO 3166-1 alpha-2 of the venue")
        ] = None,
        cursor: Cursor = None,
        limit: Annotated[int, page_size(100)] = 20,
    ) -> schemas.ForumPage:
        """Forums you may see, soonest first (for ``when=past`` the most recent first)."""
        filters = forum_queries.ForumFilters(
            status=status, series=series, year=year, when=when, country=country
        )
        return await forum_queries.list_forums(principal, filters, cursor, limit)

    @post("", operation_id="create_forum", summary="Create a forum")
    async def create_forum(
        self, data: JSONBody[schemas.ForumCreate], principal: NamedDependency[Principal]
    ) -> schemas.Forum:
        """Create a forum as a draft (admins of its lead organization, platform admins)."""
        return await forum_services.create_forum(principal, data)

    @get("/{slug:str}", operation_id="get_forum", summary="A forum")
    async def get_forum(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.Forum:
        """One forum in the reader's language; drafts only for those who edit them."""
        return await forum_queries.get_forum(principal, slug)

    @patch("/{slug:str}", operation_id="update_forum", summary="Change a forum")
    async def update_forum(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ForumUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.Forum:
        """Change a forum (its organizers, admins of its organizations, platform admins)."""
        return await forum_services.update_forum(principal, slug, data)

    @post(
        "/{slug:str}/status",
        operation_id="change_forum_status",
        summary="Move a forum along its lifecycle",
        status_code=HTTP_200_OK,
    )
    async def change_status(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.StatusChange],
        principal: NamedDependency[Principal],
    ) -> schemas.Forum:
        """Announce, open or close registration, mark as held, archive or cancel a forum."""
        return await forum_services.change_status(principal, slug, data.status)

    @get("/{slug:str}/roles", operation_id="list_forum_roles", summary="Forum roles")
    async def list_roles(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> list[schemas.ForumRoleGrant]:
        """Organizers, moderators and photographers of a forum (for those who edit it)."""
        return await forum_roles.list_roles(principal, slug)

    @post("/{slug:str}/roles", operation_id="grant_forum_role", summary="Give a forum role")
    async def grant_role(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ForumRoleCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.ForumRoleGrant:
        """Make someone organizer, moderator or photographer of a forum."""
        return await forum_roles.grant_role(principal, slug, data)

    @delete(
        "/{slug:str}/roles/{user_id:int}/{role:str}",
        operation_id="revoke_forum_role",
        summary="Take a forum role back",
    )
    async def revoke_role(
        self,
        slug: FromPath[str],
        user_id: FromPath[int],
        role: FromPath[schemas.ForumRoleName],
        principal: NamedDependency[Principal],
    ) -> None:
        """Take one forum role back from someone."""
        await forum_roles.revoke_role(principal, slug, user_id, role)

    @get("/{slug:str}/programme", operation_id="get_programme", summary="Programme")
    async def get_programme(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.Programme:
        """The programme by day, with dates and times for the reader, in the forum's zone."""
        return await programme.get_programme(principal, slug)

    @post("/{slug:str}/programme", operation_id="create_programme_item", summary="Add to programme")
    async def create_item(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ProgrammeItemCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.ProgrammeItem:
        """Add a plenary, panel, workshop, break or other item to the programme."""
        return await programme.create_item(principal, slug, data)

    @patch(
        "/{slug:str}/programme/{item_id:int}",
        operation_id="update_programme_item",
        summary="Change a programme item",
    )
    async def update_item(
        self,
        slug: FromPath[str],
        item_id: FromPath[int],
        data: JSONBody[schemas.ProgrammeItemUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.ProgrammeItem:
        """Change a programme item; its times must stay within the forum's dates."""
        return await programme.update_item(principal, slug, item_id, data)

    @delete(
        "/{slug:str}/programme/{item_id:int}",
        operation_id="delete_programme_item",
        summary="Remove a programme item",
    )
    async def delete_item(
        self, slug: FromPath[str], item_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> None:
        """Remove an item from the programme."""
        await programme.delete_item(principal, slug, item_id)

    @get(
        "/{slug:str}/calendar.ics",
        operation_id="get_forum_calendar",
        summary="Calendar file",
        media_type=calendar.MEDIA_TYPE,
    )
    async def get_calendar(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """The forum and its programme as iCalendar (RFC 5545), titles in the reader's language."""
        body = await calendar.forum_calendar(principal, slug, settings.base_url)
        return Response(
            body,
            media_type=calendar.MEDIA_TYPE,
            headers={"Content-Disposition": content_disposition(f"{slug}.ics")},
        )
