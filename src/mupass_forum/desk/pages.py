"""The desk's pages: the forums one edits, and per forum an overview (see
``mupass_forum.pages`` for what pages stand on).

Every page of a forum's desk starts with ``desk_forum(principal, slug)``: a sign-in for
anonymous callers, a 404 for everyone who does not edit the forum (the desk does not tell
outsiders which forums exist), then the same service functions the API calls. Templates
extend ``desk/layout.html`` and set ``section`` to the navigation entry they belong to.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages, regions
from mupass_forum.accounts.authorization import authorize, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import Conflict, Forbidden, NotFound
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums import services as forum_services
from mupass_forum.forums import terms as forum_terms
from mupass_forum.forums.authorization import ForumRef, edits_forum
from mupass_forum.forums.schemas import Forum, ForumStatus
from mupass_forum.i18n import N_, gettext
from mupass_forum.i18n.collation import sort_key
from mupass_forum.pages import language_choices
from mupass_forum.registrations import desk_settings, interest_list, lists, stats
from mupass_forum.registrations.exports import ExportFormat
from mupass_forum.registrations.schemas import BalanceRow, RegistrationStatus
from mupass_forum.registrations.status import SEATED, status_label

DESK = "/desk"
#: Forums the desk's start page lists at most.
LISTED = 100


def desk_path(slug: str, tail: str = "") -> str:
    """The address of a forum's desk, or of one of its pages (``tail``: ``/interest``)."""
    return f"{DESK}/forums/{slug}{tail}"


async def desk_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller edits it; 404 for everyone else signed in."""
    forum = await forum_queries.forum_ref(slug)
    await authorize(principal, edits_forum, forum, hide=True)
    return forum


async def desk_forum_shown(principal: Principal, slug: str) -> Forum:
    """The forum with its texts for a desk page, once ``desk_forum`` let the caller in."""
    await desk_forum(principal, slug)
    return await forum_queries.get_forum(principal, slug)


def creates_forums(principal: Principal) -> bool:
    """Whether the caller may create a forum for some organization (``creates_forum_for``)."""
    return principal.is_platform_admin or "admin" in principal.organization_roles.values()


async def desk_forums(principal: Principal) -> list[Forum]:
    """The forums the caller edits; the desk refuses (403) whoever edits none and may create
    none."""
    edited = await forum_queries.edited_forums(principal, LISTED)
    if not edited and not creates_forums(principal):
        raise Forbidden(
            "desk_forbidden",
            N_(
                "The desk is for the organizers of a forum and the admins of its institutes. "
                "You do not organize any forum."
            ),
        )
    return edited


@get(DESK, guards=[requires_signed_in])
async def desk_page(principal: NamedDependency[Principal]) -> Template:
    """The forums the signed-in person edits, each leading to its desk, and a new forum's
    form for the institutes' admins."""
    edited = await desk_forums(principal)
    return Template(
        "desk/desk.html",
        context={"forums": edited, "creates_forums": creates_forums(principal)},
    )


#: The button that moves a forum to each status, in the order the buttons stand.
STATUS_MOVES = {
    ForumStatus.ANNOUNCED: N_("Announce the forum"),
    ForumStatus.REGISTRATION_OPEN: N_("Open registration"),
    ForumStatus.REGISTRATION_CLOSED: N_("Close registration"),
    ForumStatus.HELD: N_("Mark the forum as held"),
    ForumStatus.ARCHIVED: N_("Archive the forum"),
    ForumStatus.CANCELLED: N_("Cancel the forum"),
}

#: What a move does besides changing the status, said before it is confirmed.
MOVE_CONSEQUENCES = {
    ForumStatus.REGISTRATION_OPEN: N_(
        "Everyone who confirmed their interest and has not been invited yet is mailed an "
        "invitation to register."
    ),
    ForumStatus.REGISTRATION_CLOSED: N_("Nobody can register any more until you reopen it."),
    ForumStatus.CANCELLED: N_(
        "Every registration is cancelled and everyone registered or interested is told by mail. "
        "This cannot be undone."
    ),
}


