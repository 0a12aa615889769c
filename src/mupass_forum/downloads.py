"""Names of the files the service hands out, in the reader's language.

A name is a translated text (``N_("photo-list-{forum}")``) so that a German organizer saves
"fotoliste-…" and a Spanish one "lista-de-fotos-…". ``Content-Disposition`` carries it twice
(RFC 6266): ``filename*`` in UTF-8 for today's browsers and ``filename`` in plain ASCII for
older clients, with accents dropped and anything that could leave the quotes or name another
folder replaced.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from mupass_forum.i18n import gettext
from mupass_forum.i18n.collation import ascii_text

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(message: str, extension: str, **params: Any) -> str:
    """``message`` (a file name without extension, to translate) with ``extension``."""
    return f"{gettext(message, **params)}.{extension}"


def ascii_name(name: str) -> str:
    """``name`` in plain ASCII: "liste-à-évaluer.csv" -> "liste-a-evaluer.csv"."""
    plain = ascii_text(name).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", plain).strip("-.") or "download"


def content_disposition(name: str, *, download: bool = True) -> str:
    """The ``Content-Disposition`` of a file called ``name`` (saved, or shown: ``download``)."""
    kind = "attachment" if download else "inline"
    fallback = ascii_name(name)
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
