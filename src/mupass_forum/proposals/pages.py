"""Best-practice proposals on the site: submit one, see one's own and the organizers' decision
(the page the decision mail links to; see ``mupass_forum.pages``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import InvalidInput
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.i18n import current_locale, gettext, supported_locales
from mupass_forum.pages import native_name
from mupass_forum.participants.services import language_list
from mupass_forum.proposals import mails, schemas, services

#: Forums that take proposals (the service says so again when one is sent).
TAKING = (ForumStatus.ANNOUNCED, ForumStatus.REGISTRATION_OPEN, ForumStatus.REGISTRATION_CLOSED)
LISTED = 100


class ProposalForm(msgspec.Struct):
    """The form: one language's title and abstract (the API takes several)."""

    title: str
    abstract: str
    format: schemas.ProposalFormat
    delivery_language: str
    original_locale: str


async def _proposals_page(
    principal: Principal,
    slug: str,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    mine = await services.list_proposals(principal, slug, services.ProposalFilter(), None, LISTED)
    return Template(
        "proposals/proposals.html",
        context={
            "forum": forum,
            "proposals": mine.items,
            "taking": forum.status.value in TAKING,
            "formats": [
                (value.value, gettext(label)) for value, label in services.FORMAT_LABELS.items()
            ],
            "languages": [(language.code, language.name) for language in language_list()],
            "locales": [(locale, native_name(locale)) for locale in supported_locales()],
            "errors": errors,
            "values": values
            or {"original_locale": current_locale(), "delivery_language": current_locale()},
        },
        status_code=400 if errors else 200,
    )


@get("/forums/{slug:str}/proposals", guards=[requires_signed_in])
async def proposals_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Your proposals for a forum, and the form for a new one."""
    return await _proposals_page(principal, slug)


@post("/forums/{slug:str}/proposals", guards=[requires_signed_in])
async def proposal_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Propose a contribution; then its page."""
    try:
        form = await pages.form_data(request, ProposalForm)
        locale = form.original_locale
        data = schemas.ProposalCreate(
            title={locale: form.title},
            abstract={locale: form.abstract},
            format=form.format,
            delivery_language=form.delivery_language,
            original_locale=locale,
        )
        proposal = await services.propose(principal, slug, data)
    except InvalidInput as error:
        return await _proposals_page(
            principal, slug, pages.FormErrors.of(error), dict(await request.form())
        )
    return pages.redirect(proposal_path(slug, proposal.id))


def proposal_path(slug: str, proposal_id: int) -> str:
    return mails.PROPOSAL_PATH.format(slug=slug, id=proposal_id)


@get(
    mails.PROPOSAL_PATH.replace("{slug}", "{slug:str}").replace("{id}", "{proposal_id:int}"),
    guards=[requires_signed_in],
)
async def proposal_page(
    slug: FromPath[str], proposal_id: FromPath[int], principal: NamedDependency[Principal]
) -> Template:
    """One of your proposals with the organizers' decision and message."""
    forum = await forum_queries.get_forum(principal, slug)
    proposal = await services.get_proposal(principal, slug, proposal_id)
    return Template("proposals/proposal.html", context={"forum": forum, "proposal": proposal})


PAGES = [proposals_page, proposal_sent, proposal_page]
