"""The active locale of a request or a mail, its catalogs, and the gettext functions.

The catalogs are read from the ``.po`` files when the app is created, so a translator's edit
shows after a restart with no compile step. The active locale lives in a context variable: the
request middleware sets it, ``use_locale`` sets it around a mail rendered for its recipient.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

from mupass_forum.paths import project_dir
from mupass_forum.settings import Settings

log = logging.getLogger(__name__)

CATALOG_DOMAIN = "messages"


class CatalogError(RuntimeError):
    """A configured locale has no readable catalog."""


@dataclass(frozen=True)
class Catalogs:
    """The translations of every configured locale, the first fallback being the default."""

    locales: tuple[str, ...]
    default_locale: str
    default_timezone: str
    translations: Mapping[str, Translations]

    @classmethod
    def load(
        cls,
        locales_dir: Path,
        locales: Sequence[str],
        default_locale: str,
        default_timezone: str = "UTC",
    ) -> Catalogs:
        translations = {}
        for locale in locales:
            po_path = locales_dir / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
            try:
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=locale, domain=CATALOG_DOMAIN)
            except FileNotFoundError as exc:
                raise CatalogError(
                    f"the locale {locale!r} has no catalog at {po_path}; "
                    f"create it with `mupass-forum i18n init {locale}`"
                ) from exc
            except (OSError, ValueError) as exc:
                raise CatalogError(f"cannot read the catalog of {locale!r} at {po_path}") from exc
            compiled = io.BytesIO()
            write_mo(compiled, catalog, use_fuzzy=False)
            compiled.seek(0)
            translations[locale] = Translations(fp=compiled, domain=CATALOG_DOMAIN)
        return cls(tuple(locales), default_locale, default_timezone, translations)


@dataclass(frozen=True, slots=True)
class ActiveLocale:
    locale: str
    translations: Translations
    timezone: ZoneInfo
    #: True when the caller named the locale explicitly (``?lang=``); a stored preference
    #: does not override an explicit choice.
    explicit: bool = False


_catalogs: Catalogs | None = None
_active: ContextVar[ActiveLocale | None] = ContextVar("mupass_active_locale", default=None)


def install(catalogs: Catalogs) -> None:
    """Make ``catalogs`` the process's translations (done by ``create_app``)."""
    global _catalogs
    _catalogs = catalogs


def install_catalogs(settings: Settings) -> None:
    """Load the catalogs of ``settings`` for the whole process."""
    locales_dir = Path(settings.locales_dir) if settings.locales_dir else project_dir("locales")
    install(
        Catalogs.load(
            locales_dir, settings.locales, settings.default_locale, settings.default_timezone
        )
    )


def catalogs() -> Catalogs:
    if _catalogs is None:
        raise CatalogError("no catalogs are installed; create_app installs them")
    return _catalogs


def supported_locales() -> tuple[str, ...]:
    return catalogs().locales


def activate(
    locale: str, timezone: str | ZoneInfo | None = None, *, explicit: bool = False
) -> ActiveLocale:
    """Make ``locale`` the active one in the current context and return it."""
    installed = catalogs()
    if locale not in installed.translations:
        locale = installed.default_locale
    if timezone is None:
        current = _active.get()
        zone = current.timezone if current else ZoneInfo(installed.default_timezone)
    else:
        zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    active = ActiveLocale(locale, installed.translations[locale], zone, explicit)
    _active.set(active)
    return active


@contextlib.contextmanager
def request_locale() -> Iterator[None]:
    """A context of its own for one request: no locale active until ``activate`` names one,
    and whatever was active before comes back afterwards."""
    token = _active.set(None)
    try:
        yield
    finally:
        _active.reset(token)


@contextlib.contextmanager
def use_locale(locale: str, timezone: str | ZoneInfo | None = None) -> Iterator[ActiveLocale]:
    """Render something (a mail, an export) in ``locale`` and ``timezone``, then go back."""
    token = _active.set(_active.get())
    try:
        yield activate(locale, timezone)
    finally:
        _active.reset(token)


def prefer_locale(locale: str | None, timezone: str | None = None) -> None:
    """Apply a signed-in user's stored preferences unless the request named a locale itself."""
    current = _active.get()
    zone = timezone or None
    if current is not None and current.explicit:
        if zone:
            activate(current.locale, zone, explicit=True)
        return
    if locale is not None and locale in catalogs().translations:
        activate(locale, zone)
    elif zone and current is not None:
        activate(current.locale, zone)


def active() -> ActiveLocale:
    current = _active.get()
    return current if current is not None else activate(catalogs().default_locale)


def current_locale() -> str:
    return active().locale


def current_timezone() -> ZoneInfo:
    return active().timezone


def babel_locale() -> Locale:
    return _parsed_locale(current_locale())


@functools.lru_cache(maxsize=64)
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def _format(message: str, fallback: str, params: Mapping[str, Any]) -> str:
    if not params:
        return message
    values = {
        key: str(value) if isinstance(value, LazyProxy) else value for key, value in params.items()
    }
    try:
        return message.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation with broken placeholders must not break the response; the check
        # command reports it to the translators.
        log.warning("placeholders differ in the translation of %r", fallback)
        return fallback.format_map(values)


def gettext(message: str, /, **params: Any) -> str:
    """Translate ``message`` into the active locale and fill its ``{named}`` placeholders."""
    return _format(active().translations.ugettext(message), message, params)


_ = gettext


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """Translate with the plural form the active locale uses for ``n`` (also given as ``{n}``)."""
    translated = active().translations.ungettext(singular, plural, n)
    return _format(translated, singular if n == 1 else plural, {"n": n, **params})


def lazy_gettext(message: str, /, **params: Any) -> LazyProxy:
    """A string translated when it is used, for text defined at import time."""
    return LazyProxy(gettext, message, enable_cache=False, **params)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated later, where it is shown."""
    return message


def parse_accept_language(header: str) -> list[str]:
    """Language tags from an ``Accept-Language`` header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(accept_language: str | None, supported: Sequence[str]) -> str | None:
    """The supported locale that best matches an ``Accept-Language`` header (Babel's rules)."""
    if not accept_language:
        return None
    preferred = parse_accept_language(accept_language)
    found = negotiate_locale(preferred, list(supported), sep="-")
    if found is None:
        found = negotiate_locale([tag.replace("_", "-") for tag in preferred], list(supported))
    return found if found in supported else None
