"""What every request carries: its id and its locale, set before anything else runs.

``RequestContext`` wraps the whole application (routing included), so that an unknown route, a
405 and a 500 are answered in the reader's language and with the request's id, exactly like a
handler's own response.

Pages (every path outside the API, the health checks and the static files) remember a language
chosen with ``?lang=`` in a cookie, so that the language switcher and a mail's link hold for the
following pages too: for pages the order is ``?lang=``, that cookie, the signed-in person's
preference, ``Accept-Language``. Language tags are matched case-insensitively and a regional
variant reaches its language (``?lang=de-AT``, ``Accept-Language: FR``). A language the service
lacks is passed over like one in ``Accept-Language``; only a ``?lang=`` that is no language tag at
all is refused by the API (a 400), while a page ignores it, since a person cannot act on a 400.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qsl

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType

from mupass_forum import access_log
from mupass_forum.app_context import AppContext, bound
from mupass_forum.errors import PROBLEM_MEDIA_TYPE, FieldError, render_problem
from mupass_forum.i18n import locale as i18n
from mupass_forum.request_scope import REQUEST_ID, current_request_id, is_page_path

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
#: The language a person chose on the pages (with ``?lang=``, from the switcher or a mail).
LANGUAGE_COOKIE = "mupass_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record, so a 500's log line can be found from its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


def cookie_value(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name`` in the request's ``Cookie`` header."""
    for part in (_header(scope, b"cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


#: Query parameters whose values may be logged: they carry neither secrets nor addresses.
_LOGGABLE_PARAMETERS = frozenset({"lang", "limit", "format", "status", "last", "translate"})
_ADDRESS = re.compile(r"[^\s<>@'\"(),;:]+@[^\s<>'\"(),;:]+")


def without_addresses(text: str) -> str:
    """``text`` with every e-mail address replaced, for logs: log ids, never addresses."""
    return _ADDRESS.sub("<address>", text)


def loggable_path(path: str) -> str:
    """A request's path for logs: query values other than harmless ones (tokens of mailed links,
    search words, addresses) become ``…``."""
    base, _, query = path.partition("?")
    if not query:
        return path
    parts = [
        f"{name}={value if name in _LOGGABLE_PARAMETERS else '…'}"
        for name, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{base}?{'&'.join(parts)}"


class AccessLogRedaction(logging.Filter):
    """Keeps secrets out of the server's access log: uvicorn logs each request's path with its
    query string, which holds the tokens of mailed links (consent withdrawal, unsubscribe)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], loggable_path(args[2]), *args[3:])
        return True


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContext:
    """ASGI wrapper: the app's context, request id, locale negotiation and the headers every
    response carries."""

    def __init__(
        self,
        app: ASGIApp,
        context: AppContext,
        extra_headers: dict[str, str] | None = None,
        https_headers: dict[str, str] | None = None,
        page_headers: dict[str, str] | None = None,
        api_headers: dict[str, str] | None = None,
        access_log: logging.Logger | None = None,
    ) -> None:
        self.app = app
        #: Bound for every request, so the services serve this app (``app_context.current()``).
        self.context = context
        #: Where one line per HTTP request goes (``access_log.access_logger()``); None: nowhere.
        self.access_log = access_log
        self.extra_headers = extra_headers or {}
        #: Sent with pages instead of the same-named ``extra_headers`` (their stricter policy).
        self.page_headers = page_headers or {}
        #: Sent with the API's answers, unless the answer has its own.
        self.api_headers = api_headers or {}
        #: Only sent over https (HSTS over plain http would be ignored or, behind a
        #: misconfigured proxy, pin a name to a scheme it does not serve).
        self.https_headers = https_headers or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER.encode())
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        request_id_token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        try:
            with bound(self.context), i18n.request_locale():
                await self._handle(scope, receive, send, request_id)
        finally:
            REQUEST_ID.reset(request_id_token)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        supported = i18n.supported_locales()
        negotiated = i18n.negotiate(_header(scope, b"accept-language"), supported)
        i18n.activate(negotiated or i18n.catalogs().default_locale)
        extra = self.extra_headers
        if scope.get("scheme") in ("https", "wss"):
            extra = {**extra, **self.https_headers}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        raw_asked = query.get("lang")
        asked = i18n.match_locale(raw_asked, supported) if raw_asked is not None else None
        page = scope["type"] == ScopeType.HTTP and is_page_path(scope["path"])
        remember = None
        if page:
            extra = {**extra, **self.page_headers}
            chosen = cookie_value(scope, LANGUAGE_COOKIE)
            if asked is not None:
                remember = asked if asked != chosen else None
            elif chosen in supported:
                asked = chosen
        else:
            if scope["path"].startswith("/api/"):
                extra = {**extra, **self.api_headers}
            if raw_asked is not None and not i18n.is_language_tag(raw_asked):
                # A value that is no language tag at all is a caller's mistake worth naming; a
                # language the service lacks is served like an Accept-Language it lacks.
                if scope["type"] == ScopeType.HTTP:
                    await self._unsupported_locale(scope, send, raw_asked, supported, extra)
                else:
                    await send(cast("Message", {"type": "websocket.close", "code": 1008}))
                return
        if asked is not None:
            i18n.activate(asked, explicit=True)

        status = 500  # unless a response starts

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                if remember is not None:
                    headers.add("Set-Cookie", language_cookie(remember, scope))
                headers["Content-Language"] = i18n.current_locale()
                headers["X-Request-ID"] = request_id
                headers.add("Vary", "Accept-Language")
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        if self.access_log is None or scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send_with_headers)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            client = scope.get("client")
            access_log.log_request(
                self.access_log,
                request_id,
                scope["method"],
                scope["path"],
                status,
                started,
                client[0] if client else None,
            )

    async def _unsupported_locale(
        self,
        scope: Scope,
        send: Send,
        asked: str,
        supported: tuple[str, ...],
        extra_headers: dict[str, str],
    ) -> None:
        problem = render_problem(
            400,
            "unsupported_locale",
            i18n.N_("The language {asked} is not supported. Supported languages: {supported}."),
            {"asked": asked, "supported": ", ".join(supported)},
            instance=scope.get("path"),
            errors=[
                FieldError(
                    i18n.N_("Use one of: {supported}."),
                    "unsupported_locale",
                    parameter="lang",
                    params={"supported": ", ".join(supported)},
                )
            ],
        )
        body = msgspec.json.encode(problem)
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"content-language", i18n.current_locale().encode()),
            (b"x-request-id", (current_request_id() or "").encode()),
            *((name.lower().encode(), value.encode()) for name, value in extra_headers.items()),
        ]
        await send(
            cast("Message", {"type": "http.response.start", "status": 400, "headers": headers})
        )
        await send(cast("Message", {"type": "http.response.body", "body": body}))


def language_cookie(locale: str, scope: Scope) -> str:
    """``Set-Cookie`` for the language chosen on the pages."""
    secure = "; Secure" if scope.get("scheme") == "https" else ""
    return (
        f"{LANGUAGE_COOKIE}={locale}; Path=/; Max-Age={LANGUAGE_COOKIE_MAX_AGE}; "
        f"HttpOnly; SameSite=Lax{secure}"
    )
