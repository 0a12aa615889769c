"""Pages of the profile and the directory: my profile, the participants, one participant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authorization import as_signed_in, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import InvalidInput, NotFound
from mupass_forum.forums import queries as forum_queries
from mupass_forum.i18n import N_, gettext
from mupass_forum.participants import services, visibility
from mupass_forum.participants.schemas import (
    DirectoryVisibility,
    GovernmentLevel,
    MyProfile,
    ProfileCreate,
    StakeholderGroup,
)

#: The profile's fields that take several values (a check box or option each).
LIST_FIELDS = ("languages", "topics")
#: Optional choices whose empty option means "not said".
OPTIONAL_FIELDS = ("organization_id", "country", "government_level", "stakeholder_group")


def _choices() -> dict[str, Any]:
    """What the profile's and the directory's forms choose from, in the reader's language, as
    (value, text) pairs; ``anything`` and ``not_said`` are the empty choices of each."""
    anything = [("", gettext(N_("Any")))]
    regions = services.region_tree()
    return {
        "countries": [(country.code, country.name) for country in services.country_list()],
        "regions": [(region.code, region.name) for region in regions],
        "sub_regions": [(sub.code, sub.name) for region in regions for sub in region.children],
        "languages": [(language.code, language.name) for language in services.language_list()],
        "topics": [(topic.key, topic.label) for topic in services.topic_list()],
        "stakeholder_groups": [
            (label.value, label.label)
            for label in map(services.stakeholder_group_label, StakeholderGroup)
        ],
        "government_levels": [
            (label.value, label.label)
            for label in map(services.government_level_label, GovernmentLevel)
        ],
        "visibilities": [
            (label.value, label.label)
            for label in map(services.visibility_label, DirectoryVisibility)
        ],
        "anything": anything,
        "not_said": [("", gettext(N_("Not said")))],
    }


def _form_values(profile: MyProfile | None, principal: Principal) -> dict[str, Any]:
    """The profile form's values from the stored profile (or a first one from the account)."""
    if profile is None:
        given, _, family = (principal.display_name or "").partition(" ")
        return {
            "given_name": given,
            "family_name": family,
            "visibility": DirectoryVisibility.HIDDEN.value,
            "languages": [],
            "topics": [],
            "show_email": False,
        }
    return {
        "given_name": profile.given_name,
        "family_name": profile.family_name,
        "organization": profile.organization,
        "organization_id": profile.organization_id or "",
        "position": profile.position,
        "country": profile.country.code if profile.country else "",
        "government_level": profile.government_level.value if profile.government_level else "",
        "stakeholder_group": profile.stakeholder_group.value if profile.stakeholder_group else "",
        "languages": [language.code for language in profile.languages],
        "topics": [topic.key for topic in profile.topics],
        "bio": profile.bio,
        "visibility": profile.visibility.value,
        "show_email": profile.show_email,
    }


