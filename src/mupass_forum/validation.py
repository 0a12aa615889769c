"""Checks of single input fields that several domains share.

Each check returns a ``FieldError`` (or ``None`` when the value is fine), so a service can
collect every problem of a request and refuse it once with ``raise_problems``.
"""

from __future__ import annotations

import functools
import re
import zoneinfo

from mupass_forum import regions
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_, supported_locales

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


def raise_problems(*problems: FieldError | None) -> None:
    """Refuse the request with every problem found, if any."""
    found = [problem for problem in problems if problem is not None]
    if found:
        raise InvalidInput(*found)


def required_problem(value: str, pointer: str) -> FieldError | None:
    if value.strip():
        return None
    return FieldError(N_("This field is required."), "required", pointer=pointer)


def email_problem(email: str, pointer: str = "/email") -> FieldError | None:
    if EMAIL.match(email):
        return None
    return FieldError(N_("This is not a valid email address."), "invalid_email", pointer=pointer)


def locale_problem(locale: str, pointer: str = "/locale") -> FieldError | None:
    supported = supported_locales()
    if locale in supported:
        return None
    return FieldError(
        N_("Use one of: {supported}."),
        "unsupported_locale",
        pointer=pointer,
        params={"supported": ", ".join(supported)},
    )


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


#: The areas of the time zones offered for choosing (the IANA database also has aliases such
#: as ``US/Eastern`` and ``Etc/GMT+3``, which are accepted but not offered).
_CHOOSABLE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def choosable_time_zones() -> tuple[str, ...]:
    """The time zones a person picks from on a page: UTC and every Area/City, sorted."""
    return ("UTC", *sorted(name for name in _time_zones() if name.startswith(_CHOOSABLE_AREAS)))


def is_time_zone(name: str) -> bool:
    """An IANA time zone name such as Europe/Berlin (or UTC)."""
    return name in _time_zones()


def timezone_problem(name: str, pointer: str = "/timezone") -> FieldError | None:
    if is_time_zone(name):
        return None
    return FieldError(
        N_("This is not a known time zone (such as Europe/Berlin or Africa/Nairobi)."),
        "unknown_timezone",
        pointer=pointer,
    )


def unknown_country(*, pointer: str | None = None, parameter: str | None = None) -> FieldError:
    """Refuse a country code, at ``pointer`` in the body or at query ``parameter``."""
    return FieldError(
        N_("Expected a two-letter ISO 3166 country code such as DE, GH or CO."),
        "unknown_country",
        pointer=pointer,
        parameter=parameter,
    )


def country_problem(country: str, pointer: str = "/country") -> FieldError | None:
    """A country code (ISO 3166-1 alpha-2, as ``regions`` knows them)."""
    if regions.is_country(country.strip().upper()):
        return None
    return unknown_country(pointer=pointer)


def website_problem(website: str, pointer: str = "/website") -> FieldError | None:
    if not website or WEBSITE.match(website):
        return None
    return FieldError(
        N_("Expected a web address starting with https:// or http://."),
        "invalid_url",
        pointer=pointer,
    )
