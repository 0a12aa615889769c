"""Domain errors and their rendering as RFC 9457 ``application/problem+json``.

Services raise ``DomainError`` subclasses carrying a stable ``code``, a message id and its
arguments; the text is translated only when the problem is rendered, in the reader's locale.
Services never raise HTTP exceptions; this module is the one place that maps errors to HTTP.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

import asyncpg
import msgspec
from babel.dates import format_timedelta
from babel.lists import format_list
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from mupass_forum.i18n import N_, NP_, PluralText, gettext
from mupass_forum.i18n.locale import babel_locale
from mupass_forum.request_scope import current_request_id, is_page_path

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

#: Titles by status; a problem's title names the kind of problem, its detail the case.
TITLES: Mapping[int, str] = {
    400: N_("Bad request"),
    401: N_("Sign-in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    410: N_("Gone"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Unprocessable request"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}

DETAILS: Mapping[int, str] = {
    400: N_("The request could not be understood."),
    401: N_("Please sign in to do this."),
    403: N_("You are not allowed to do this."),
    404: N_("There is nothing at {path}."),
    405: N_("The method {method} is not allowed here. Allowed: {allowed}."),
    409: N_("The request conflicts with the current state."),
    410: N_("This is no longer available."),
    413: N_("The request is too large."),
    415: N_("This media type is not supported here."),
    422: N_("The request could not be processed."),
    429: N_("Too many requests. Please try again in {duration}."),
    500: N_(
        "Something went wrong on our side. If it happens again, please quote the "
        "request id {request_id}."
    ),
    503: N_("The service is not available at the moment. Please try again later."),
}


class ProblemStruct(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem as the API sends it."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class FieldError:
    """One invalid field: a JSON pointer into the body, or a query/path parameter name."""

    #: The English text; a counted one (``NP_``) takes its count from the ``n`` parameter.
    message: str | PluralText
    code: str = "invalid"
    pointer: str | None = None
    parameter: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message in the reader's language, placeholders filled."""
        if isinstance(self.message, PluralText):
            params = {key: value for key, value in self.params.items() if key != "n"}
            return self.message.translate(int(self.params["n"]), **params)
        return gettext(self.message, **self.params)

    def render(self) -> dict[str, str]:
        rendered = {"detail": self.text(), "code": self.code}
        if self.pointer is not None:
            rendered["pointer"] = self.pointer
        if self.parameter is not None:
            rendered["parameter"] = self.parameter
        return rendered