def _submitted(form: Mapping[str, Any], lists: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What the profile form sent, as ``ProfileCreate`` reads it: an empty choice is none, a
    check box left empty is off."""
    values: dict[str, Any] = {
        name: form.get(name, "") for name in ProfileCreate.__struct_fields__ if name in form
    }
    for name in OPTIONAL_FIELDS:
        if not values.get(name):
            values[name] = None
    values.update({name: list(lists[name]) for name in LIST_FIELDS})
    values["show_email"] = bool(form.get("show_email"))
    return values


def _profile_page(
    profile: MyProfile | None,
    values: Mapping[str, Any],
    errors: pages.FormErrors = pages.NO_ERRORS,
    *,
    saved: bool = False,
    status_code: int = 200,
) -> Template:
    return Template(
        "participants/profile.html",
        context={
            "profile": profile,
            "values": values,
            "errors": errors,
            "saved": saved,
            **_choices(),
        },
        status_code=status_code,
    )


async def _my_profile_or_none(principal: Principal) -> MyProfile | None:
    try:
        return await services.my_profile(principal)
    except NotFound:
        return None


@get("/me/profile", guards=[requires_signed_in])
async def profile_page(
    principal: NamedDependency[Principal], saved: FromQuery[bool] = False
) -> Template:
    """My profile: the form, and where the directory places me."""
    profile = await _my_profile_or_none(principal)
    return _profile_page(profile, _form_values(profile, principal), saved=saved)


@post("/me/profile", guards=[requires_signed_in])
async def save_profile(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Template | Redirect:
    """Write my profile as the form has it."""
    form = await request.form()
    values = _submitted(form, {name: form.getall(name, []) for name in LIST_FIELDS})
    try:
        await services.replace_my_profile(principal, pages.form_struct(values, ProfileCreate))
    except InvalidInput as error:
        shown = {**values, **{name: values[name] or "" for name in OPTIONAL_FIELDS}}
        profile = await _my_profile_or_none(principal)
        return _profile_page(profile, shown, pages.FormErrors.of(error), status_code=400)
    return pages.redirect("/me/profile?saved=true")


# The directory -------------------------------------------------------------------------------


class DirectoryPage(msgspec.Struct, kw_only=True):
    """Which page of the directory: the API's ``limit`` and ``cursor``."""

    limit: Annotated[int, msgspec.Meta(ge=1, le=services.MAX_PAGE_SIZE)] = services.PAGE_SIZE
    cursor: str | None = None


#: The directory form's fields: the API's filters by their query names (``q`` is ``query``).
FILTER_FIELDS = {
    ("q" if name == "query" else name): name
    for name in services.DirectoryFilter.__dataclass_fields__
}


async def _forum_choices(principal: Principal) -> list[tuple[str, str]]:
    """The forums the viewer attends, titled in their language: the forum filter finds
    nobody for anyone else's, so only these are offered."""
    principal = as_signed_in(principal)
    attended = await visibility.attendance().forums_of(principal.user_id)
    forums = [
        await forum_queries.get_forum(
            principal, (await forum_queries.forum_ref_by_id(forum_id)).slug
        )
        for forum_id in attended
    ]
    forums.sort(key=lambda forum: forum.starts_at, reverse=True)
    return [(str(forum.id), forum.title.text) for forum in forums]


@get("/participants", guards=[requires_signed_in])
async def directory_page(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Template:
    """The participants I may see, filtered as the form says, a page at a time."""
    given = {
        name: value
        for name in [*FILTER_FIELDS, *DirectoryPage.__struct_fields__]
        if (value := request.query_params.get(name, "").strip())
    }
    errors = pages.NO_ERRORS
    found = None
    try:
        wanted = pages.form_struct(
            {field: given[name] for name, field in FILTER_FIELDS.items() if name in given},
            services.DirectoryFilter,
        )
        page = pages.form_struct(
            {name: given[name] for name in DirectoryPage.__struct_fields__ if name in given},
            DirectoryPage,
        )
        found = await services.directory(principal, wanted, after=page.cursor, limit=page.limit)
    except InvalidInput as error:
        errors = pages.FormErrors.of(error)
    filters = {name: value for name, value in given.items() if name != "cursor"}
    next_url = None
    if found is not None and found.next_cursor:
        next_url = "/participants?" + urlencode({**filters, "cursor": found.next_cursor})
    return Template(
        "participants/directory.html",
        context={
            "found": found,
            "values": filters,
            "errors": errors,
            "next_url": next_url,
            "first_url": "/participants?" + urlencode(filters) if "cursor" in given else None,
            "forums": await _forum_choices(principal),
            **_choices(),
        },
        status_code=400 if errors else 200,
    )


@get("/participants/{user_id:int}", guards=[requires_signed_in])
async def participant_page(
    user_id: FromPath[int], principal: NamedDependency[Principal]
) -> Template:
    """One participant's profile, if I may see it."""
    person = await services.participant(principal, user_id)
    return Template("participants/participant.html", context={"person": person})


PAGES = [profile_page, save_profile, directory_page, participant_page]