def status_moves(forum: ForumRef) -> list[tuple[str, str]]:
    """The statuses the forum may move to, each with its button's label."""
    allowed = forum_terms.TRANSITIONS[forum.status]
    return [
        (target.value, gettext(label))
        for target, label in STATUS_MOVES.items()
        if target in allowed
    ]


@get(f"{DESK}/forums/{{slug:str}}", guards=[requires_signed_in])
async def overview_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """A forum's desk: its status, seats, interest and registrations at a glance."""
    ref = await desk_forum(principal, slug)
    forum = await forum_queries.get_forum(principal, slug)
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
            "moves": status_moves(ref),
        },
    )


async def _status_page(
    principal: Principal,
    slug: str,
    target: ForumStatus,
    errors: pages.FormErrors = pages.NO_ERRORS,
    status_code: int = 200,
) -> Template:
    ref = await desk_forum(principal, slug)
    if target not in STATUS_MOVES:
        raise NotFound()
    consequence = MOVE_CONSEQUENCES.get(target)
    return Template(
        "desk/status.html",
        context={
            "forum": await forum_queries.get_forum(principal, slug),
            "section": "overview",
            "target": target.value,
            "target_label": gettext(forum_terms.STATUS_LABELS[target]),
            "button": gettext(STATUS_MOVES[target]),
            "consequence": gettext(consequence) if consequence else "",
            "allowed": target in forum_terms.TRANSITIONS[ref.status],
            "errors": errors,
        },
        status_code=status_code,
    )


@get(f"{DESK}/forums/{{slug:str}}/status", guards=[requires_signed_in])
async def status_page(
    slug: FromPath[str], principal: NamedDependency[Principal], to: FromQuery[ForumStatus]
) -> Template:
    """Confirm a move of the forum's status: what it does, one button that does it."""
    return await _status_page(principal, slug, to)


