"""Who is calling: ``Authorization: Bearer <token>`` resolved to a ``Principal``.

No header means an anonymous caller, whom the guards and rules then refuse where they must; a
token that is unknown, expired or revoked is answered with 401 at once, so that a client with a
stale token learns it instead of silently seeing less. The signed-in person's stored locale and
time zone become the request's (``?lang=`` still wins).

Pages (not the API) also take the same token from the session cookie that signing in on a page
sets. The API never reads the cookie, so a request another site makes the browser send to the
API carries no sign-in, and only page forms need CSRF tokens. A page request with a stale
cookie is anonymous, and the cookie is dropped with the response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
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
from mupass_forum.request_scope import is_page_path

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Scope

    from mupass_forum.accounts.services import AccountService
    from mupass_forum.settings import Settings

#: The browser's sign-in on pages: the same token ``POST /api/v1/auth/login`` hands out.
SESSION_COOKIE = "mupass_session"
_STALE_SESSION = "mupass_stale_session"


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
        if token is None and is_page_path(connection.scope["path"]):
            return await self._from_cookie(connection)
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

    async def _from_cookie(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            return AuthenticationResult(user=ANONYMOUS, auth=None)
        principal = await self.accounts.principal_for_token(token)
        if principal is None:
            connection.scope["state"][_STALE_SESSION] = True
            return AuthenticationResult(user=ANONYMOUS, auth=None)
        prefer_locale(principal.locale, principal.timezone)
        return AuthenticationResult(user=principal, auth=principal.session_id)


def authentication_middleware(accounts: AccountService) -> DefineMiddleware:
    # Health checks serve load balancers, which carry no tokens and must never be refused;
    # static files are the same for everybody.
    return DefineMiddleware(
        BearerAuthentication, accounts=accounts, exclude=["^/health", "^/static/"]
    )


def session_cookie(settings: Settings, token: str | None) -> Cookie:
    """The page session's cookie holding ``token``; with ``None``, one that removes it."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        max_age=settings.session_lifetime_hours * 3600 if token else 0,
        path="/",
        secure=settings.base_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )


def forget_stale_session(settings: Settings) -> Any:
    """A ``before_send`` hook dropping a session cookie whose token no longer works."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        if not scope.get("state", {}).get(_STALE_SESSION):
            return
        headers = MutableScopeHeaders.from_message(message)
        if not any(
            value.startswith(f"{SESSION_COOKIE}=") for value in headers.getall("set-cookie", [])
        ):
            headers.add("Set-Cookie", session_cookie(settings, None).to_header(header=""))

    return before_send


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
