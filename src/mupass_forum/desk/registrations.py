"""Registrations on the desk: search and filter, one person's registration with its history,
approve or decline with a reason, and the exports as downloads (see ``desk.pages``).

The decision is the API's (``registrations.decisions.decide``): the participant is mailed in
their language, with the organizer's reason, in the transaction that records it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.desk.pages import (
    LISTED,
    desk_forum,
    desk_forum_shown,
    desk_path,
    query_string,
    region_choices,
)
from mupass_forum.errors import Conflict, InvalidInput
from mupass_forum.i18n import N_, gettext
from mupass_forum.registrations import decisions, desk_settings, exports, lists, queries
from mupass_forum.registrations.questions import answer_text
from mupass_forum.registrations.schemas import (
    BuiltInQuestion,
    Decision,
    DecisionAction,
    RegistrationNeed,
    RegistrationStatus,
)
from mupass_forum.registrations.status import status_label

NEED_LABELS = {
    RegistrationNeed.VISA_LETTER: N_("Visa invitation letter"),
    RegistrationNeed.TRAVEL_SUPPORT: N_("Travel support"),
    RegistrationNeed.INTERPRETATION: N_("Interpretation"),
    RegistrationNeed.DIETARY: N_("Dietary needs"),
    RegistrationNeed.ACCESSIBILITY: N_("Accessibility needs"),
}

#: The built-in question of the registration form each need answers.
NEED_QUESTIONS = {
    RegistrationNeed.VISA_LETTER: BuiltInQuestion.VISA_LETTER,
    RegistrationNeed.TRAVEL_SUPPORT: BuiltInQuestion.TRAVEL_SUPPORT,
    RegistrationNeed.INTERPRETATION: BuiltInQuestion.INTERPRETATION,
    RegistrationNeed.DIETARY: BuiltInQuestion.DIETARY_NEEDS,
    RegistrationNeed.ACCESSIBILITY: BuiltInQuestion.ACCESSIBILITY_NEEDS,
}

#: The buttons of a registration's page, by what its status allows.
ACTION_BUTTONS = {
    # i18n: Button on a registration awaiting approval: give the person a seat.
    DecisionAction.APPROVE: N_("Approve"),
    # i18n: Button on a registration: refuse it, with the reason the person is told.
    DecisionAction.DECLINE: N_("Decline"),
}


def registrations_path(slug: str, tail: str = "") -> str:
    return desk_path(slug, f"/registrations{tail}")


def _filter(q: str, status: str, region: str, need: str) -> queries.RegistrationFilter:
    """The page's filters; a value the lists do not offer is no filter."""
    statuses = {item.value: item for item in RegistrationStatus}
    needs = {item.value: item for item in RegistrationNeed}
    return queries.RegistrationFilter(
        q=q or None,
        status=statuses.get(status),
        region=region or None,
        need=needs.get(need),
    )


class Needs(Protocol):
    """What a registration (an entry of the list, or the whole registration) asked for."""

    @property
    def needs_visa_letter(self) -> bool: ...
    @property
    def travel_support_requested(self) -> bool: ...
    @property
    def interpretation_languages(self) -> Sequence[str]: ...
    @property
    def dietary_needs(self) -> str: ...
    @property
    def accessibility_needs(self) -> str: ...


def needs_of(registration: Needs, asked: Collection[BuiltInQuestion] | None = None) -> list[str]:
    """What a registration asked for, in the reader's language (of the built-in questions
    ``asked`` only, when given)."""
    needs = {
        RegistrationNeed.VISA_LETTER: registration.needs_visa_letter,
        RegistrationNeed.TRAVEL_SUPPORT: registration.travel_support_requested,
        RegistrationNeed.INTERPRETATION: bool(registration.interpretation_languages),
        RegistrationNeed.DIETARY: bool(registration.dietary_needs),
        RegistrationNeed.ACCESSIBILITY: bool(registration.accessibility_needs),
    }
    return [
        gettext(NEED_LABELS[need])
        for need, yes in needs.items()
        if yes and (asked is None or NEED_QUESTIONS[need] in asked)
    ]


