"""Changing one's registration on a page: the details and answers the forum's form asks, checked
as the API's ``PATCH …/registrations/mine`` checks them (see ``registrations.pages``)."""

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
from mupass_forum.errors import Conflict, InvalidInput
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums.pages import forum_path
from mupass_forum.i18n import N_
from mupass_forum.registrations import desk_settings, registering, schemas
from mupass_forum.registrations.pages import (
    ANSWER_FIELD,
    CHANGEABLE,
    YES_NO,
    answer_choices,
    answers_from_form,
    registration_errors,
)
from mupass_forum.registrations.questions import BUILT_IN_FIELDS

#: What a yes/no answer's radio button sends, by the answer.
YES_NO_VALUES = {answer: value for value, answer in YES_NO.items()}


def _values(registration: schemas.Registration) -> dict[str, Any]:
    """The form's fields filled in with the registration as it is."""
    values: dict[str, Any] = {
        name: getattr(registration, name) for fields in BUILT_IN_FIELDS.values() for name in fields
    }
    for name in ("arrival_date", "departure_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    for key, answer in registration.answers.items():
        sent = YES_NO_VALUES[answer] if isinstance(answer, bool) else answer
        values[ANSWER_FIELD.format(key=key)] = sent
    return values


async def _change_page(
    principal: Principal,
    slug: str,
    errors: pages.FormErrors = pages.NO_ERRORS,
    values: dict[str, Any] | None = None,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    registration = await registering.my_registration(principal, slug)
    if registration.status.value not in CHANGEABLE:
        raise Conflict(
            "registration_ended", N_("This registration has ended; it can no longer be changed.")
        )
    form = await desk_settings.registration_form(principal, slug)
    return Template(
        "registrations/change.html",
        context={
            "forum": forum,
            "languages": forum.languages,
            "asked": [question.value for question in form.built_in_questions],
            "questions": form.questions,
            "answer_choices": answer_choices,
            "errors": errors,
            "values": values if values is not None else _values(registration),
        },
        status_code=400 if errors else 200,
    )


async def _update_from_form(
    request: Request[Any, Any, Any], principal: Principal, slug: str
) -> schemas.RegistrationUpdate:
    """The change the form asks for: every field of the questions the forum asks (a box left
    unticked or a field emptied clears it), nothing of the others."""
    sent = await pages.form_data(request, schemas.RegistrationCreate)
    form = await desk_settings.registration_form(principal, slug)
    details = {
        name: getattr(sent, name)
        for question in form.built_in_questions
        for name in BUILT_IN_FIELDS[question]
    }
    answers = answers_from_form(await request.form(), form.questions)
    every_answer = {question.key: answers.get(question.key) for question in form.questions}
    return msgspec.structs.replace(
        pages.form_struct(details, schemas.RegistrationUpdate), answers=every_answer
    )


@get("/forums/{slug:str}/registration/change", guards=[requires_signed_in])
async def change_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """The form that changes your registration's details and answers."""
    return await _change_page(principal, slug)


@post("/forums/{slug:str}/registration/change", guards=[requires_signed_in])
async def change_sent(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Change your registration; its status stays as it is."""
    form = await request.form()
    try:
        data = await _update_from_form(request, principal, slug)
        await registering.update_my_registration(principal, slug, data)
    except InvalidInput as error:
        languages = form.getall("interpretation_languages", [])
        values = {**dict(form), "interpretation_languages": languages}
        return await _change_page(principal, slug, registration_errors(error), values)
    return pages.redirect(forum_path(slug, "/registration"))


PAGES = [change_page, change_sent]
