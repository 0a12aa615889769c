"""``{locale: text}`` maps for category names and descriptions.

Reads pick the reader's locale, then the text's original locale, then any; the caller is told
which locale it got.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from mupass_forum.errors import FieldError
from mupass_forum.i18n import N_, supported_locales


def decode(raw: str | bytes | Mapping[str, str] | None) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    return dict(msgspec.json.decode(raw, type=dict[str, str]))


def pick(texts: Mapping[str, str], locale: str, original_locale: str) -> tuple[str, str]:
    """The text to show a reader of ``locale`` and the locale it is in."""
    for candidate in (locale, original_locale):
        if texts.get(candidate):
            return texts[candidate], candidate
    for candidate, text in sorted(texts.items()):
        if text:
            return text, candidate
    return "", original_locale


def problems(texts: Mapping[str, str], pointer: str, *, required: bool) -> list[FieldError]:
    """Unknown locales, and an empty map where a text is required."""
    supported = supported_locales()
    found = [
        FieldError(
            N_("Use one of: {supported}."),
            "unsupported_locale",
            pointer=f"{pointer}/{key}",
            params={"supported": ", ".join(supported)},
        )
        for key in texts
        if key not in supported
    ]
    if required and not any(text.strip() for text in texts.values()):
        found.append(FieldError(N_("This field is required."), "required", pointer=pointer))
    return found
