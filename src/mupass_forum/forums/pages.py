"""The forums' pages: the list of forums and a forum's page with its programme (see
``mupass_forum.pages``)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from mupass_forum.accounts.principal import Principal
from mupass_forum.forums import programme, schemas
from mupass_forum.forums import queries as forum_queries
from mupass_forum.i18n import current_timezone, format_timezone

#: Forums a page lists at most per group (upcoming, past); the service pages the rest.
LISTED = 50


def forum_path(slug: str, tail: str = "") -> str:
    """The address of a forum's page, or of one of its pages (``tail``: ``/registration``)."""
    return f"/forums/{slug}{tail}"


@get("/forums")
async def forum_list_page(principal: NamedDependency[Principal]) -> Template:
    """The forums: upcoming ones first, soonest first; then past ones, latest first."""
    upcoming = await forum_queries.list_forums(
        principal, forum_queries.ForumFilters(when=schemas.When.UPCOMING), None, LISTED
    )
    past = await forum_queries.list_forums(
        principal, forum_queries.ForumFilters(when=schemas.When.PAST), None, LISTED
    )
    return Template("forums/list.html", context={"upcoming": upcoming.items, "past": past.items})


@get("/forums/{slug:str}")
async def forum_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """A forum, what one can do now, and its programme by day in the reader's time zone."""
    forum = await forum_queries.get_forum(principal, slug)
    days = (await programme.get_programme(principal, slug, current_timezone())).days
    zone_name = format_timezone(days[0].items[0].starts_at) if days else ""
    return Template(
        "forums/forum.html",
        context={
            "forum": forum,
            "days": days,
            "zone_name": zone_name,
            "status": schemas.ForumStatus,
        },
    )


PAGES = [forum_list_page, forum_page]
