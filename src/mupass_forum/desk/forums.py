"""The desk's forum pages: create a forum, edit it, and its registration settings (seats,
approval, regional targets, the form's questions: see ``desk.questions``). See ``desk.pages``
for what every page of a forum's desk does first.

Forms are flat (``title_de``, ``venue_city``, ``share_0``); each handler turns one into the
API's input struct with ``pages.form_struct`` and calls the same service as the API, so the
checks and their messages are the API's. A problem comes back next to its field: the JSON
pointer of a service's error names it (``/title/de`` -> ``title_de``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts import organizations
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.desk import questions
from mupass_forum.desk.pages import (
    DESK,
    creates_forums,
    desk_forum,
    desk_forum_shown,
    desk_path,
    region_choices,
)
from mupass_forum.errors import Conflict, DomainError, FieldError, InvalidInput, NotFound
from mupass_forum.forums import queries as forum_queries
from mupass_forum.forums import schemas
from mupass_forum.forums import series as forum_series
from mupass_forum.forums import services as forum_services
from mupass_forum.forums import terms as forum_terms
from mupass_forum.i18n import N_, gettext, supported_locales
from mupass_forum.i18n.collation import sort_key
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.registrations import desk_settings
from mupass_forum.registrations import schemas as registration_schemas
from mupass_forum.validation import choosable_time_zones

#: Form fields that are lists in the API: their problems show at the whole field.
LIST_FIELDS = frozenset({"languages", "interpretation", "speakers", "partner_organization_ids"})
#: Empty rows the registration settings offer for new regional targets.
NEW_TARGET_ROWS = 3
#: Organizations a platform admin chooses a new forum's lead from, and partners are chosen
#: from, at most (a forum's own partners are always among the choices).
LISTED_ORGANIZATIONS = 200
PARTNERS = "partner_organization_ids"

Form = FormMultiDict


# Forms, shared with the programme's pages ----------------------------------------------------


def form_errors(error: DomainError) -> pages.FormErrors:
    """The error's message for the top and, per flat field name, the message beside it."""
    fields: dict[str, str] = {}
    for field_error in error.errors:
        segments = (field_error.pointer or "").strip("/").split("/")
        name = segments[0] if segments[0] in LIST_FIELDS else "_".join(segments)
        fields.setdefault(name or field_error.parameter or "", field_error.render()["detail"])
    summary = pages.FormErrors.of(error).summary
    if isinstance(error, Conflict) and error.code == "slug_taken":
        fields["slug"] = summary
    return pages.FormErrors(summary, fields)


def text_map(form: Form, name: str) -> dict[str, str]:
    """A translatable text's fields (``title_de``, ``title_en``, …) as the API's map."""
    return {locale: str(form.get(f"{name}_{locale}", "")) for locale in supported_locales()}


def text_fields(name: str, text: TranslatableText | None) -> dict[str, str]:
    """A stored text as its form's fields."""
    texts = text.texts if text is not None else {}
    return {f"{name}_{locale}": texts.get(locale, "") for locale in supported_locales()}


def local_time(value: str) -> str | None:
    """A ``datetime-local`` field (``2030-10-28T09:00``) as ISO 8601; empty is no time."""
    value = value.strip()
    if not value:
        return None
    return f"{value}:00" if len(value) == 16 else value


def time_field(value: datetime | None) -> str:
    """A time, already in the forum's zone, as a ``datetime-local`` field shows it."""
    return value.replace(tzinfo=None).isoformat(timespec="minutes") if value else ""


def codes(value: str) -> list[str]:
    """Language codes typed into one field, separated by spaces or commas."""
    return [code.lower() for code in value.replace(",", " ").split()]


def optional(value: str) -> str | None:
    return value.strip() or None


# Creating and editing a forum ------------------------------------------------------------------


def forum_input(form: Form, *, new: bool) -> dict[str, Any]:
    """The forum form as the body of ``POST /forums`` (``new``) or ``PATCH /forums/{slug}``."""
    interpreted = set(codes(str(form.get("interpretation", ""))))
    values: dict[str, Any] = {
        "series": form.get("series", ""),
        "edition": form.get("edition", ""),
        "kind": form.get("kind", ""),
        "timezone": form.get("timezone", ""),
        "starts_at": local_time(str(form.get("starts_at", ""))),
        "ends_at": local_time(str(form.get("ends_at", ""))),
        "venue": {
            part: form.get(f"venue_{part}", "") for part in schemas.VenueInput.__struct_fields__
        },
        "languages": [
            {"code": code, "interpretation": code in interpreted}
            for code in codes(str(form.get("languages", "")))
        ],
        "contact_email": form.get("contact_email", ""),
        PARTNERS: form.getall(PARTNERS, []),
        **{name: text_map(form, name) for name in forum_queries.FORUM_TEXTS},
        **{
            name: local_time(str(form.get(name, "")))
            for name in ("interest_deadline", "registration_opens_at", "registration_closes_at")
        },
    }
    if new:
        values.update(
            slug=form.get("slug", ""), lead_organization_id=form.get("lead_organization_id", "")
        )
    return values


