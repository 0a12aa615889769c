"""Rows from either database read as the same typed struct."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import pytest

from mupass_forum.rows import Moment, row_as, rows_as


class _Row(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    shown: bool
    at: Moment
    day: date
    note: str | None


def test_rows_read_alike_from_both_databases() -> None:
    moment = datetime(2030, 5, 4, 10, 30, tzinfo=UTC)
    postgres = {"id": 1, "shown": True, "at": moment, "day": date(2030, 5, 4), "note": None}
    # SQLite: booleans as 0/1, times computed in SQL and dates as ISO text, extra columns.
    sqlite = {
        "id": 1,
        "shown": 1,
        "at": "2030-05-04 10:30:00+00:00",
        "day": "2030-05-04",
        "note": None,
        "other": "ignored",
    }
    assert row_as(postgres, _Row) == row_as(sqlite, _Row)
    assert rows_as([postgres, sqlite], _Row) == [row_as(postgres, _Row)] * 2
    assert row_as(sqlite, _Row).at == moment


def test_a_time_without_its_zone_is_refused() -> None:
    row = {"id": 1, "shown": 0, "at": "2030-05-04 10:30:00", "day": "2030-05-04", "note": ""}
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        row_as(row, _Row)
