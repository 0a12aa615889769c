"""Opaque keyset cursors: the last row's sort key, as URL-safe base64 of a JSON array.

Every list that pages with ``?cursor=`` encodes and decodes through these two functions, so a
broken or foreign cursor is refused the same way everywhere.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import KwargDefinition, QueryParameter

from mupass_forum.api_requests import in_range
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_

T = TypeVar("T")

#: ``?cursor=`` of a list that pages with these cursors.
Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the page before")]


def page_size(most: int) -> KwargDefinition:
    """``?limit=``: how many rows a page has, at least 1 and at most ``most``
    (``limit: Annotated[int, page_size(100)] = 20``)."""
    return QueryParameter(ge=1, le=most)


def encode_cursor(key: Sequence[Any]) -> str:
    """A cursor for the sort key ``key`` (JSON-encodable values)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(list(key))).decode().rstrip("=")


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        FieldError(
            N_("This cursor is not valid; take next_cursor from the page before."),
            "invalid_cursor",
            parameter="cursor",
        )
    )


def decode_cursor(cursor: str, key_type: type[T]) -> T:
    """The sort key of ``cursor`` as ``key_type`` (e.g. ``tuple[str, int]``), or a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = msgspec.json.decode(raw, type=key_type)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise invalid_cursor() from exc
    # A forged cursor must not carry a number the database's columns cannot hold.
    values = key if isinstance(key, tuple | list) else (key,)
    if any(isinstance(value, int) and not in_range(value) for value in values):
        raise invalid_cursor()
    return key
