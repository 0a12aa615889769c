"""Extra header fields that a caller puts on a mail (``queue_mail(..., headers={...})``).

Callers are code, not people: a header they may not set is a programming error (``ValueError``).
The mail package owns the fields that make a mail what it is (sender, recipients, subject, date,
Message-ID, ``Auto-Submitted``) and the MIME structure; anything else with a well-formed name and
a one-line value goes through, written on the wire exactly as given when it is ASCII.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email.headerregistry import BaseHeader, UnstructuredHeader
from email.policy import Policy

#: Set by the mail package itself, or describing the envelope the relay decides on.
OWNED = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "auto-submitted",
        "mime-version",
    }
)
#: RFC 5322 field names: printable US-ASCII except the colon.
_FIELD_NAME = re.compile(r"[!-9;-~]+")
#: The longest line RFC 5322 allows, without its CRLF.
_MAX_LINE = 998


def _is_owned(name: str) -> bool:
    lowered = name.lower()
    return lowered in OWNED or lowered.startswith("content-")


def checked(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` as stored with the mail; ``ValueError`` for a field the caller may not set."""
    result: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"mail header name {name!r} is not a valid field name")
        if _is_owned(name):
            raise ValueError(f"mail header {name!r} is set by the mail package itself")
        if name.lower() in seen:
            raise ValueError(f"mail header {name!r} is given twice")
        if not isinstance(value, str):
            raise ValueError(f"mail header {name!r} needs a text value, not {value!r}")
        # A line break would start a header of the caller's choosing; other control
        # characters have no place in a header either.
        if any((ord(char) < 32 and char != "\t") or ord(char) == 127 for char in value):
            raise ValueError(f"mail header {name!r} contains a line break or control character")
        if len(name) + 2 + len(value) > _MAX_LINE:
            raise ValueError(f"mail header {name!r} is longer than a mail line may be")
        seen.add(name.lower())
        result[name] = value
    return result


def to_json(headers: Mapping[str, str]) -> str:
    return json.dumps(dict(headers), ensure_ascii=False)


def from_json(stored: str) -> dict[str, str]:
    return dict(json.loads(stored)) if stored else {}


class _AsGiven(UnstructuredHeader, BaseHeader):
    """A header written on one line as given when it is ASCII.

    The standard folding turns a long word it cannot break, such as the URL in
    ``List-Unsubscribe``, into RFC 2047 encoded words, which mail programs do not decode there.
    Values that are not ASCII have to be encoded anyway and are folded as usual.
    """

    def fold(self, *, policy: Policy) -> str:
        if str(self).isascii():
            return f"{self.name}: {self}{policy.linesep}"
        return super().fold(policy=policy)


def header(name: str, value: str) -> BaseHeader:
    """A header object for ``message[name] = header(name, value)``."""
    return _AsGiven(name, value)
