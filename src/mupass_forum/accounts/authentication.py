"""Who is calling: ``Authorization: Bearer <token>`` resolved to a ``Principal``.

No header means an anonymous caller, whom the guards and rules then refuse where they must; a
token that is unknown, expired or revoked is answered with 401 at once, so that a client with a
stale token learns it instead of silently seeing less. The signed-in person's stored locale and
time zone become the request's (``?lang=`` still wins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)

from mupass_forum.accounts.authorization import principal_in
from mupass_forum.accounts.principal import ANONYMOUS, Principal
from mupass_forum.errors import NotAuthenticated
from mupass_forum.i18n import N_, prefer_locale

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Scope

    from mupass_forum.accounts.services import AccountService


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class BearerAuthentication(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, accounts: AccountService, **options: Any) -> None:
        super().__init__(app, **options)
        self.accounts = accounts

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            return AuthenticationResult(user=ANONYMOUS, auth=None)
        principal = await self.accounts.principal_for_token(token)
        if principal is None:
            raise NotAuthenticated(
                "invalid_token",
                N_("Your sign-in is not valid or has expired. Please sign in again."),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        prefer_locale(principal.locale, principal.timezone)
        return AuthenticationResult(user=principal, auth=principal.session_id)


def authentication_middleware(accounts: AccountService) -> DefineMiddleware:
    # Health checks serve load balancers, which carry no tokens and must never be refused.
    return DefineMiddleware(BearerAuthentication, accounts=accounts, exclude=["^/health"])


def provide_principal(scope: Scope) -> Principal:
    """The ``principal`` dependency, for handlers: ``principal: NamedDependency[Principal]``."""
    return principal_in(scope)


def provide_after_principal(value: object) -> Provide:
    """``value`` (a service, the settings) as a dependency resolved after ``principal``.

    Litestar resolves the independent dependencies of a handler concurrently, in a task group
    per request; for a handler taking the principal and a service, that costs far more than both
    lookups (a tenth of the CPU time of a board page). Chained, they resolve one after the other.
    """

    def provide(principal: NamedDependency[Principal]) -> object:
        return value

    return Provide(provide, sync_to_thread=False)
