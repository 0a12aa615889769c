"""What an API request must be before a handler sees it.

- A body a handler reads is JSON and says so (``Content-Type: application/json``): anything
  else is a 415, so that no web page can send the API a request that a browser lets through
  without a CORS preflight (``text/plain``, forms).
- A JSON body nests at most ``MAX_DEPTH`` levels: deeper ones are a 400, before a decoder
  recurses into them.
- Every integer in the path, the query or the body fits the database's columns (PostgreSQL's
  ``integer``, the narrowest the tables use): an id beyond it is a 404 (there is nothing
  there), any other integer a 400.

The checks run on the API's router, after routing: the handler's signature says which query
parameters are integers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from mupass_forum.errors import DomainError, FieldError, InvalidInput, NotFound
from mupass_forum.i18n import N_

if TYPE_CHECKING:
    from litestar.handlers import HTTPRouteHandler
    from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send
    from litestar.typing import FieldDefinition

#: The range of PostgreSQL's ``integer`` (``serial`` ids, counts, versions).
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
#: Deeper than any body the API takes.
MAX_DEPTH = 32
#: Litestar's own bound on request bodies (its default); a larger body is a 413 here too.
MAX_BODY_BYTES = 10_000_000

_INTEGER = re.compile(r"^[+-]?\d+$")
_JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def in_range(value: int) -> bool:
    return MIN_INT <= value <= MAX_INT


def out_of_range(*, pointer: str | None = None, parameter: str | None = None) -> FieldError:
    return FieldError(
        N_("Must be between {minimum} and {maximum}."),
        "out_of_range",
        pointer=pointer,
        parameter=parameter,
        params={"minimum": MIN_INT, "maximum": MAX_INT},
    )


class RequestTooLarge(DomainError):
    status = 413
    default_code = "request_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    default_code = "unsupported_media_type"


class JSONRequestGuard(ASGIMiddleware):
    """The checks above, for every HTTP request to the API."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        _check_path(scope)
        _check_query(scope)
        if "data" not in scope["route_handler"].parsed_fn_signature.parameters:
            # A handler that takes no body reads none (a mail program's one-click unsubscribe
            # posts a form to one); it acts on the path, the query and a bearer token only.
            await next_app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body.strip():
            _check_body(scope, body)
        await next_app(scope, _replay(body, receive), send)


def _check_path(scope: Scope) -> None:
    values: dict[str, Any] = scope.get("path_params", {})
    for value in values.values():
        if isinstance(value, int) and not in_range(value):
            raise NotFound()


def _integer_parameters(handler: HTTPRouteHandler) -> dict[str, str]:
    """``{name in the query: parameter name}`` of the handler's integer query parameters."""
    found = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        if _is_integer(field):
            kwarg = field.kwarg_definition
            query_name = getattr(kwarg, "query", None) or name
            found[query_name] = name
    return found


def _is_integer(field: FieldDefinition) -> bool:
    if field.annotation is int:
        return True
    return field.is_optional and any(inner.annotation is int for inner in field.inner_types)


def _check_query(scope: Scope) -> None:
    query = scope.get("query_string", b"")
    if not query:
        return
    integers = _integer_parameters(scope["route_handler"])  # type: ignore[arg-type]
    problems = [
        out_of_range(parameter=key)
        for key, value in parse_qsl(query.decode("latin-1"))
        if key in integers and _INTEGER.match(value.strip()) and not in_range(int(value))
    ]
    if problems:
        raise InvalidInput(*problems)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestTooLarge()
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> ReceiveMessage:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        event: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
        return event

    return replay


def _media_type(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"content-type":
            return str(value.decode("latin-1")).split(";", 1)[0].strip().lower()
    return ""


def _check_body(scope: Scope, body: bytes) -> None:
    if not _JSON_MEDIA_TYPE.match(_media_type(scope)):
        raise UnsupportedMediaType(
            "unsupported_media_type",
            N_("Please send the body as JSON, with Content-Type: application/json."),
        )
    try:
        document = msgspec.json.decode(body)
    except RecursionError as exc:
        raise _too_deep() from exc
    except msgspec.DecodeError:
        return  # the handler's own decoding answers malformed bodies
    problems = []
    for pointer, value in _walk(document):
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if not in_range(value):
            problems.append(out_of_range(pointer=pointer))
    if problems:
        raise InvalidInput(*problems)


def _too_deep() -> DomainError:
    return DomainError(
        "too_deeply_nested",
        N_("The request body is nested more than {depth} levels deep."),
        depth=MAX_DEPTH,
    )


def _walk(document: Any) -> Iterator[tuple[str, Any]]:
    """Every value of ``document`` with its JSON pointer; raises past ``MAX_DEPTH``."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        pointer, value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((f"{pointer}/{escaped}", item, depth + 1))
        else:
            yield pointer, value
