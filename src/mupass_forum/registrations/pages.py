"""The registration funnel's pages: save the date (interest and its confirmation link), the
registration form, one's registration with its workshops (see ``mupass_forum.pages``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.controllers import client_address
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.consent import pages as consent_pages
from mupass_forum.consent import services as consent
from mupass_forum.errors import InvalidInput, NotFound
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums.pages import forum_path
from mupass_forum.forums.schemas import Forum, ForumStatus
from mupass_forum.i18n import N_, current_locale, gettext, supported_locales
from mupass_forum.pages import native_name
from mupass_forum.participants import services as participants
from mupass_forum.registrations import (
    decisions,
    desk_settings,
    interest,
    mails,
    registering,
    schemas,
    workshops,
)
from mupass_forum.registrations.questions import answer_text
from mupass_forum.registrations.schemas import QuestionKind, RegistrationStatus
from mupass_forum.settings import Settings

#: Statuses whose registration holds a seat (and so may take workshop places).
SEATED = (RegistrationStatus.CONFIRMED.value, RegistrationStatus.ATTENDED.value)
#: Statuses a person may cancel from.
CANCELLABLE = (
    RegistrationStatus.CONFIRMED.value,
    RegistrationStatus.WAITLISTED.value,
    RegistrationStatus.PENDING_APPROVAL.value,
)
#: Statuses after which one may register again.
ENDED = (RegistrationStatus.CANCELLED.value, RegistrationStatus.DECLINED.value)
#: Statuses whose details and answers one may still change.
CHANGEABLE = (*CANCELLABLE, RegistrationStatus.ATTENDED.value)


# Save the date ---------------------------------------------------------------------------------


def _interest_form(
    forum: Forum,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
) -> Template:
    return Template(
        "registrations/interest.html",
        context={
            "forum": forum,
            "open": forum.status.value == ForumStatus.ANNOUNCED,
            "errors": errors,
            "values": values or {"locale": current_locale()},
            "countries": [(country.code, country.name) for country in participants.country_list()],
            "locales": [(locale, native_name(locale)) for locale in supported_locales()],
            "groups": [
                (group.value, gettext(label))
                for group, label in participants.STAKEHOLDER_GROUP_LABELS.items()
            ],
            "levels": [
                (level.value, gettext(label))
                for level, label in participants.GOVERNMENT_LEVEL_LABELS.items()
            ],
        },
        status_code=400 if errors else 200,
    )


@get("/forums/{slug:str}/interest")
async def interest_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Save the date: the form that registers interest in an announced forum."""
    forum = await forum_queries.get_forum(principal, slug)
    return _interest_form(forum)


@post("/forums/{slug:str}/interest")
async def interest_sent(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    account_service: NamedDependency[AccountService],
) -> Template:
    """Register interest; the answer asks to confirm with the mailed link."""
    forum = await forum_queries.get_forum(principal, slug)
    form = dict(await request.form())
    # The same limits as the API's: per client, and per address inside the service.
    await account_service.client_throttle.hit(
        "interest", client_address(request), settings.interest_per_client_per_hour
    )
    try:
        data = await pages.form_data(request, schemas.InterestCreate)
        receipt = await interest.express_interest(slug, data, account_service.mail_throttle)
    except InvalidInput as error:
        return _interest_form(forum, pages.FormErrors.of(error), form)
    return pages.message_page(
        gettext(N_("Check your mail")),
        receipt.message,
        links=[(forum_path(slug), forum.title.text)],
    )


@get(mails.CONFIRM_INTEREST_PATH.replace("{slug}", "{slug:str}"))
async def confirm_interest_page(
    slug: FromPath[str], principal: NamedDependency[Principal], token: FromQuery[str] = ""
) -> Template:
    """The mailed link: one button, since mail scanners open links by themselves."""
    forum = await forum_queries.get_forum(principal, slug)
    return Template("registrations/confirm_interest.html", context={"forum": forum, "token": token})