@post(f"{DESK}/forums/{{slug:str}}/status", guards=[requires_signed_in])
async def status_moved(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Move the forum's status, as the API does; back to the overview."""
    await desk_forum(principal, slug)
    form = await request.form()
    try:
        target = ForumStatus(str(form.get("status", "")))
    except ValueError as exc:
        raise NotFound() from exc
    try:
        await forum_services.change_status(principal, slug, target)
    except Conflict as error:
        return await _status_page(principal, slug, target, pages.FormErrors.of(error), 409)
    return pages.redirect(desk_path(slug))


def region_choices() -> list[tuple[str, str]]:
    """M49 regions in the reader's language, each followed by its sub-regions (indented)."""
    entries = regions.table().regions.values()
    by_name = sorted(entries, key=lambda entry: sort_key(regions.name(entry.code)))
    choices: list[tuple[str, str]] = []
    for region in (entry for entry in by_name if entry.level == "region"):
        choices.append((region.code, regions.name(region.code)))
        choices += [
            (entry.code, f"– {regions.name(entry.code)}")
            for entry in by_name
            if entry.level == "sub_region" and entry.parent == region.code
        ]
    return choices


def yes_or_no(value: str) -> bool | None:
    """A filter's choice "true" or "false"; anything else (the empty "all") is no filter."""
    return {"true": True, "false": False}.get(value)


def query_string(**values: object) -> str:
    """``?name=value&…`` of the values given (None and "" left out), for the desk's links."""
    given = [(name, str(value)) for name, value in values.items() if value not in (None, "")]
    return f"?{urlencode(given)}" if given else ""


# Interest ------------------------------------------------------------------------------------


@get(f"{DESK}/forums/{{slug:str}}/interest", guards=[requires_signed_in])
async def interest_page(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    q: FromQuery[str] = "",
    region: FromQuery[str] = "",
    wants_to_present: FromQuery[str] = "",
    locale: FromQuery[str] = "",
    invited: FromQuery[str] = "",
    cursor: FromQuery[str | None] = None,
) -> Template:
    """Who confirmed interest, who wants to present on what, who was invited and when."""
    forum = await desk_forum_shown(principal, slug)
    given = interest_list.InterestFilter(
        q=q or None,
        region=region or None,
        wants_to_present=yes_or_no(wants_to_present),
        locale=locale or None,
        invited=yes_or_no(invited),
    )
    found = await interest_list.list_interest(principal, slug, given, cursor, LISTED)
    filters = {
        "q": q,
        "region": region,
        "wants_to_present": wants_to_present,
        "locale": locale,
        "invited": invited,
    }
    return Template(
        "desk/interest.html",
        context={
            "forum": forum,
            "section": "interest",
            "entries": found.items,
            "filters": filters,
            "next_page": query_string(**filters, cursor=found.next_cursor)
            if found.next_cursor
            else None,
            "export": {
                form.value: query_string(
                    format=form.value, region=region, wants_to_present=wants_to_present
                )
                for form in ExportFormat
            },
            "regions": region_choices(),
            "locales": language_choices(),
        },
    )


@get(f"{DESK}/forums/{{slug:str}}/interest/export", guards=[requires_signed_in])
async def interest_export(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    format: FromQuery[ExportFormat] = ExportFormat.CSV,
    region: FromQuery[str] = "",
    wants_to_present: FromQuery[str] = "",
) -> Response[bytes]:
    """The interest list as a CSV or XLSX download, as the API gives it."""
    await desk_forum(principal, slug)
    given = interest_list.InterestFilter(
        region=region or None, wants_to_present=yes_or_no(wants_to_present)
    )
    return await interest_list.interest_download(principal, slug, given, format)


# Regional balance and the waiting list --------------------------------------------------------


def area_of(balance: list[BalanceRow], region: str | None, sub_region: str | None) -> BalanceRow:
    """The balance's row a person counts in: their sub-region's, their region's, or the rest."""
    by_key = {row.key: row for row in balance}
    for key in (sub_region, region):
        if key is not None and key in by_key:
            return by_key[key]
    return by_key.get(None) or balance[-1]


@get(f"{DESK}/forums/{{slug:str}}/balance", guards=[requires_signed_in])
async def balance_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """The regional balance: the chart, and per area its target, seats, waiting and interest."""
    forum = await desk_forum_shown(principal, slug)
    figures = await stats.forum_stats(principal, slug)
    return Template(
        "desk/balance.html",
        context={"forum": forum, "section": "balance", "balance": figures.balance},
    )


#: The balance's files by name: the chart and the figures.
BALANCE_FILES = {"chart.svg": stats.StatsFormat.SVG, "figures.csv": stats.StatsFormat.CSV}


@get(f"{DESK}/forums/{{slug:str}}/balance/{{name:str}}", guards=[requires_signed_in])
async def balance_file(
    slug: FromPath[str], name: FromPath[str], principal: NamedDependency[Principal]
) -> Response[bytes]:
    """The chart (``chart.svg``) or the figures (``figures.csv``), as the API gives them."""
    await desk_forum(principal, slug)
    if name not in BALANCE_FILES:
        raise NotFound()
    figures = await stats.forum_stats(principal, slug)
    body, media_type = stats.render(figures, BALANCE_FILES[name])
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})


@get(f"{DESK}/forums/{{slug:str}}/waiting-list", guards=[requires_signed_in])
async def waiting_list_page(
    slug: FromPath[str], principal: NamedDependency[Principal], cursor: FromQuery[str | None] = None
) -> Template:
    """The waiting list in order, each person with the area they count in and its gap."""
    forum = await desk_forum_shown(principal, slug)
    waiting = await lists.waiting_list(principal, slug, cursor, LISTED)
    figures = await stats.forum_stats(principal, slug)
    settings = await desk_settings.registration_settings(principal, slug)
    return Template(
        "desk/waiting_list.html",
        context={
            "forum": forum,
            "section": "waiting_list",
            "entries": [
                (item, area_of(figures.balance, item.person.region, item.person.sub_region))
                for item in waiting.items
            ],
            "regional_balance": settings.regional_balance,
            "next_page": query_string(cursor=waiting.next_cursor) if waiting.next_cursor else None,
        },
    )


PAGES = [
    desk_page,
    overview_page,
    status_page,
    status_moved,
    interest_page,
    interest_export,
    balance_page,
    balance_file,
    waiting_list_page,
]
