"""Which mails about their forums the people who run them get (``outreach.organizers``): a
registration awaiting approval, a proposal, a flagged post; each on or off."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.desk.pages import desk_forums
from mupass_forum.i18n import N_, gettext
from mupass_forum.outreach import organizers, schemas

CHOICE_LABELS = {
    organizers.OrganizerMail.PENDING_REGISTRATION: N_(
        "A registration for a forum I run awaits approval"
    ),
    organizers.OrganizerMail.PROPOSAL_RECEIVED: N_(
        "Someone proposes a contribution to a forum I run"
    ),
    organizers.OrganizerMail.POST_FLAGGED: N_(
        "A post is flagged in a board category of a forum I run"
    ),
}


@get(organizers.CHOICES_PATH, guards=[requires_signed_in])
async def notifications_page(
    principal: NamedDependency[Principal], saved: FromQuery[bool] = False
) -> Template:
    """The mails to organizers, each on or off."""
    await desk_forums(principal)
    chosen = await organizers.mail_choices(principal)
    return Template(
        "desk/notifications.html",
        context={
            "choices": [
                (kind.value, gettext(label), getattr(chosen, kind.value))
                for kind, label in CHOICE_LABELS.items()
            ],
            "saved": saved,
            "errors": pages.NO_ERRORS,
            "here": organizers.CHOICES_PATH,
        },
    )


@post(organizers.CHOICES_PATH, guards=[requires_signed_in])
async def notifications_chosen(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Redirect:
    """Keep the choices; the page again, saying so."""
    await desk_forums(principal)
    data = await pages.form_data(request, schemas.OrganizerMailChoices)
    update = schemas.OrganizerMailChoicesUpdate(
        **{k.value: getattr(data, k.value) for k in organizers.OrganizerMail}
    )
    await organizers.choose_mails(principal, update)
    return pages.redirect(f"{organizers.CHOICES_PATH}?saved=true")


PAGES = [notifications_page, notifications_chosen]
