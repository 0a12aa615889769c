"""Times come back from either database as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mupass_forum.clock import as_utc, as_utc_or_none, now


def test_stored_times_are_read_as_utc() -> None:
    moment = datetime(2030, 5, 4, 10, 30, tzinfo=UTC)
    # PostgreSQL's aware datetimes, SQLite's text with and without its offset.
    assert as_utc(moment) == moment
    assert as_utc(moment.astimezone(timezone(timedelta(hours=2)))).tzinfo == UTC
    assert as_utc("2030-05-04T10:30:00+00:00") == moment
    assert as_utc("2030-05-04T12:30:00+02:00") == moment
    assert as_utc("2030-05-04 10:30:00") == moment
    assert as_utc(datetime(2030, 5, 4, 10, 30)) == moment
    assert as_utc_or_none(None) is None
    assert now().tzinfo == UTC
