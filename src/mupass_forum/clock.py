"""The service's clock: every time it stores or compares is aware and in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: Any) -> datetime:
    """A stored time as the database hands it back (a ``datetime``, or SQLite's ISO text),
    aware and in UTC; a time without its zone was stored in UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_utc_or_none(value: Any) -> datetime | None:
    return None if value is None else as_utc(value)
