"""The photo list on the desk: one page that prints on A4 portrait and reads on a phone.

The data is the consent domain's photo list (``consent.photo_list``), built on every request.
Markers show in colour and as words, so that a black-and-white print still says who may be
photographed; ``static/photos.css`` holds the print rules and turns the table into cards on a
narrow screen. The forum's photographers and those who run it see it; to everyone else the page
does not exist.
"""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.consent import photo_list
from mupass_forum.errors import Forbidden, NotFound
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums.authorization import edits_forum


@get("/desk/forums/{slug:str}/photos", guards=[requires_signed_in])
async def photos_page(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    sort: FromQuery[photo_list.PhotoListOrder] = photo_list.PhotoListOrder.NAME,
) -> Template:
    """Who may be photographed or filmed, by name or badge number; printable."""
    try:
        listing = await photo_list.photo_list(principal, slug, sort)
    except Forbidden as exc:
        raise NotFound() from exc
    context: dict[str, Any] = {
        "listing": listing,
        "sort": sort.value,
        "here": f"/desk/forums/{slug}/photos",
        "columns": photo_list.COLUMNS,
    }
    # Those who run the forum get the desk's navigation; a photographer, the list alone.
    if await edits_forum(principal, await forum_queries.forum_ref(slug)):
        context.update(forum=await forum_queries.get_forum(principal, slug), section="photos")
    return Template("desk/photos/photos.html", context=context)


PAGES = [photos_page]