@get("/desk/forums/{slug:str}/registrations", guards=[requires_signed_in])
async def registrations_page(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    region: FromQuery[str] = "",
    need: FromQuery[str] = "",
    cursor: FromQuery[str | None] = None,
) -> Template:
    """Find registrations by name, e-mail, institution or badge number; filter; download."""
    forum = await desk_forum_shown(principal, slug)
    found = await lists.list_registrations(
        principal, slug, _filter(q, status, region, need), cursor, LISTED
    )
    filters = {"q": q, "status": status, "region": region, "need": need}
    return Template(
        "desk/registrations/list.html",
        context={
            "forum": forum,
            "section": "registrations",
            "entries": [(item, needs_of(item)) for item in found.items],
            "filters": filters,
            "next_page": query_string(**filters, cursor=found.next_cursor)
            if found.next_cursor
            else None,
            "export": {
                form.value: query_string(format=form.value, **filters)
                for form in exports.ExportFormat
            },
            "statuses": [
                (item.value, status_label(item.value).label) for item in RegistrationStatus
            ],
            "needs": [(item.value, gettext(label)) for item, label in NEED_LABELS.items()],
            "regions": region_choices(),
        },
    )


@get("/desk/forums/{slug:str}/registrations/export", guards=[requires_signed_in])
async def registrations_export(
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    format: FromQuery[exports.ExportFormat] = exports.ExportFormat.CSV,
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    region: FromQuery[str] = "",
    need: FromQuery[str] = "",
) -> Response[bytes]:
    """The registrations shown as a CSV or XLSX download, as the API gives them."""
    await desk_forum(principal, slug)
    given = _filter(q, status, region, need)
    return await exports.registrations_download(principal, slug, given, format)


async def _registration_page(
    principal: Principal,
    slug: str,
    registration_id: int,
    errors: pages.FormErrors = pages.NO_ERRORS,
    reason: str = "",
    status_code: int = 200,
) -> Template:
    forum = await desk_forum_shown(principal, slug)
    registration = await lists.registration(principal, slug, registration_id)
    current = RegistrationStatus(registration.status.value)
    form = await desk_settings.registration_form(principal, slug)
    asked = form.built_in_questions
    return Template(
        "desk/registrations/registration.html",
        context={
            "forum": forum,
            "section": "registrations",
            "registration": registration,
            "needs": needs_of(registration, asked),
            "asked": [question.value for question in asked],
            "questions": form.questions,
            "answer_text": answer_text,
            "history": await lists.history(principal, slug, registration_id),
            "actions": [
                (action.value, gettext(label))
                for action, label in ACTION_BUTTONS.items()
                if decisions.allows(action, current)
            ],
            "here": registrations_path(slug, f"/{registration_id}"),
            "back": registrations_path(slug),
            "errors": errors,
            "reason": reason,
        },
        status_code=status_code,
    )


@get("/desk/forums/{slug:str}/registrations/{registration_id:int}", guards=[requires_signed_in])
async def registration_page(
    slug: FromPath[str], registration_id: FromPath[int], principal: NamedDependency[Principal]
) -> Template:
    """One person's registration: details, needs, history, and the decisions it allows."""
    return await _registration_page(principal, slug, registration_id)


@post(
    "/desk/forums/{slug:str}/registrations/{registration_id:int}/decision",
    guards=[requires_signed_in],
)
async def registration_decided(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    registration_id: FromPath[int],
    principal: NamedDependency[Principal],
) -> Template | Redirect:
    """Approve or decline; the person is mailed in their language, with the reason."""
    await desk_forum(principal, slug)
    form = await request.form()
    try:
        decision = await pages.form_data(request, Decision)
        await decisions.decide(principal, slug, registration_id, decision)
    except (InvalidInput, Conflict) as error:
        return await _registration_page(
            principal,
            slug,
            registration_id,
            pages.FormErrors.of(error),
            str(form.get("reason", "")),
            error.status,
        )
    return pages.redirect(registrations_path(slug, f"/{registration_id}"))


PAGES = [registrations_page, registrations_export, registration_page, registration_decided]
