"""The one authorization layer: rules, ``authorize`` for services, guards for handlers.

A *rule* is a function ``(principal, target) -> bool`` (or an awaitable of it) saying whether
the caller may do one thing to one object. Every domain writes its own rules next to its
services and checks them in one of two places, with the same outcome:

- in a service, before reading or writing the object: ``await authorize(principal, rule, obj)``;
- on a handler, when the path alone identifies the object: ``guards=[guard(rule, target=...)]``.

A refusal is ``NotAuthenticated`` (401) for an anonymous caller, else ``Forbidden`` (403), or
``NotFound`` (404) when ``hide=True`` because the caller may not even know the object exists.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import fields
from typing import Any, TypeVar

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Scope

from mupass_forum.accounts.principal import ANONYMOUS, Principal, SignedIn
from mupass_forum.errors import Forbidden, NotAuthenticated, NotFound

T = TypeVar("T")

#: May ``principal`` do this to ``target``?
Rule = Callable[[Principal, Any], bool | Awaitable[bool]]
#: Finds a guard's target in the request, usually from a path parameter.
TargetOf = Callable[[ASGIConnection[Any, Any, Any, Any]], Any | Awaitable[Any]]
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


async def _resolve(value: T | Awaitable[T]) -> T:
    if inspect.isawaitable(value):
        return await value
    return value


async def allowed(principal: Principal, rule: Rule, target: Any = None) -> bool:
    """Whether ``rule`` lets ``principal`` act on ``target`` (for filtering, never raises)."""
    return bool(await _resolve(rule(principal, target)))


async def authorize(
    principal: Principal, rule: Rule, target: Any = None, *, hide: bool = False
) -> None:
    """Raise unless ``rule`` lets ``principal`` act on ``target``."""
    if await allowed(principal, rule, target):
        return
    if not principal.is_authenticated:
        raise NotAuthenticated()
    if hide:
        raise NotFound()
    raise Forbidden()


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller, as the authentication middleware resolved it (anonymous outside of it)."""
    return principal_in(connection.scope)


def principal_in(scope: Scope) -> Principal:
    """``principal_of`` for an ASGI scope (a request's or a WebSocket's)."""
    user = scope.get("user")
    return user if isinstance(user, Principal) else ANONYMOUS


def path_param(name: str) -> TargetOf:
    """A guard target: the value of the path parameter ``name``, already converted."""

    def target(connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        return connection.path_params[name]

    return target


def guard(rule: Rule, *, target: TargetOf | None = None, hide: bool = False) -> Guard:
    """A Litestar guard that checks ``rule`` for the caller and the request's target."""

    async def check(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        subject = await _resolve(target(connection)) if target is not None else None
        await authorize(principal_of(connection), rule, subject, hide=hide)

    check.__name__ = f"guard_{getattr(rule, '__name__', 'rule')}"
    return check


def any_of(*rules: Rule) -> Rule:
    """A rule satisfied when one of ``rules`` is (checked in order, stopping at the first)."""

    async def either(principal: Principal, target: Any) -> bool:
        for rule in rules:
            if await allowed(principal, rule, target):
                return True
        return False

    return either


# The rules accounts knows about; domains add their own in their packages. ---------------------


def as_signed_in(principal: Principal) -> SignedIn:
    """The caller as the signed-in person a rule acts for; an anonymous caller is refused.

    Requests carry a plain ``Principal`` (Litestar checks a dependency's exact type): the
    signed-in one is made here, sharing the request's memo."""
    if isinstance(principal, SignedIn):
        return principal
    if principal.user_id is None:
        raise NotAuthenticated()
    return SignedIn(**{item.name: getattr(principal, item.name) for item in fields(principal)})


def signed_in(principal: Principal, _: Any = None) -> bool:
    return principal.is_authenticated


def platform_admin(principal: Principal, _: Any = None) -> bool:
    return principal.is_platform_admin


def manages_organization(principal: Principal, organization_id: int) -> bool:
    """Platform admins and the organization's own admins manage it."""
    return principal.is_platform_admin or principal.is_organization_admin(organization_id)


def belongs_to_organization(principal: Principal, organization_id: int) -> bool:
    """Members and admins of the organization, and platform admins."""
    return principal.is_platform_admin or principal.is_organization_member(organization_id)


def translates_into(principal: Principal, locale: str) -> bool:
    """Translators for ``locale``, and platform admins."""
    return principal.is_platform_admin or principal.is_translator_for(locale)


requires_signed_in = guard(signed_in)
requires_platform_admin = guard(platform_admin)
#: For handlers with an ``organization_id`` path parameter.
requires_organization_admin = guard(manages_organization, target=path_param("organization_id"))
requires_organization_member = guard(belongs_to_organization, target=path_param("organization_id"))
