"""The active locale of a request or a mail, its catalogs, and the gettext functions.

The catalogs are read from the ``.po`` files when the app is created, so a translator's edit
shows after a restart with no compile step. The active locale lives in a context variable: the
request middleware sets it, ``use_locale`` sets it around a mail rendered for its recipient.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

from mupass_forum.paths import project_dir
from mupass_forum.settings import Settings

log = logging.getLogger(__name__)

CATALOG_DOMAIN = "messages"
#: The language the message ids are written in: its catalog may leave any of them as is.
SOURCE_LOCALE = "en"


class CatalogError(RuntimeError):
    """A configured locale has no readable catalog."""


@dataclass(frozen=True)
class Catalogs:
    """The translations of every configured locale, the first fallback being the default."""

    locales: tuple[str, ...]
    default_locale: str
    default_timezone: str
    translations: Mapping[str, Translations]
    #: The message ids each locale has a reviewed (not fuzzy) translation of.
    translated: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The languages content is served in when it lacks the reader's, in order.
    content_fallback: tuple[str, ...] = ("en",)

    @classmethod
    def load(
        cls,
        locales_dir: Path,
        locales: Sequence[str],
        default_locale: str,
        default_timezone: str = "UTC",
    ) -> Catalogs:
        translations = {}
        translated: dict[str, frozenset[str]] = {}
        for locale in locales:
            po_path = locales_dir / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
            try:
                read = _read_catalog(locale, po_path.read_bytes())
            except FileNotFoundError as exc:
                raise CatalogError(
                    f"the locale {locale!r} has no catalog at {po_path}; "
                    f"create it with `mupass-forum i18n init {locale}`"
                ) from exc
            except (OSError, ValueError) as exc:
                raise CatalogError(f"cannot read the catalog of {locale!r} at {po_path}") from exc
            translations[locale] = read.translations
            translated[locale] = read.translated
            _warn_if_incomplete(locale, po_path, read.done, read.total)
        return cls(tuple(locales), default_locale, default_timezone, translations, translated)

    def is_translated(self, locale: str, message: str) -> bool:
        """Whether ``locale``'s catalog has its own translation of ``message`` (rather than
        showing the English text in its place)."""
        return message in self.translated.get(locale, frozenset())


@dataclass(frozen=True)
class _ReadCatalog:
    translations: Translations
    translated: frozenset[str]
    #: How many entries are translated, and how many there are.
    done: int
    total: int


@functools.lru_cache(maxsize=16)
def _read_catalog(locale: str, po_content: bytes) -> _ReadCatalog:
    """A ``.po`` file's content, parsed and compiled; an app built again in the same process
    (the tests build many) parses a catalog again only when its content has changed."""
    catalog = read_po(io.BytesIO(po_content), locale=locale, domain=CATALOG_DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    done = _done(catalog)
    return _ReadCatalog(
        Translations(fp=compiled, domain=CATALOG_DOMAIN),
        _translated_ids(done),
        len(done),
        len(catalog),
    )


def _done(catalog: Catalog) -> list[Message]:
    """The catalog's translated entries (one English text may have several, by context)."""
    done = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if all(forms):
            done.append(message)
    return done


def _translated_ids(done: list[Message]) -> frozenset[str]:
    return frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in done)


def _warn_if_incomplete(locale: str, po_path: Path, translated: int, total: int) -> None:
    """A configured language shows English wherever its catalog has a gap: say so at start."""
    if total and translated < total:
        log.warning(
            "the catalog of %r is %d %% translated (%d of %d messages, %s): the rest is shown "
            "in English; `mupass-forum i18n status` lists the gaps",
            locale,
            translated * 100 // total,
            translated,
            total,
            po_path,
        )


@dataclass(frozen=True, slots=True)
class ActiveLocale:
    locale: str
    translations: Translations
    timezone: ZoneInfo
    #: True when the caller named the locale explicitly (``?lang=``); a stored preference
    #: does not override an explicit choice.
    explicit: bool = False


#: The catalogs of the app this code runs for (``app_context.bound`` sets them).
catalogs_in_use: ContextVar[Catalogs | None] = ContextVar("mupass_catalogs", default=None)
_active: ContextVar[ActiveLocale | None] = ContextVar("mupass_active_locale", default=None)


def load_catalogs(settings: Settings) -> Catalogs:
    """The catalogs of ``settings``, for an app's context (``app.build_context``)."""
    locales_dir = Path(settings.locales_dir) if settings.locales_dir else project_dir("locales")
    loaded = Catalogs.load(
        locales_dir, settings.locales, settings.default_locale, settings.default_timezone
    )
    return dataclasses.replace(loaded, content_fallback=settings.content_fallback)


