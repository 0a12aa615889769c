"""The desk's programme pages: the items by day and the workshops with their places, and one
form to add, change or delete an item, its texts in every language side by side. Times are
typed and shown in the forum's time zone (see ``desk.forums`` for how forms are read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.desk.forums import (
    Form,
    codes,
    form_errors,
    local_time,
    optional,
    text_fields,
    text_map,
    time_field,
    translated,
)
from mupass_forum.desk.pages import DESK, desk_forum, desk_forum_shown, desk_path
from mupass_forum.errors import InvalidInput
from mupass_forum.forums import programme, schemas
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums import terms as forum_terms
from mupass_forum.registrations import workshops

ITEM = f"{DESK}/forums/{{slug:str}}/programme/{{item_id:int}}"
#: Where a saved or deleted item leads back to: the programme, or the workshops.
BACK = {"programme": "/programme", "workshops": "/workshops"}


def speaker_lines(speakers: list[schemas.Speaker]) -> str:
    """The speakers typed on the page (one a line, "name, organization"); those a proposal
    brought are kept by the service and not typed."""
    return "\n".join(
        ", ".join(part for part in (speaker.name, speaker.organization) if part)
        for speaker in speakers
        if speaker.proposal_id is None
    )


def item_input(form: Form) -> dict[str, Any]:
    """The item form as the body of ``POST`` or ``PATCH /forums/{slug}/programme``."""
    speakers = []
    for line in str(form.get("speakers", "")).splitlines():
        name, _, organization = line.partition(",")
        if name.strip():
            speakers.append({"name": name.strip(), "organization": organization.strip()})
    return {
        "kind": form.get("kind", ""),
        "title": text_map(form, "title"),
        "description": text_map(form, "description"),
        "starts_at": local_time(str(form.get("starts_at", ""))),
        "ends_at": local_time(str(form.get("ends_at", ""))),
        "room": form.get("room", ""),
        "track": form.get("track", ""),
        "capacity": optional(str(form.get("capacity", ""))),
        "speakers": speakers,
        "language": optional(str(form.get("language", ""))),
        "interpretation": codes(str(form.get("interpretation", ""))),
    }


def item_fields(item: schemas.ProgrammeItem, texts: dict[str, Any]) -> dict[str, str]:
    return {
        "kind": item.kind.value,
        "starts_at": time_field(item.starts_at),
        "ends_at": time_field(item.ends_at),
        "room": item.room,
        "track": item.track,
        "capacity": "" if item.capacity is None else str(item.capacity),
        "speakers": speaker_lines(item.speakers),
        "language": item.language.code if item.language else "",
        "interpretation": " ".join(language.code for language in item.interpretation),
        **text_fields("title", texts["title"]),
        **text_fields("description", texts["description"]),
    }


def back_to(value: str) -> str:
    return value if value in BACK else "programme"


async def _item_form(
    principal: Principal,
    slug: str,
    values: dict[str, Any],
    item: schemas.ProgrammeItem | None = None,
    errors: pages.FormErrors = pages.NO_ERRORS,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    back = back_to(str(values.get("back", "")))
    return Template(
        "desk/forums/item_form.html",
        context={
            "forum": forum,
            "section": back,
            "item": item,
            "here": desk_path(slug, f"/programme/{item.id}" if item else "/programme/new"),
            "back": back,
            "values": values,
            "errors": errors,
            "kinds": translated(forum_terms.PROGRAMME_KIND_LABELS),
            "locales": pages.language_choices(),
            "linked_speakers": [s for s in item.speakers if s.proposal_id] if item else [],
        },
        status_code=400 if errors else 200,
    )


async def _section_page(
    principal: Principal,
    slug: str,
    section: str,
    load: Callable[[Principal, str], Awaitable[object]],
) -> Template:
    """The page of one desk section that lists the forum's ``section``: its template, its entry
    in the navigation and its list are all named after it; read once the forum is the caller's."""
    forum = await desk_forum_shown(principal, slug)
    listed = await load(principal, slug)
    return Template(
        f"desk/forums/{section}.html", context={"forum": forum, "section": section, section: listed}
    )


@get(f"{DESK}/forums/{{slug:str}}/programme", guards=[requires_signed_in])
async def programme_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """The programme by day in the forum's time zone, each item with its missing languages."""
    return await _section_page(principal, slug, "programme", programme.get_programme)


@get(f"{DESK}/forums/{{slug:str}}/workshops", guards=[requires_signed_in])
async def workshops_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """The workshops and break-out sessions with their places taken and left."""
    return await _section_page(principal, slug, "workshops", workshops.list_workshops)


@get(f"{DESK}/forums/{{slug:str}}/programme/new", guards=[requires_signed_in])
async def new_item_page(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    kind: FromQuery[str] = schemas.ProgrammeItemKind.PLENARY.value,
    back: FromQuery[str] = "programme",
) -> Template:
    """A new programme item's form, starting at the forum's start."""
    forum = await desk_forum(principal, slug)
    start = time_field(forum.starts_at.astimezone(ZoneInfo(forum.timezone)))
    values = {"kind": kind, "starts_at": start, "ends_at": start, "back": back}
    return await _item_form(principal, slug, values)


@post(f"{DESK}/forums/{{slug:str}}/programme/new", guards=[requires_signed_in])
async def item_created(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Add the item to the programme."""
    await desk_forum(principal, slug)
    form = await request.form()
    try:
        data = pages.form_struct(item_input(form), schemas.ProgrammeItemCreate)
        await programme.create_item(principal, slug, data)
    except InvalidInput as error:
        return await _item_form(principal, slug, dict(form), errors=form_errors(error))
    return pages.redirect(desk_path(slug, BACK[back_to(str(form.get("back", "")))]))


@get(ITEM, guards=[requires_signed_in])
async def item_page(
    slug: FromPath[str],
    item_id: FromPath[int],
    principal: NamedDependency[Principal],
    back: FromQuery[str] = "programme",
) -> Template:
    """A programme item's form, its texts in every language side by side."""
    await desk_forum(principal, slug)
    item, texts = await programme.item_texts(principal, slug, item_id)
    return await _item_form(principal, slug, {**item_fields(item, texts), "back": back}, item)


@post(ITEM, guards=[requires_signed_in])
async def item_changed(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    item_id: FromPath[int],
    principal: NamedDependency[Principal],
) -> Template | Redirect:
    """Save the item's changes."""
    await desk_forum(principal, slug)
    form = await request.form()
    try:
        data = pages.form_struct(item_input(form), schemas.ProgrammeItemUpdate)
        await programme.update_item(principal, slug, item_id, data)
    except InvalidInput as error:
        item, _ = await programme.item_texts(principal, slug, item_id)
        return await _item_form(principal, slug, dict(form), item, form_errors(error))
    return pages.redirect(desk_path(slug, BACK[back_to(str(form.get("back", "")))]))


@post(f"{ITEM}/delete", guards=[requires_signed_in])
async def item_deleted(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    item_id: FromPath[int],
    principal: NamedDependency[Principal],
) -> Redirect:
    """Remove the item from the programme."""
    await desk_forum(principal, slug)
    form = await request.form()
    await programme.delete_item(principal, slug, item_id)
    return pages.redirect(desk_path(slug, BACK[back_to(str(form.get("back", "")))]))


PAGES = [
    programme_page,
    workshops_page,
    new_item_page,
    item_created,
    item_page,
    item_changed,
    item_deleted,
]
