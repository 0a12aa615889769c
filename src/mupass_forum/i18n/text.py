"""Translatable content: a ``{locale: text}`` map with the locale it was written in.

Forum titles, programme items, board categories and consent notices are written by people in
one language and translated into others. This module is the one place that decides what such a
map may contain and which text a reader gets:

- at the edge, ``parse_text(raw, pointer)`` checks a map sent by a client (keys restricted to
  the configured locales, blank texts dropped, at least one text) and records its original
  locale; problems come back as ``FieldError`` s with JSON pointers such as ``/title/pt``;
- in storage, ``TranslatableText.to_json()`` / ``from_json()`` give the value of one JSON
  column, ``{"original": "de", "texts": {"de": "...", "en": "..."}}``;
- on reads, ``localize(text)`` picks the reader's locale, else the configured fallbacks
  (``MUPASS_CONTENT_FALLBACK``, English by default), else the original, else any, and says
  which one it served, with the original text one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n.locale import (
    N_,
    NP_,
    content_preference,
    current_locale,
    supported_locales,
)


@dataclass(frozen=True, slots=True)
class TranslatableText:
    """A text in one or more locales; ``original`` is the locale it was written in."""

    texts: Mapping[str, str]
    original: str

    def to_json(self) -> dict[str, Any]:
        """The value stored in a JSON column."""
        return {"original": self.original, "texts": dict(self.texts)}

    @classmethod
    def from_json(cls, value: str | bytes | Mapping[str, Any]) -> TranslatableText:
        """Read a stored value (the database may hand JSON over as text or already decoded)."""
        stored = value if isinstance(value, Mapping) else msgspec.json.decode(value)
        return cls(texts=stored["texts"], original=stored["original"])

    def best(self, locale: str | None = None) -> str:
        """The text for ``locale`` (default: the reader's), else a fallback, else the original."""
        return localize(self, locale).text


class LocalizedText(msgspec.Struct):
    """A translatable text as one reader gets it."""

    #: The text in ``locale``.
    text: str
    #: The locale served: the reader's when there is a text in it, else the first configured
    #: fallback that has one, else the original one.
    locale: str
    #: The locale the text was written in.
    original_locale: str
    #: True when the reader's locale had no text and another one was served.
    is_fallback: bool
    #: The text in its original locale, when another one was served ("show the original").
    original_text: str | None
    #: Every locale the text exists in.
    locales: list[str]


def localize(text: TranslatableText, locale: str | None = None) -> LocalizedText:
    """The text for ``locale`` (default: the reader's), else for the configured fallback
    languages in turn (English by default), else the original, else any."""
    wanted = locale or current_locale()
    preferred = (*content_preference(wanted), text.original)
    served = next(
        (code for code in preferred if code in text.texts), next(iter(sorted(text.texts)))
    )
    return LocalizedText(
        text=text.texts[served],
        locale=served,
        original_locale=text.original,
        is_fallback=served != wanted,
        original_text=None if served == text.original else text.texts.get(text.original),
        locales=sorted(text.texts),
    )


def localize_stored(value: str | bytes | Mapping[str, Any] | None) -> LocalizedText | None:
    """``localize`` straight from a column's value; None for a column left empty."""
    if value is None or value == "":
        return None
    return localize(TranslatableText.from_json(value))


Built = TypeVar("Built")


class KeptForReaders(Generic[Built]):
    """Values built from a stored row for readers (texts picked, times and names formatted),
    kept by the reader's language (with the content fallbacks) and the whole row read.

    Hot reads (a programme, the list of forums) are read far more often than they change, and
    building them cost more than the rest of their request. A changed row is another key, so
    nothing is kept stale; what is kept is shared by readers and must not be changed.
    """

    def __init__(self, at_most: int = 4096) -> None:
        self._kept: dict[tuple[Any, ...], Built] = {}
        self._at_most = at_most

    def get(self, row: Mapping[str, Any], build: Callable[[], Built], *also: Any) -> Built:
        """What ``build()`` makes of ``row`` for the current reader; ``also``: anything else
        it depends on."""
        locale = current_locale()
        key = (locale, content_preference(locale), *also, *row.values())
        try:
            kept = self._kept.get(key)
        except TypeError:  # a column the driver handed over decoded (a list): not kept
            return build()
        if kept is None:
            if len(self._kept) >= self._at_most:
                self._kept.clear()
            kept = self._kept[key] = build()
        return kept


def text_problems(
    raw: Mapping[str, str],
    pointer: str,
    *,
    original: str | None = None,
    required: bool = True,
    max_length: int | None = None,
) -> tuple[TranslatableText | None, list[FieldError]]:
    """Check a ``{locale: text}`` map sent by a client.

    Blank texts are dropped (an editor clearing one language removes it). The original locale
    is ``original`` when given, else the reader's locale when the map has it, else the map's
    first key. Returns the text (None when the map is empty and not ``required``) and the
    problems found, each pointing into the map.
    """
    supported = supported_locales()
    problems: list[FieldError] = []
    texts: dict[str, str] = {}
    for locale, value in raw.items():
        if locale not in supported:
            problems.append(
                FieldError(
                    N_("{locale} is not one of the languages of this service ({supported})."),
                    "unsupported_locale",
                    pointer=f"{pointer}/{_escape(locale)}",
                    params={"locale": locale, "supported": ", ".join(supported)},
                )
            )
            continue
        stripped = value.strip()
        if not stripped:
            continue
        if max_length is not None and len(stripped) > max_length:
            problems.append(
                FieldError(
                    NP_(
                        "Must be at most {n} character long.",
                        "Must be at most {n} characters long.",
                    ),
                    "too_long",
                    pointer=f"{pointer}/{locale}",
                    params={"n": max_length},
                )
            )
            continue
        texts[locale] = stripped
    if problems:
        return None, problems
    if not texts:
        if not required:
            return None, []
        return None, [
            FieldError(N_("Write this text in at least one language."), "required", pointer=pointer)
        ]
    if original is not None:
        if original not in texts:
            return None, [
                FieldError(
                    N_("There is no text in {locale}, the language given as the original."),
                    "original_locale_missing",
                    pointer=pointer,
                    params={"locale": original},
                )
            ]
        chosen = original
    else:
        reader = current_locale()
        chosen = reader if reader in texts else next(iter(texts))
    return TranslatableText(texts=texts, original=chosen), []


def parse_text(
    raw: Mapping[str, str],
    pointer: str,
    *,
    original: str | None = None,
    max_length: int | None = None,
) -> TranslatableText:
    """``text_problems`` for a single required map: the text, or ``InvalidInput``."""
    text, problems = text_problems(raw, pointer, original=original, max_length=max_length)
    if problems or text is None:
        raise InvalidInput(*problems)
    return text


def _escape(segment: str) -> str:
    """A JSON pointer segment (RFC 6901)."""
    return segment.replace("~", "~0").replace("/", "~1")


__all__ = [
    "KeptForReaders",
    "LocalizedText",
    "TranslatableText",
    "localize",
    "localize_stored",
    "parse_text",
    "text_problems",
]
