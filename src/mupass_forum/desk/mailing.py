"""Mail to participants on the desk: write once per language, choose whom, preview, send, and
the history of what went to whom (see ``mupass_forum.pages``; the rules are in
``outreach.services``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mupass_forum import pages, regions
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import InvalidInput
from mupass_forum.forums import queries as forum_queries
from mupass_forum.i18n import N_, current_locale, gettext
from mupass_forum.i18n.collation import collated
from mupass_forum.outreach import schemas, services

AUDIENCE_LABELS = {
    schemas.Audience.CONFIRMED: N_("Confirmed participants (and those checked in)"),
    schemas.Audience.WAITLISTED: N_("People on the waiting list"),
    schemas.Audience.PENDING_APPROVAL: N_("Registrations awaiting approval"),
    schemas.Audience.INTERESTED: N_("People who confirmed their interest"),
}

NEED_LABELS = {
    schemas.Need.VISA_LETTER: N_("Asked for a visa letter"),
    schemas.Need.TRAVEL_SUPPORT: N_("Asked for travel support"),
    schemas.Need.ACCESSIBILITY: N_("Told us of accessibility needs"),
    schemas.Need.DIETARY: N_("Told us of dietary needs"),
}


def mail_path(slug: str, tail: str = "") -> str:
    return f"/desk/forums/{slug}/mail{tail}"


def _region_choices() -> list[tuple[str, str]]:
    areas = [
        (code, regions.name(code))
        for code, entry in regions.table().regions.items()
        if entry.level in ("region", "sub_region")
    ]
    return collated(areas, lambda area: area[1])


async def _compose(
    principal: Principal,
    slug: str,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
    audiences: list[str] | None = None,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    return Template(
        "desk/mailing/compose.html",
        context={
            "forum": forum,
            "section": "mailing",
            "here": mail_path(slug),
            "errors": errors,
            "values": values or {"fallback_locale": current_locale()},
            "chosen": audiences if audiences is not None else [schemas.Audience.CONFIRMED.value],
            "locales": pages.language_choices(),
            "audiences": [(a.value, gettext(label)) for a, label in AUDIENCE_LABELS.items()],
            "needs": [("", gettext(N_("Anyone")))]
            + [(need.value, gettext(label)) for need, label in NEED_LABELS.items()],
            "regions": [("", gettext(N_("Every region"))), *_region_choices()],
        },
        status_code=400 if errors else 200,
    )


@get("/desk/forums/{slug:str}/mail", guards=[requires_signed_in])
async def compose_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Write a message to the forum's people, once per language."""
    await forum_queries.organized_forum(principal, slug)
    return await _compose(principal, slug)


@post("/desk/forums/{slug:str}/mail", guards=[requires_signed_in])
async def message_written(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Keep the message as a draft and show its preview."""
    form = await request.form()
    try:
        data = await pages.form_data(request, schemas.MessageForm)
        message = await services.create_message(principal, slug, services.message_form(data))
    except InvalidInput as error:
        return await _compose(
            principal, slug, pages.FormErrors.of(error), dict(form), form.getall("audiences", [])
        )
    return pages.redirect(mail_path(slug, f"/{message.id}"))


@get("/desk/forums/{slug:str}/mail/{message_id:int}", guards=[requires_signed_in])
async def message_page(
    slug: FromPath[str], message_id: FromPath[int], principal: NamedDependency[Principal]
) -> Template:
    """A message as each language's readers get it; send it, or see who got it."""
    shown = await services.preview(principal, slug, message_id)
    forum = await forum_queries.get_forum(principal, slug)
    sent_to = (
        await services.deliveries(principal, slug, message_id) if shown.message.sent_at else []
    )
    return Template(
        "desk/mailing/message.html",
        context={
            "forum": forum,
            "section": "mailing",
            "shown": shown,
            "sent_to": sent_to,
            "here": mail_path(slug, f"/{message_id}"),
            "history": mail_path(slug, "/history"),
        },
    )


@post("/desk/forums/{slug:str}/mail/{message_id:int}/send", guards=[requires_signed_in])
async def message_sent(
    slug: FromPath[str], message_id: FromPath[int], principal: NamedDependency[Principal]
) -> Redirect:
    """Send the message, once; sending again (a retry, a second click) sends nothing."""
    await services.send_message(principal, slug, message_id)
    return pages.redirect(mail_path(slug, f"/{message_id}"))


@get("/desk/forums/{slug:str}/mail/history", guards=[requires_signed_in])
async def history_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Every message of the forum, newest first: drafts, and what went to how many."""
    messages = await services.list_messages(principal, slug)
    forum = await forum_queries.get_forum(principal, slug)
    return Template(
        "desk/mailing/history.html",
        context={
            "forum": forum,
            "section": "mailing",
            "messages": messages,
            "here": mail_path(slug),
        },
    )


PAGES = [compose_page, message_written, message_page, message_sent, history_page]
