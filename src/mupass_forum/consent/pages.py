"""The consent domain's pages: the withdrawal link's (hand-built, served under the API) and
a person's photo and video choices for a forum (see ``mupass_forum.pages``)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import as_signed_in, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.consent import schemas, services
from mupass_forum.consent.links import WITHDRAWAL, withdrawal_token
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums.schemas import Forum, Label
from mupass_forum.i18n import N_, format_datetime, gettext

#: The colour markers of consent decisions.
MARKER_STYLE = """
.marker { display: inline-block; padding: .1rem .6rem; border-radius: .8rem; font-weight: bold; }
.green { background: #d1fae5; } .yellow { background: #fef3c7; } .red { background: #fee2e2; }
"""


def page(title: str, body: str) -> str:
    """``mupass_forum.pages.page`` with the consent markers' colours."""
    return pages.page(title, body, style=MARKER_STYLE)


def marker_badge(marker: Label) -> str:
    return (
        f'<span class="marker {html.escape(marker.value, quote=True)}">'
        f"{html.escape(marker.label)}</span>"
    )


def current_choice(marker: Label) -> str:
    lead = gettext(N_("Your current choice:"))
    return f"<p>{html.escape(lead)} {marker_badge(marker)}</p>"


def withdrawal_preview_page(preview: schemas.WithdrawalPreview, token: str) -> str:
    escape = html.escape
    title = gettext(N_("Withdraw consent to photos and videos"))
    valid_until = gettext(
        N_("This link is valid until {expires_at}."),
        expires_at=format_datetime(preview.expires_at),
    )
    button = gettext(N_("Withdraw my consent"))
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f"<p><strong>{escape(preview.forum_title.text)}</strong></p>\n"
        f"{current_choice(preview.marker)}\n"
        f"<p>{escape(preview.action)}</p>\n"
        f"{pages.confirm_form(token, button) if preview.can_withdraw else ''}\n"
        f'<p class="note">{escape(valid_until)}</p>'
    )
    return page(title, body)


def withdrawal_done_page(done: schemas.WithdrawalDone) -> str:
    escape = html.escape
    title = gettext(N_("Consent withdrawn") if done.withdrawn else N_("Nothing to withdraw"))
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f"<p><strong>{escape(done.forum_title.text)}</strong></p>\n"
        f"<p>{escape(done.message)}</p>\n"
        f"{current_choice(done.marker)}"
    )
    return page(title, body)


# The consent choices on the site's pages -----------------------------------------------------

#: The checkboxes of a consent form: one per medium and use, valued ``photo.website``.
PAIRS_FIELD = "consent_pairs"


@dataclass(frozen=True, slots=True)
class PairField:
    """One checkbox of a consent form."""

    value: str
    medium: str
    purpose: str
    checked: bool


def pair_fields(state: schemas.ConsentState) -> dict[str, list[PairField]]:
    """The form's checkboxes by medium (its label), ticked where consent is given now."""
    fields: dict[str, list[PairField]] = {}
    for pair in state.pairs:
        fields.setdefault(pair.medium.label, []).append(
            PairField(
                f"{pair.medium.value}.{pair.purpose.value}",
                pair.medium.label,
                pair.purpose.label,
                pair.consents,
            )
        )
    return fields


def choices_from_form(ticked: Sequence[str]) -> list[schemas.ConsentChoice]:
    """A form decides every pair: the ticked ones granted, all others refused. Values that
    name no pair are left out (they can grant nothing)."""
    chosen = set(ticked)
    choices: list[schemas.ConsentChoice] = []
    for medium in schemas.Medium:
        by_decision: dict[schemas.Decision, list[schemas.Purpose]] = {}
        for purpose in schemas.Purpose:
            decision = (
                schemas.Decision.GRANTED
                if f"{medium.value}.{purpose.value}" in chosen
                else schemas.Decision.REFUSED
            )
            by_decision.setdefault(decision, []).append(purpose)
        choices += [
            schemas.ConsentChoice(decision=decision, media=[medium], purposes=purposes)
            for decision, purposes in by_decision.items()
        ]
    return choices


def _choices_page(forum: Forum, state: schemas.ConsentState, user_id: int) -> Template:
    token = withdrawal_token(user_id, forum.id)
    return Template(
        "consent/choices.html",
        context={
            "forum": forum,
            "state": state,
            "pair_fields": pair_fields(state),
            # The page of the mails' link, on this site: the browser keeps its language.
            "withdrawal_link": WITHDRAWAL.address("", token),
            "errors": pages.NO_ERRORS,
        },
    )


@get("/forums/{slug:str}/consent", guards=[requires_signed_in])
async def consent_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Your photo and video choices for a forum, per medium and use, and your badge marker."""
    forum = await forum_queries.get_forum(principal, slug)
    state = await services.my_consent(principal, slug)
    principal = as_signed_in(principal)
    return _choices_page(forum, state, principal.user_id)


@post("/forums/{slug:str}/consent", guards=[requires_signed_in])
async def consent_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Redirect:
    """Record the choices of the form (ticked: granted; the others: refused)."""
    form = await request.form()
    version = await pages.form_data(request, NoticeShown)
    change = schemas.ConsentChange(
        choices=choices_from_form(form.getall(PAIRS_FIELD, [])),
        notice_version=version.notice_version,
    )
    await services.change_my_consent(principal, slug, change)
    return pages.redirect(f"/forums/{slug}/consent#marker")


class NoticeShown(msgspec.Struct):
    """The notice version a form showed: a newer one refuses the choices (409)."""

    notice_version: int | None = None


PAGES = [consent_page, consent_sent]
