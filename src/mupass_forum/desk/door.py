"""The door: a check-in page for a phone or tablet at the entrance (see ``mupass_forum.pages``).

Typing a name or badge number and sending the form finds people; each person has one button
that checks them in or takes the check-in back. Without scripts every tap is a small form post
answered with a redirect back to the same search; ``static/door.js`` sends the same forms in the
background (answered with the API's JSON) and searches while one types, and scans a badge's code
with the camera where the browser can.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.forums import queries as forum_queries
from mupass_forum.i18n import N_, gettext, ngettext
from mupass_forum.registrations import check_in as door

CHECK_IN = N_("Check in")
UNDO = N_("Undo check-in")


def count_text(count: door.DoorCount) -> str:
    # i18n: The running count at the door: {n} people checked in, {expected} holding a seat.
    return ngettext(
        "{n} of {expected} checked in",
        "{n} of {expected} checked in",
        count.checked_in,
        expected=count.expected,
    )


def door_path(slug: str, query: str = "") -> str:
    tail = f"?{urlencode({'q': query})}" if query else ""
    return f"/desk/forums/{slug}/door{tail}"


@get("/desk/forums/{slug:str}/door", guards=[requires_signed_in])
async def door_page(
    slug: FromPath[str], principal: NamedDependency[Principal], q: FromQuery[str] = ""
) -> Template:
    """Find people by name or badge number; check them in with one tap; the running count."""
    found = await door.door_search(principal, slug, q)
    forum = await forum_queries.get_forum(principal, slug)
    return Template(
        "desk/door/door.html",
        context={
            "forum": forum,
            "section": "door",
            "found": found,
            "here": door_path(slug),
            "count_text": count_text(found.count),
        },
    )


async def _answer(
    request: Request[Any, Any, Any], slug: str, done: door.DoorCheckIn
) -> Response[Any] | Redirect:
    """The script asks for JSON (the entry and the count); a browser goes back to its search."""
    if request.headers.get("accept", "").startswith("application/json"):
        checked_in = done.entry.checked_in
        tail = "undo" if checked_in else "check-in"
        return Response(
            {
                "checked_in": checked_in,
                "state": done.entry.status.label,
                "action": f"/desk/forums/{slug}/door/{done.entry.registration_id}/{tail}",
                "button": gettext(UNDO if checked_in else CHECK_IN),
                "count_text": count_text(done.count),
                "entry": done.entry,
                "count": done.count,
            }
        )
    form = await request.form()
    return pages.redirect(door_path(slug, str(form.get("q", ""))))


@post("/desk/forums/{slug:str}/door/{registration_id:int}/check-in", guards=[requires_signed_in])
async def checked_in(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    registration_id: FromPath[int],
    principal: NamedDependency[Principal],
) -> Response[Any] | Redirect:
    """Check a person in."""
    return await _answer(request, slug, await door.check_in(principal, slug, registration_id))


@post("/desk/forums/{slug:str}/door/{registration_id:int}/undo", guards=[requires_signed_in])
async def check_in_undone(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    registration_id: FromPath[int],
    principal: NamedDependency[Principal],
) -> Response[Any] | Redirect:
    """Take a check-in back."""
    return await _answer(request, slug, await door.undo_check_in(principal, slug, registration_id))


PAGES = [door_page, checked_in, check_in_undone]
