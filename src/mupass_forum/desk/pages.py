"""The desk's pages: the forums one edits, and per forum an overview (see
``mupass_forum.pages`` for what pages stand on).

Every page of a forum's desk starts with ``desk_forum(principal, slug)``: a sign-in for
anonymous callers, a 404 for everyone who does not edit the forum (the desk does not tell
outsiders which forums exist), then the same service functions the API calls. Templates
extend ``desk/layout.html`` and set ``section`` to the navigation entry they belong to.
"""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from mupass_forum.accounts.authorization import authorize, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import Forbidden
from mupass_forum.forums import services as forums
from mupass_forum.forums.authorization import ForumRef, edits_forum
from mupass_forum.i18n import N_
from mupass_forum.registrations import stats
from mupass_forum.registrations.schemas import RegistrationStatus
from mupass_forum.registrations.services import SEATED, status_label

DESK = "/desk"
#: Forums the desk's start page lists at most.
LISTED = 100


def desk_path(slug: str, tail: str = "") -> str:
    """The address of a forum's desk, or of one of its pages (``tail``: ``/interest``)."""
    return f"{DESK}/forums/{slug}{tail}"


async def desk_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller edits it; 404 for everyone else signed in."""
    forum = await forums.forum_ref(slug)
    await authorize(principal, edits_forum, forum, hide=True)
    return forum


@get(DESK, guards=[requires_signed_in])
async def desk_page(principal: NamedDependency[Principal]) -> Template:
    """The forums the signed-in person edits, each leading to its desk."""
    edited = await forums.edited_forums(principal, LISTED)
    if not edited:
        raise Forbidden(
            "desk_forbidden",
            N_(
                "The desk is for the organizers of a forum and the admins of its institutes. "
                "You do not organize any forum."
            ),
        )
    return Template("desk/desk.html", context={"forums": edited})


@get(f"{DESK}/forums/{{slug:str}}", guards=[requires_signed_in])
async def overview_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """A forum's desk: its status, seats, interest and registrations at a glance."""
    await desk_forum(principal, slug)
    forum = await forums.get_forum(principal, slug)
    figures = await stats.forum_stats(principal, slug)
    return Template(
        "desk/overview.html",
        context={
            "forum": forum,
            "section": "overview",
            "figures": figures,
            "statuses": [
                (status.value, status_label(status.value).label) for status in RegistrationStatus
            ],
            "seats_taken": sum(figures.registration_totals[status] for status in SEATED),
        },
    )


PAGES = [desk_page, overview_page]