def form_values(form: Form) -> dict[str, Any]:
    """A sent forum form, to show it again."""
    return {**dict(form), PARTNERS: form.getall(PARTNERS, [])}


def forum_fields(
    forum: schemas.Forum, texts: Mapping[str, TranslatableText | None]
) -> dict[str, Any]:
    """A forum as its form's fields."""
    values: dict[str, Any] = {
        "series": forum.series.slug,
        "edition": str(forum.edition),
        "kind": forum.kind.value,
        "timezone": forum.timezone,
        "starts_at": time_field(forum.starts_at),
        "ends_at": time_field(forum.ends_at),
        "interest_deadline": time_field(forum.interest_deadline),
        "registration_opens_at": time_field(forum.registration_opens_at),
        "registration_closes_at": time_field(forum.registration_closes_at),
        "languages": " ".join(language.code for language in forum.languages),
        "interpretation": " ".join(
            language.code for language in forum.languages if language.interpretation
        ),
        "contact_email": forum.contact_email,
        PARTNERS: [str(partner.id) for partner in forum.partner_organizations],
        **{
            f"venue_{part}": getattr(forum.venue, part)
            for part in schemas.VenueInput.__struct_fields__
        },
    }
    for name in forum_queries.FORUM_TEXTS:
        values.update(text_fields(name, texts.get(name)))
    return values


async def lead_choices(principal: Principal) -> list[tuple[str, str]]:
    """The organizations the caller may make a new forum's lead (their own, or any for a
    platform admin); none for everyone else."""
    if principal.is_platform_admin:
        listed = (await organizations.list_organizations(None, LISTED_ORGANIZATIONS)).items
    else:
        listed = [
            await organizations.get_organization(organization_id)
            for organization_id, role in sorted(principal.organization_roles.items())
            if role == "admin"
        ]
    return [(str(organization.id), organization.name) for organization in listed]


async def partner_choices(forum: schemas.Forum | None) -> list[tuple[str, str]]:
    """The institutes to choose partners from: those listed, and the forum's own partners."""
    listed = (await organizations.list_organizations(None, LISTED_ORGANIZATIONS)).items
    choices = {str(organization.id): organization.name for organization in listed}
    if forum is not None:
        choices.update((str(partner.id), partner.name) for partner in forum.partner_organizations)
        choices.pop(str(forum.lead_organization.id), None)
    return sorted(choices.items(), key=lambda choice: sort_key(choice[1]))


def translated(labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    return [(value.value, gettext(label)) for value, label in labels.items()]


async def _forum_form(
    principal: Principal,
    *,
    forum: schemas.Forum | None,
    values: Mapping[str, Any],
    errors: pages.FormErrors = pages.NO_ERRORS,
) -> Template:
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "locales": pages.language_choices(),
        "series": [(series.slug, series.name.text) for series in await forum_series.list_series()],
        "kinds": translated(forum_terms.FORUM_KIND_LABELS),
        "time_zones": choosable_time_zones(),
        "partners": await partner_choices(forum),
    }
    if forum is None:
        context.update(here=f"{DESK}/forums/new", leads=await lead_choices(principal))
    else:
        context.update(forum=forum, section="edit", here=desk_path(forum.slug, "/edit"))
    return Template(
        "desk/forums/forum_form.html", context=context, status_code=400 if errors else 200
    )


def may_create(principal: Principal) -> None:
    """Only those who may create a forum for some organization see the form; 404 to others."""
    if not creates_forums(principal):
        raise NotFound()


@get(f"{DESK}/forums/new", guards=[requires_signed_in])
async def new_forum_page(principal: NamedDependency[Principal]) -> Template:
    """A new forum's form: its texts in every language side by side, dates, venue."""
    may_create(principal)
    leads = await lead_choices(principal)
    return await _forum_form(
        principal,
        forum=None,
        values={"timezone": "Europe/Berlin", "lead_organization_id": leads[0][0] if leads else ""},
    )


