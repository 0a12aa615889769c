"""Sorting and matching text as a reader of a language expects, with ICU (CLDR's collation rules).

ICU's collators carry each language's tailoring: "Émirats arabes unis" sorts among the E's in
French, "Österreich" with the O's in German, and Spanish puts "ñ" after "n".
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

from mupass_forum.i18n.locale import current_locale

T = TypeVar("T")

# ICU's collators and transliterators keep state between calls: one caller at a time.
_icu_lock = threading.Lock()


@functools.cache
def _collator(locale: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(locale))


@functools.cache
def _folding() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Latin-ASCII; Lower")


@functools.cache
def _romanizing() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def ascii_text(text: str) -> str:
    """``text`` in plain ASCII letters, as ICU romanizes it: "Straße" -> "Strasse",
    "Ouédraogo" -> "Ouedraogo", "陈" -> "chen"."""
    with _icu_lock:
        return str(_romanizing().transliterate(text))


def sort_key(text: str, locale: str | None = None) -> bytes:
    """A key that orders ``text`` as a reader of ``locale`` (default: the active one) expects."""
    collator = _collator(locale or current_locale())
    with _icu_lock:
        return bytes(collator.getSortKey(text))


def collated(items: Iterable[T], name: Callable[[T], str], locale: str | None = None) -> list[T]:
    """``items`` sorted by ``name(item)`` in the order of ``locale`` (default: the active one)."""
    chosen = locale or current_locale()
    return sorted(items, key=lambda item: sort_key(name(item), chosen))


def search_form(text: str) -> str:
    """``text`` without accents and case, for matching what people type: "Émirats" -> "emirats"."""
    with _icu_lock:
        return str(_folding().transliterate(text))


def word_prefix(query: str) -> re.Pattern[str] | None:
    """A pattern finding ``query`` at the start of a word of a ``search_form`` text.

    ``None`` when the query is blank, meaning "no filter".
    """
    folded = search_form(query.strip())
    return re.compile(r"(?<!\w)" + re.escape(folded)) if folded else None
