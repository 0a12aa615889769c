"""The API description as the service really answers: what client generators and fuzzers read.

Litestar describes every error as its own ``application/json`` 400; the service answers RFC 9457
problems (``application/problem+json``) with a ``code``, and with statuses that depend on what
an operation takes and who may call it. ``complete()`` rewrites the generated document once:

- the problem shape is described once (``#/components/schemas/Problem``) and every operation
  lists the error statuses it can answer (``error_statuses``), each as a problem;
- request bodies refuse unknown fields (``additionalProperties: false``), as the input structs
  do (``forbid_unknown_fields``);
- integers carry the bounds the service enforces (``api_requests``: PostgreSQL's ``integer``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute

from mupass_forum.api_requests import MAX_INT, MIN_INT
from mupass_forum.errors import PROBLEM_MEDIA_TYPE

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.handlers import HTTPRouteHandler

#: Set in a completed document, so that completing it again changes nothing.
_COMPLETED = "x-mupass-contract"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An RFC 9457 problem. `code` is stable and meant for programs; `title` and `detail` "
        "are in the language of the request."
    ),
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:mupass-forum:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": (
                "For example invalid_input, malformed_body, out_of_range, too_deeply_nested, "
                "not_authenticated, invalid_token, forbidden, not_found, conflict, gone, "
                "request_too_large, unsupported_media_type, rate_limited, "
                "too_many_failed_logins, unavailable."
            ),
        },
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid input: one entry per field.",
            "items": {
                "type": "object",
                "required": ["detail", "code"],
                "properties": {
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                    "pointer": {"type": "string", "description": "JSON pointer into the body"},
                    "parameter": {"type": "string", "description": "query or path parameter"},
                },
            },
        },
        "extra": {"type": "object"},
    },
}

DESCRIPTIONS: dict[int, str] = {
    400: "Invalid input (code invalid_input, with `errors`), a malformed or too deeply nested "
    "body, a number out of range, an unsupported `lang`",
    401: "No valid sign-in (not_authenticated), or a bearer token that is unknown, expired or "
    "revoked (invalid_token)",
    403: "Signed in, but not allowed (forbidden)",
    404: "Nothing there, or nothing the caller may see (not_found and more precise codes)",
    409: "Conflicts with the current state (conflict and more precise codes)",
    410: "A link or token that has expired (token_expired)",
    413: "The body is too large (request_too_large)",
    415: "A body that is not `application/json` (unsupported_media_type)",
    429: "Too many requests; `Retry-After` says when to try again",
    503: "A service this needs is not available at the moment; try again later",
}

_WRITES = {"post", "put", "patch", "delete"}

_FILE = {"type": "string", "format": "binary"}
#: Operations that answer in more than one format (``?format=`` or ``Accept``): the formats
#: their handlers do not describe themselves.
OTHER_FORMATS: dict[str, dict[str, dict[str, Any]]] = {
    "export_my_data": {"application/json": {"type": "object"}, "application/zip": _FILE},
    "get_forum_stats": {"text/csv": _FILE, "image/svg+xml": _FILE},
    "export_registrations": {
        "text/csv": _FILE,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _FILE,
    },
    "get_photo_list": {"text/csv": _FILE, "text/html": _FILE},
}


def error_statuses(method: str, path: str, handler: HTTPRouteHandler | None) -> list[int]:
    """The error statuses an API operation can answer."""
    statuses = {400, 401, 403}
    if "{" in path or handler is None or _takes(handler, "principal"):
        # Objects are looked up by the path, and hidden from those who may not read them.
        statuses.add(404)
    if method in _WRITES:
        statuses |= {404, 409, 410, 429, 503}
    if handler is None or _takes(handler, "data"):
        statuses |= {413, 415}
    if path.endswith("/auth/login"):
        statuses |= {429, 503}
    return sorted(statuses)


def _takes(handler: HTTPRouteHandler, name: str) -> bool:
    return name in handler.parsed_fn_signature.parameters


def _handlers(app: Litestar) -> dict[tuple[str, str], HTTPRouteHandler]:
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    found[route.path_format, method.lower()] = handler
    return found


def complete(schema: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """Rewrite ``schema`` (Litestar's generated document) in place, once; returns it."""
    if schema.get(_COMPLETED):
        return schema
    handlers = _handlers(app)
    components = schema.setdefault("components", {})
    component_schemas = components.setdefault("schemas", {})
    component_schemas["Problem"] = PROBLEM_SCHEMA
    bodies: list[dict[str, Any]] = []
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if path.startswith("/api/"):
                _document_errors(
                    operation, error_statuses(method, path, handlers.get((path, method)))
                )
            for media_type, media_schema in OTHER_FORMATS.get(
                operation.get("operationId"), {}
            ).items():
                success = operation.get("responses", {}).get("200", {})
                success.setdefault("content", {}).setdefault(media_type, {"schema": media_schema})
            for parameter in operation.get("parameters", []):
                _bound_integers(parameter.get("schema", {}))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                bodies.append(body.get("schema", {}))
    for name in _reachable(bodies, component_schemas):
        _closed(component_schemas[name])
    for body in bodies:
        _closed(body)
    for definition in component_schemas.values():
        _bound_integers(definition)
    schema[_COMPLETED] = True
    return schema


def _document_errors(operation: dict[str, Any], statuses: list[int]) -> None:
    responses = operation.setdefault("responses", {})
    for status in list(responses):
        if status.isdigit() and int(status) >= 400:
            del responses[status]
    for status in statuses:
        responses[str(status)] = {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(roots: list[Any], definitions: dict[str, Any]) -> set[str]:
    """The component schemas that request bodies use, directly or nested."""
    seen: set[str] = set()
    pending = [name for root in roots for name in _refs(root)]
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        pending.extend(_refs(definitions[name]))
    return seen


def _closed(node: Any) -> None:
    """Objects with named properties take no others (the input structs refuse them)."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for key, value in node.items():
            if key != "properties":
                _closed(value)
            else:
                for field in value.values():
                    _closed(field)
    elif isinstance(node, list):
        for value in node:
            _closed(value)


def _bound_integers(node: Any) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
            node["minimum"] = max(node.get("minimum", MIN_INT), MIN_INT)
            node["maximum"] = min(node.get("maximum", MAX_INT), MAX_INT)
        for value in node.values():
            _bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integers(value)


class ContractJsonRenderPlugin(JsonRenderPlugin):
    """``/schema/openapi.json``, completed."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, request.app))


class ContractSwaggerRenderPlugin(SwaggerRenderPlugin):
    """The documentation page, showing the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete(openapi_schema, request.app))


def fix_options_answers(app: Litestar) -> None:
    """Make the automatic ``OPTIONS`` answers name every method of their path.

    Litestar merges the handlers of one path into a new route as controllers add them, but the
    ``OPTIONS`` handler it made with the first part keeps asking that first route for the
    methods: ``/board/categories`` answered ``Allow: OPTIONS, POST``, without GET.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            closure = getattr(handler.fn, "__closure__", None) or ()
            if handler.handler_name != "options_handler":
                continue
            for cell in closure:
                if isinstance(cell.cell_contents, HTTPRoute):
                    cell.cell_contents.methods = route.methods
