"""The authorization layer as another domain uses it: its own rules, as guards and in code."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from mupass_forum.accounts import (
    ANONYMOUS,
    Principal,
    SignedIn,
    allowed,
    any_of,
    as_signed_in,
    authorize,
    guard,
    manages_organization,
    path_param,
    requires_signed_in,
    translates_into,
)
from mupass_forum.app import create_app
from mupass_forum.errors import Forbidden, NotAuthenticated, NotFound

# A domain's own object-level rule: here, async, as one that looks something up would be.
FORUM_ORGANIZERS: dict[str, set[int]] = {"mupass-2026": set()}


async def organizes_forum(principal: Principal, slug: str) -> bool:
    return principal.user_id in FORUM_ORGANIZERS.get(slug, set())


requires_forum_organizer = guard(
    any_of(organizes_forum, lambda principal, _: principal.is_platform_admin),
    target=path_param("slug"),
    hide=True,
)


@get(
    "/api/v1/test-forums/{slug:str}/secret",
    operation_id="test_forum_secret",
    summary="Secret",
    guards=[requires_forum_organizer],
    tags=["test"],
)
async def forum_secret(
    slug: FromPath[str], principal: NamedDependency[Principal]
) -> dict[str, Any]:
    """Only for organizers."""
    return {"slug": slug, "seen_by": principal.user_id}


@get(
    "/api/v1/test-whoami",
    operation_id="test_whoami",
    summary="Who am I",
    guards=[requires_signed_in],
    tags=["test"],
)
async def whoami(principal: NamedDependency[Principal]) -> dict[str, Any]:
    """The principal as handlers see it."""
    return {
        "user_id": principal.user_id,
        "organization_roles": {str(k): v for k, v in principal.organization_roles.items()},
        "translator_locales": sorted(principal.translator_locales),
        "is_platform_admin": principal.is_platform_admin,
    }


def test_a_domain_rule_used_as_a_guard(make_client, migrated, make_account):
    app = create_app(migrated)
    app.register(forum_secret)
    client = make_client(app)
    organizer = make_account()
    outsider = make_account()
    FORUM_ORGANIZERS["mupass-2026"].add(organizer.id)

    url = "/api/v1/test-forums/mupass-2026/secret"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=outsider.headers).status_code == 404
    answer = client.get(url, headers=organizer.headers)
    assert answer.status_code == 200
    assert answer.json() == {"slug": "mupass-2026", "seen_by": organizer.id}


def test_handlers_see_the_principal_with_its_roles(make_client, migrated, make_account):
    app = create_app(migrated)
    app.register(whoami)
    client = make_client(app)
    account = make_account(organizations={}, translator_locales=["es", "de"])

    answer = client.get("/api/v1/test-whoami", headers=account.headers).json()

    assert answer == {
        "user_id": account.id,
        "organization_roles": {},
        "translator_locales": ["de", "es"],
        "is_platform_admin": False,
    }
    assert client.get("/api/v1/test-whoami").status_code == 401


async def test_authorize_refuses_by_who_is_asking():
    admin_of_3 = Principal(
        user_id=1, organization_roles={3: "admin"}, translator_locales=frozenset({"fr"})
    )

    await authorize(admin_of_3, manages_organization, 3)
    assert await allowed(admin_of_3, translates_into, "fr")
    assert not await allowed(admin_of_3, translates_into, "de")
    for principal, error in ((ANONYMOUS, NotAuthenticated), (admin_of_3, Forbidden)):
        try:
            await authorize(principal, manages_organization, 4)
        except error:
            pass
        else:
            raise AssertionError(f"{principal} was let through")
    try:
        await authorize(admin_of_3, manages_organization, 4, hide=True)
    except NotFound:
        pass
    else:
        raise AssertionError("a hidden refusal must be a 404")


def test_a_rule_that_acts_for_a_person_gets_a_signed_in_principal() -> None:
    signed_in_person = as_signed_in(Principal(user_id=7, email="someone@example.org"))
    assert isinstance(signed_in_person, SignedIn)
    assert (signed_in_person.user_id, signed_in_person.email) == (7, "someone@example.org")
    assert as_signed_in(signed_in_person) is signed_in_person
    try:
        as_signed_in(ANONYMOUS)
    except NotAuthenticated:
        pass
    else:
        raise AssertionError("an anonymous caller was taken for a person")