class DomainError(Exception):
    """Base of the errors services raise; ``status`` picks the HTTP status when rendered."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        detail: str | None = None,
        /,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.code = code or self.default_code
        self.detail = detail or DETAILS.get(self.status, DETAILS[400])
        self.errors = errors or []
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        self.params = params
        super().__init__(f"{self.code}: {self.detail}")


class BadRequest(DomainError):
    status = 400


class InvalidInput(DomainError):
    """The input is well-formed but some fields are not acceptable."""

    status = 400
    default_code = "invalid_input"

    def __init__(self, *errors: FieldError, detail: str | None = None) -> None:
        super().__init__(
            self.default_code,
            detail or N_("Some fields are not valid. Please correct them and try again."),
            errors=list(errors),
        )


class NotAuthenticated(DomainError):
    status = 401
    default_code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"

    def __init__(self, code: str | None = None, detail: str | None = None, /, **params: Any):
        super().__init__(
            code, detail or N_("This does not exist or is not visible to you."), **params
        )


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class Gone(DomainError):
    status = 410
    default_code = "gone"


class TooManyRequests(DomainError):
    status = 429
    default_code = "rate_limited"

    def __init__(self, retry_after: int, code: str | None = None, detail: str | None = None):
        seconds = max(1, int(retry_after))
        super().__init__(
            code, detail, headers={"Retry-After": str(seconds)}, duration=Duration(seconds)
        )


class Unavailable(DomainError):
    status = 503
    default_code = "unavailable"


def problem_type(code: str) -> str:
    return f"urn:mupass-forum:problem:{code}"


def render_problem(
    status: int,
    code: str,
    detail: str,
    params: Mapping[str, Any] | None = None,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProblemStruct:
    """A problem translated into the active locale."""
    request_id = current_request_id()
    values = {"request_id": request_id, **(params or {})}
    return ProblemStruct(
        type=problem_type(code),
        title=gettext(TITLES.get(status, TITLES[500 if status >= 500 else 400])),
        status=status,
        detail=gettext(detail, **values),
        code=code,
        instance=instance,
        request_id=request_id,
        errors=[error.render() for error in errors] if errors else None,
        extra=dict(extra) if extra else None,
    )


def problem_response(
    problem: ProblemStruct, headers: Mapping[str, str] | None = None
) -> Response[ProblemStruct]:
    return Response(
        problem,
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


#: A problem and the headers of its response, as a handler below decides them.
Answer = tuple[ProblemStruct, Mapping[str, str]]
#: How a problem is shown on a page path (``pages.error_page``; pages build on this module).
PageRenderer = Callable[[Request[Any, Any, Any], ProblemStruct, Mapping[str, str]], Response[Any]]


# Validation messages from msgspec, turned into localized field errors ------------------------

_TYPE_NAMES: Mapping[str, str] = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("nothing"),
}
# i18n: In "Expected {expected}, got {actual}.": a kind of value with no name of its own.
OTHER_TYPE = N_("a value of another kind")

_RULES: list[tuple[re.Pattern[str], str, str | PluralText]] = [
    (
        re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"),
        "unknown_field",
        N_("This field is not accepted here."),
    ),
    (
        re.compile(r"Object missing required field `(?P<field>[^`]+)`"),
        "required",
        N_("This field is required."),
    ),
    (
        re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<actual>[^`]+)`"),
        "wrong_type",
        N_("Expected {expected}, got {actual}."),
    ),
    (
        re.compile(r"Expected `str` of length >= (?P<n>\d+)"),
        "too_short",
        NP_("Must be at least {n} character long.", "Must be at least {n} characters long."),
    ),
    (
        re.compile(r"Expected `str` of length <= (?P<n>\d+)"),
        "too_long",
        NP_("Must be at most {n} character long.", "Must be at most {n} characters long."),
    ),
    (
        re.compile(r"Expected `array` of length >= (?P<n>\d+)"),
        "too_few",
        NP_("Must contain at least {n} item.", "Must contain at least {n} items."),
    ),
    (
        re.compile(r"Expected `array` of length <= (?P<n>\d+)"),
        "too_many",
        NP_("Must contain at most {n} item.", "Must contain at most {n} items."),
    ),
    (
        re.compile(r"Expected `(?:int|float)` >= (?P<limit>[-\d.]+)"),
        "too_small",
        N_("Must be at least {limit}."),
    ),
    (
        re.compile(r"Expected `(?:int|float)` <= (?P<limit>[-\d.]+)"),
        "too_large",
        N_("Must be at most {limit}."),
    ),
    (
        re.compile(r"Expected `(?:int|float)` > (?P<limit>[-\d.]+)"),
        "too_small",
        N_("Must be greater than {limit}."),
    ),
    (
        re.compile(r"Expected `(?:int|float)` < (?P<limit>[-\d.]+)"),
        "too_large",
        N_("Must be less than {limit}."),
    ),
    (
        re.compile(r"Expected `str` matching regex"),
        "bad_format",
        N_("This value does not have the expected format."),
    ),
    (
        re.compile(r"Invalid enum value"),
        "invalid_choice",
        N_("This value is not one of the allowed choices."),
    ),
    (
        re.compile(r"Invalid (?:RFC 3339 encoded )?(?:datetime|date|time)"),
        "bad_datetime",
        N_("Expected a date or time in ISO 8601 format."),
    ),
    (re.compile(r"Invalid UUID"), "bad_uuid", N_("Expected a UUID.")),
]


def _pointer(key: str, field_name: str | None) -> str:
    """``inner.x`` or ``tags[0]`` (Litestar's key) as a JSON pointer; ``data`` is the body."""
    parts = [] if key in ("", "data") else re.split(r"\.|\[(\d+)\]", key)
    segments = [part for part in parts if part]
    if field_name:
        segments.append(field_name)
    escaped = [segment.replace("~", "~0").replace("/", "~1") for segment in segments]
    return "/" + "/".join(escaped) if escaped else ""


def field_error_from_message(message: str, key: str, source: str) -> FieldError:
    for pattern, code, text in _RULES:
        match = pattern.search(message)
        if match is None:
            continue
        found = match.groupdict()
        name = found.pop("field", None)
        params: dict[str, Any] = {}
        for label in ("expected", "actual"):
            if label in found:
                params[label] = _LazyType(found.pop(label))
        params.update(found)
        return _located(text, code, key, source, name, params)
    return _located(N_("This value is not valid."), "invalid", key, source, None, {})


def _located(
    text: str | PluralText,
    code: str,
    key: str,
    source: str,
    name: str | None,
    params: dict[str, Any],
) -> FieldError:
    if source == "body":
        return FieldError(text, code, pointer=_pointer(key, name), params=params)
    return FieldError(text, code, parameter=name or key, params=params)


class Duration:
    """A wait in the reader's language and its largest whole unit ("15 Minuten", "2 heures"),
    through CLDR's time deltas."""

    #: Seconds per unit, largest first: a wait is rounded up to the unit it is told in, so
    #: that "try again in 2 minutes" is never too early.
    _UNITS = (86400, 3600, 60, 1)

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds

    def __format__(self, spec: str) -> str:
        unit = next(size for size in self._UNITS if self.seconds >= size or size == 1)
        rounded = -(-self.seconds // unit) * unit
        return format_timedelta(
            dt.timedelta(seconds=rounded), threshold=1, format="long", locale=babel_locale()
        )


class _LazyType:
    """A msgspec type name (``str | null`` for a union), in words of the reader's language:
    "text or nothing", never a programmer's name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        words = [
            gettext(_TYPE_NAMES.get(part.strip(), OTHER_TYPE)) for part in self.name.split("|")
        ]
        unique = list(dict.fromkeys(words))
        return str(format_list(unique, style="or", locale=babel_locale()))


# Exception handlers ----------------------------------------------------------------------------


def _domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Answer:
    problem = render_problem(
        exc.status,
        exc.code,
        exc.detail,
        exc.params,
        instance=request.url.path,
        errors=exc.errors,
        extra=exc.extra,
    )
    return problem, exc.headers


def _validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Answer:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        field_error_from_message(
            str(item.get("message", "")), str(item.get("key", "")), str(item.get("source", ""))
        )
        for item in extra
        if isinstance(item, dict)
    ]
    if not errors:
        return _http_error_handler(request, exc)
    code, detail = (
        "invalid_input",
        N_("Some fields are not valid. Please correct them and try again."),
    )
    problem = render_problem(400, code, detail, instance=request.url.path, errors=errors)
    return problem, {}


#: What Litestar's CSRF middleware says when a page's form comes without a valid token.
CSRF_FAILED = "CSRF token verification failed"

_HTTP_CODES: Mapping[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


def _http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Answer:
    status = exc.status_code
    if status >= 500:
        return _server_error_handler(request, exc)
    headers = dict(exc.headers or {})
    params: dict[str, Any] = {"path": request.url.path, "method": request.method}
    params["allowed"] = headers.get("allow", headers.get("Allow", ""))
    retry_after = str(headers.get("retry-after", headers.get("Retry-After", "1")))
    params["duration"] = Duration(int(retry_after) if retry_after.isdigit() else 1)
    code = _HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    detail = DETAILS.get(status, DETAILS[400])
    if status == 400 and "malformed" in str(exc.detail).lower():
        code, detail = "malformed_body", N_("The request body is not valid JSON.")
    if status == 403 and exc.detail == CSRF_FAILED:
        code = "csrf_failed"
        detail = N_(
            "This form has expired or was not sent from this site. Nothing was changed. Please "
            "go back, reload the page and send the form again."
        )
    problem = render_problem(status, code, detail, params, instance=request.url.path)
    return problem, headers


def _number_out_of_range(exc: Exception) -> bool:
    """Whether the database driver refused a number too large for its column (SQLite's 64
    bits, PostgreSQL's ``integer``); requests are checked before, this is the last line."""
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, asyncpg.DataError) and "out of" in str(exc) and "range" in str(exc)


def _server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Answer:
    if _number_out_of_range(exc):
        log.warning("a number out of range reached the database: %s", exc)
        problem = render_problem(
            400,
            "out_of_range",
            N_("A number in the request is too large or too small."),
            instance=request.url.path,
        )
        return problem, {}
    log.error(
        "unhandled error in %s %s (request id %s)",
        request.method,
        request.url.path,
        current_request_id(),
        exc_info=exc,
    )
    problem = render_problem(500, "internal_error", DETAILS[500], instance=request.url.path)
    return problem, {}


def exception_handlers(page: PageRenderer) -> ExceptionHandlersMap:
    """Every error as the API's problem+json, or as a page where people are (not under /api)."""

    def responding(
        handler: Callable[[Request[Any, Any, Any], Any], Answer],
    ) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
        def respond(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
            problem, headers = handler(request, exc)
            if is_page_path(request.url.path):
                return page(request, problem, headers)
            return problem_response(problem, headers)

        return respond

    return {
        DomainError: responding(_domain_error_handler),
        ValidationException: responding(_validation_handler),
        HTTPException: responding(_http_error_handler),
        Exception: responding(_server_error_handler),
    }


__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "BadRequest",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "Gone",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "ProblemStruct",
    "TooManyRequests",
    "Unavailable",
    "exception_handlers",
    "render_problem",
]