def catalogs() -> Catalogs:
    installed = catalogs_in_use.get()
    if installed is None:
        raise CatalogError("no catalogs are in use; create_app binds its app's catalogs")
    return installed


def supported_locales() -> tuple[str, ...]:
    return catalogs().locales


def content_preference(reader: str) -> tuple[str, ...]:
    """The languages a reader of ``reader`` gets content in, best first, before its original:
    their own, then the configured fallbacks (``MUPASS_CONTENT_FALLBACK``)."""
    installed = catalogs_in_use.get()
    fallback = installed.content_fallback if installed is not None else ()
    return (reader, *(code for code in fallback if code != reader))


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


class request_locale:
    """A context of its own for one request: no locale active until ``activate`` names one,
    and whatever was active before comes back afterwards. (A class: entered for every
    request, it costs less than a generator.)"""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _active.set(None)

    def __exit__(self, *_: object) -> None:
        _active.reset(self._token)


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


class ContextText(str):
    """A message with its context (``msgctxt``): one English word that other languages
    translate in two ways ("Cancelled" of a forum, of a registration). ``gettext`` looks it
    up in its context, so a label table can hold it like any other message."""

    __slots__ = ("context",)
    context: str

    def __new__(cls, context: str, message: str) -> ContextText:
        text = super().__new__(cls, message)
        text.context = context
        return text


class PluralText(tuple[str, str]):
    """A counted message marked for the catalogs (``NP_``), translated later with a count."""

    __slots__ = ()

    def __new__(cls, singular: str, plural: str) -> PluralText:
        return super().__new__(cls, (singular, plural))

    @property
    def singular(self) -> str:
        return self[0]

    @property
    def plural(self) -> str:
        return self[1]

    def translate(self, n: int, /, **params: Any) -> str:
        return ngettext(self.singular, self.plural, n, **params)


def gettext(message: str, /, **params: Any) -> str:
    """Translate ``message`` into the active locale and fill its ``{named}`` placeholders."""
    if isinstance(message, ContextText):
        return pgettext(message.context, str(message), **params)
    return _format(active().translations.ugettext(message), message, params)


def pgettext(context: str, message: str, /, **params: Any) -> str:
    """``gettext`` for a message with a context (``msgctxt``)."""
    return _format(active().translations.upgettext(context, message), message, params)


def npgettext(context: str, singular: str, plural: str, n: int, /, **params: Any) -> str:
    """``ngettext`` for a message with a context (``msgctxt``)."""
    translated = active().translations.unpgettext(context, singular, plural, n)
    return _format(translated, singular if n == 1 else plural, {"n": n, **params})


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


def NC_(context: str, message: str) -> ContextText:
    """Mark ``message`` with its context for the catalogs; ``gettext`` translates it in it."""
    return ContextText(context, message)


def NP_(singular: str, plural: str) -> PluralText:
    """Mark a counted message for the catalogs; ``PluralText.translate`` picks its form."""
    return PluralText(singular, plural)


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


#: A language tag as BCP 47 spells one (``de``, ``es-419``, ``zh-Hant-TW``), ``_`` allowed too.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def is_language_tag(value: str) -> bool:
    """Whether ``value`` is shaped like a language tag (whether or not the service has it)."""
    return bool(_LANGUAGE_TAG.match(value))


def match_locale(tag: str, supported: Sequence[str]) -> str | None:
    """The supported locale a language tag reaches: ``FR`` and ``fr-CA`` reach ``fr``,
    ``DE-de`` and ``de-AT`` reach ``de``, ``es-419`` reaches ``es``. Tags are case-insensitive
    (BCP 47); a region or script the service does not have falls back to its language."""
    if not is_language_tag(tag):
        return None
    by_lower = {locale.lower().replace("_", "-"): locale for locale in supported}
    subtags = tag.lower().replace("_", "-").split("-")
    while subtags:
        found = by_lower.get("-".join(subtags))
        if found is not None:
            return found
        subtags.pop()
    return None


def negotiate(accept_language: str | None, supported: Sequence[str]) -> str | None:
    """The supported locale that best matches an ``Accept-Language`` header: the first
    wanted language the service has, regional variants reaching their language."""
    if not accept_language:
        return None
    for tag in parse_accept_language(accept_language):
        found = match_locale(tag, supported)
        if found is not None:
            return found
    return None