@post(f"{DESK}/forums/new", guards=[requires_signed_in])
async def forum_created(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Create the forum as a draft, then go to its desk."""
    may_create(principal)
    form = await request.form()
    try:
        data = pages.form_struct(forum_input(form, new=True), schemas.ForumCreate)
        forum = await forum_services.create_forum(principal, data)
    except (InvalidInput, Conflict) as error:
        return await _forum_form(
            principal, forum=None, values=form_values(form), errors=form_errors(error)
        )
    return pages.redirect(desk_path(forum.slug, "/edit"))


@get(f"{DESK}/forums/{{slug:str}}/edit", guards=[requires_signed_in])
async def edit_forum_page(slug: FromPath[str], principal: NamedDependency[Principal]) -> Template:
    """A forum's form: its texts in every language side by side (missing ones marked)."""
    forum = await desk_forum_shown(principal, slug)
    texts = await forum_queries.forum_texts(principal, slug)
    return await _forum_form(principal, forum=forum, values=forum_fields(forum, texts))


@post(f"{DESK}/forums/{{slug:str}}/edit", guards=[requires_signed_in])
async def forum_edited(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Save the forum's changes and show the form again."""
    await desk_forum(principal, slug)
    form = await request.form()
    try:
        data = pages.form_struct(forum_input(form, new=False), schemas.ForumUpdate)
        await forum_services.update_forum(principal, slug, data)
    except (InvalidInput, Conflict) as error:
        forum = await forum_queries.get_forum(principal, slug)
        return await _forum_form(
            principal, forum=forum, values=form_values(form), errors=form_errors(error)
        )
    return pages.redirect(desk_path(slug, "/edit?saved=1"))


# Registration settings -------------------------------------------------------------------------


def target_rows(form: Form) -> list[tuple[str, str]]:
    """The (region, share) rows of the targets' form, in order, blank rows left out."""
    rows = []
    index = 0
    while f"region_{index}" in form:
        region = str(form.get(f"region_{index}", "")).strip()
        share = str(form.get(f"share_{index}", "")).strip()
        if region or share:
            rows.append((region, share))
        index += 1
    return rows


def targets_input(rows: list[tuple[str, str]]) -> dict[str, float]:
    """The rows as the API's ``target_shares``; each problem points at its row's region (or
    at its place, for a row without one)."""
    targets: dict[str, float] = {}
    problems: list[FieldError] = []
    for index, (region, share) in enumerate(rows):
        pointer = f"/target_shares/{region or index}"
        if not region or not share:
            problems.append(
                FieldError(
                    N_("Choose a region and give its share."), "incomplete_target", pointer=pointer
                )
            )
            continue
        try:
            value = float(share.replace(",", "."))
        except ValueError:
            value = float("nan")
        if not 0 <= value <= 100:
            problems.append(
                FieldError(N_("Give a share from 0 to 100."), "invalid_share", pointer=pointer)
            )
            continue
        targets[region] = value
    if problems:
        raise InvalidInput(*problems)
    return targets


async def _settings_form(
    principal: Principal,
    slug: str,
    values: Mapping[str, Any],
    rows: list[tuple[str, str]],
    errors: pages.FormErrors = pages.NO_ERRORS,
) -> Template:
    forum = await forum_queries.get_forum(principal, slug)
    settings = await desk_settings.registration_settings(principal, slug)
    return Template(
        "desk/forums/registration_settings.html",
        context={
            "forum": forum,
            "section": "registration_settings",
            "here": desk_path(slug, "/registration-settings"),
            "settings": settings,
            "values": values,
            "rows": rows + [("", "")] * NEW_TARGET_ROWS,
            "regions": region_choices(),
            "built_in": questions.built_in_choices(),
            "kinds": questions.kind_choices(),
            "question_rows": questions.question_rows(values),
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


@get(f"{DESK}/forums/{{slug:str}}/registration-settings", guards=[requires_signed_in])
async def registration_settings_page(
    slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template:
    """Seats, approval, the regional targets (regions and sub-regions with their shares) and
    the registration form's questions."""
    await desk_forum(principal, slug)
    settings = await desk_settings.registration_settings(principal, slug)
    values = {
        "capacity": "" if settings.capacity is None else str(settings.capacity),
        "requires_approval": settings.requires_approval,
        "regional_balance": settings.regional_balance,
        **{f"ask_{key.value}": asked for key, asked in settings.built_in_questions.items()},
        **questions.stored_fields(settings.questions),
    }
    rows = [(target.region, f"{target.share:g}") for target in settings.target_shares]
    return await _settings_form(principal, slug, values, rows)


@post(f"{DESK}/forums/{{slug:str}}/registration-settings", guards=[requires_signed_in])
async def registration_settings_saved(
    request: Request[Any, Any, Any], slug: FromPath[str], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Save the seats, approval, targets and questions; free seats are filled by the new
    rules."""
    await desk_forum(principal, slug)
    form = await request.form()
    rows = target_rows(form)
    asked = questions.asked_input(form)
    own, question_values = questions.read_questions(form)
    values = {
        "capacity": form.get("capacity", ""),
        "requires_approval": "requires_approval" in form,
        "regional_balance": "regional_balance" in form,
        **{f"ask_{key}": on for key, on in asked.items()},
        **question_values,
    }
    try:
        # Both are checked before either is written: nothing is half saved.
        seats = pages.form_struct(
            {"capacity": optional(str(values["capacity"]))}, schemas.ForumUpdate
        )
        settings = pages.form_struct(
            {
                "requires_approval": values["requires_approval"],
                "regional_balance": values["regional_balance"],
                "target_shares": targets_input(rows),
                "built_in_questions": asked,
                "questions": own,
            },
            registration_schemas.RegistrationSettingsUpdate,
        )
        await desk_settings.update_registration_settings(principal, slug, settings)
        await forum_services.update_forum(principal, slug, seats)
    except InvalidInput as error:
        return await _settings_form(principal, slug, values, rows, form_errors(error))
    return pages.redirect(desk_path(slug, "/registration-settings?saved=1"))


PAGES = [
    new_forum_page,
    forum_created,
    edit_forum_page,
    forum_edited,
    registration_settings_page,
    registration_settings_saved,
]