@post(mails.CONFIRM_INTEREST_PATH.replace("{slug}", "{slug:str}"))
async def interest_confirmed(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template:
    """Confirm interest with the link's token."""
    forum = await forum_queries.get_forum(principal, slug)
    data = await pages.form_data(request, schemas.InterestConfirmation)
    receipt = await interest.confirm_interest(slug, data.token)
    return pages.message_page(
        gettext(N_("Interest confirmed")),
        receipt.message,
        links=[(forum_path(slug), forum.title.text)],
    )


# Registering -----------------------------------------------------------------------------------


async def _registration_page(
    principal: Principal,
    slug: str,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    try:
        registration: schemas.Registration | None = await registering.my_registration(
            principal, slug
        )
    except NotFound:
        registration = None
    status = registration.status.value if registration else None
    may_register = forum.status.value == ForumStatus.REGISTRATION_OPEN and (
        status is None or status in ENDED
    )
    seated = status in SEATED
    form = await desk_settings.registration_form(principal, slug)
    return Template(
        "registrations/registration.html",
        context={
            "forum": forum,
            "registration": registration,
            "may_register": may_register,
            "may_cancel": status in CANCELLABLE,
            "may_change": status in CHANGEABLE,
            "seated": seated,
            "workshops": await workshops.list_workshops(principal, slug) if seated else [],
            "consent": await consent.my_consent(principal, slug) if may_register else None,
            "pair_fields": consent_pages.pair_fields,
            "languages": forum.languages,
            "asked": [question.value for question in form.built_in_questions],
            "questions": form.questions,
            "answer_text": answer_text,
            "answer_choices": answer_choices,
            "errors": errors,
            "values": values or {},
        },
        status_code=400 if errors else 200,
    )


#: A form's field for the answer to the forum's own question ``key``.
ANSWER_FIELD = "answer_{key}"
#: What a yes/no question's radio buttons send.
YES_NO = {"yes": True, "no": False}


def answers_from_form(form: Any, questions: list[schemas.Question]) -> dict[str, bool | str]:
    """The answers a registration form sent (an unanswered question is left out)."""
    answers: dict[str, bool | str] = {}
    for question in questions:
        value = str(form.get(ANSWER_FIELD.format(key=question.key), "")).strip()
        if not value:
            continue
        if question.kind.value == QuestionKind.YES_NO:
            if value in YES_NO:
                answers[question.key] = YES_NO[value]
        else:
            answers[question.key] = value
    return answers


def answer_choices(question: schemas.Question) -> list[tuple[str, str]]:
    """The (value, text) choices of a yes/no or choice question's buttons."""
    if question.kind.value == QuestionKind.YES_NO:
        return [("yes", gettext(N_("Yes"))), ("no", gettext(N_("No")))]
    return [(option.key, option.label.text) for option in question.options]


def registration_errors(error: InvalidInput) -> pages.FormErrors:
    """The form's errors, each answer's beside its own question."""
    errors = pages.FormErrors.of(error)
    fields = {name: message for name, message in errors.fields.items() if name != "answers"}
    for field_error in error.errors:
        pointer = field_error.pointer or ""
        if pointer.startswith("/answers/"):
            name = ANSWER_FIELD.format(key=pointer.removeprefix("/answers/"))
            fields.setdefault(name, field_error.render()["detail"])
    return pages.FormErrors(errors.summary, fields)


@get("/forums/{slug:str}/registration", guards=[requires_signed_in])
async def registration_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """Your registration (status, waiting-list place, badge, workshops), or the form."""
    return await _registration_page(principal, slug)


@post("/forums/{slug:str}/registration", guards=[requires_signed_in])
async def registration_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Register: a seat while there is one, else the waiting list."""
    form = await request.form()
    try:
        data = await pages.form_data(request, schemas.RegistrationCreate)
        ticked = form.getall(consent_pages.PAIRS_FIELD, [])
        if ticked:
            # Some uses ticked: those granted, the others refused. None: nothing decided.
            data = msgspec.structs.replace(data, consent=consent_pages.choices_from_form(ticked))
        questions = (await desk_settings.registration_form(principal, slug)).questions
        data = msgspec.structs.replace(data, answers=answers_from_form(form, questions))
        await registering.register(principal, slug, data)
    except InvalidInput as error:
        return await _registration_page(principal, slug, registration_errors(error), dict(form))
    return pages.redirect(forum_path(slug, "/registration"))


@post("/forums/{slug:str}/registration/cancel", guards=[requires_signed_in])
async def registration_cancelled(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Redirect:
    """Cancel your registration; a seat goes to the next person waiting."""
    data = await pages.form_data(request, schemas.Cancellation)
    await decisions.cancel_my_registration(principal, slug, data)
    return pages.redirect(forum_path(slug, "/registration"))


@post("/forums/{slug:str}/workshops/{item_id:int}/sign-up", guards=[requires_signed_in])
async def workshop_signed_up(
    slug: FromPath[str], item_id: FromPath[int], principal: NamedDependency[Principal]
) -> Redirect:
    """Take a place in a workshop."""
    await workshops.sign_up(principal, slug, item_id)
    return pages.redirect(forum_path(slug, "/registration#workshops"))


@post("/forums/{slug:str}/workshops/{item_id:int}/leave", guards=[requires_signed_in])
async def workshop_left(
    slug: FromPath[str], item_id: FromPath[int], principal: NamedDependency[Principal]
) -> Redirect:
    """Give back a place in a workshop."""
    await workshops.leave(principal, slug, item_id)
    return pages.redirect(forum_path(slug, "/registration#workshops"))


PAGES = [
    interest_page,
    interest_sent,
    confirm_interest_page,
    interest_confirmed,
    registration_page,
    registration_sent,
    registration_cancelled,
    workshop_signed_up,
    workshop_left,
]
