"""Dates, times and numbers in the reader's locale and time zone, always through Babel."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any, Literal

from babel import dates, numbers
from babel.core import Locale

from mupass_forum.i18n.locale import N_, babel_locale, current_timezone, gettext

Width = Literal["full", "long", "medium", "short"]


def _aware(value: dt.datetime) -> dt.datetime:
    local = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return local.astimezone(current_timezone())


# Babel reads its patterns anew for every call, which pages and lists of forums pay per date:
# the texts of the dates a process shows are kept instead (a date, a locale: one text).


def format_date(value: dt.date | dt.datetime, width: Width = "full") -> str:
    """``Montag, 28. Oktober 2019`` / ``lundi 28 octobre 2019``."""
    if isinstance(value, dt.datetime):
        value = _aware(value).date()
    return _date_text(value, width, babel_locale())


@functools.lru_cache(maxsize=4096)
def _date_text(value: dt.date, width: Width, locale: Locale) -> str:
    return dates.format_date(value, format=width, locale=locale)


def format_time(value: dt.datetime | dt.time, width: Width = "short") -> str:
    if isinstance(value, dt.datetime):
        value = _aware(value)
        # Equal instants in other zones are equal datetimes: the zone is part of the key.
        return _time_text(value, str(value.tzinfo), width, babel_locale())
    return dates.format_time(value, format=width, locale=babel_locale())


@functools.lru_cache(maxsize=4096)
def _time_text(value: dt.datetime, zone: str, width: Width, locale: Locale) -> str:
    return dates.format_time(value, format=width, tzinfo=value.tzinfo, locale=locale)


def format_datetime(value: dt.datetime, width: Width = "medium") -> str:
    value = _aware(value)
    return dates.format_datetime(value, format=width, tzinfo=value.tzinfo, locale=babel_locale())


def format_datetime_with_zone(value: dt.datetime) -> str:
    """``28.10.2030, 09:00 (Mitteleuropäische Normalzeit)``: a date and time on a page, in the
    reader's time zone, which it names (readers are spread over several)."""
    local = _aware(value)
    locale = babel_locale()
    # A page of posts shows one per post: its parts are kept per date, per minute of the day
    # and per zone (the short time has no seconds; the zone's name changes with summer time).
    return gettext(
        N_("{datetime} ({timezone})"),
        datetime=_datetime_glue(locale)
        .replace("{0}", _minute_text(local.hour, local.minute, locale))
        .replace("{1}", _date_text(local.date(), "medium", locale)),
        timezone=_zone_name(local, locale),
    )


@functools.lru_cache(maxsize=64)
def _datetime_glue(locale: Locale) -> str:
    # CLDR's own glue of a date and a time ("{1}, {0}", "{1} 'à' {0}", ...).
    return str(locale.datetime_formats["medium"]).replace("'", "")


@functools.lru_cache(maxsize=4096)
def _minute_text(hour: int, minute: int, locale: Locale) -> str:
    return dates.format_time(dt.time(hour, minute), format="short", locale=locale)


#: A zone's name by zone, summer time and offset (Babel falls back to "GMT+02:00").
_zone_names: dict[tuple[dt.tzinfo | None, Any, Any, Locale], str] = {}


def _zone_name(local: dt.datetime, locale: Locale) -> str:
    key = (local.tzinfo, local.dst(), local.utcoffset(), locale)
    name = _zone_names.get(key)
    if name is None:
        if len(_zone_names) >= 1024:
            _zone_names.clear()
        name = _zone_names[key] = str(dates.get_timezone_name(local, width="long", locale=locale))
    return name


def format_timezone(value: dt.datetime) -> str:
    """``Mitteleuropäische Normalzeit``: the reader's time zone at ``value``, named in their
    language (for a list of times that names its zone once)."""
    return _zone_name(_aware(value), babel_locale())


def format_date_interval(start: dt.date, end: dt.date, skeleton: str = "yMMMMd") -> str:
    """``28.–30. Okt. 2019`` / ``28–30 de octubre de 2019``; one date when both are the same."""
    return _interval_text(start, end, skeleton, babel_locale())


@functools.lru_cache(maxsize=4096)
def _interval_text(start: dt.date, end: dt.date, skeleton: str, locale: Locale) -> str:
    return str(dates.format_interval(start, end, skeleton, locale=locale))


#: CLDR's minimumGroupingDigits of 2, which Babel does not apply: these languages group a
#: number's digits only from five on ("1234" but "12.345" in Spanish).
_GROUPED_FROM_FIVE_DIGITS = frozenset({"es", "pl", "pt_PT", "hr", "lv", "bg", "lt", "et"})


def format_number(value: int | float | Decimal) -> str:
    locale = babel_locale()
    grouped = abs(Decimal(value)) >= 10_000 or not (
        locale.language in _GROUPED_FROM_FIVE_DIGITS or str(locale) in _GROUPED_FROM_FIVE_DIGITS
    )
    return numbers.format_decimal(value, locale=locale, group_separator=grouped)


def format_percent(value: float | Decimal, decimals: int = 0) -> str:
    """``value`` (0.4 for 40 %) as the reader's locale writes a percentage, with ``decimals``
    places: "40%" in English, "40 %" (a no-break space) in German, French and Spanish."""
    locale = babel_locale()
    pattern = numbers.parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    return str(pattern.apply(value, locale))


def language_name(code: str, locale: Locale | None = None) -> str:
    """The name of a language (ISO 639-1) in the reader's language, from CLDR."""
    return _language_text(code, locale or babel_locale())


@functools.lru_cache(maxsize=1024)
def _language_text(code: str, locale: Locale) -> str:
    return str(locale.languages.get(code, code))
