"""Database rows as typed structs, converted once where a query hands them back.

Piccolo and asyncpg return plain mappings of ``Any``; a domain reads its rows through a frozen
``msgspec.Struct`` that names the columns it uses (extra columns are ignored), so mypy sees the
domain from the query on. The same struct reads both databases: SQLite hands back booleans as
0/1 and times computed in SQL as ISO text, PostgreSQL hands back ``bool`` and ``datetime``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
from piccolo.columns import Column
from piccolo.table import Table

from mupass_forum.errors import NotFound

Row = TypeVar("Row", bound=msgspec.Struct)

#: A stored time: every time the service stores is aware (``timestamptz``), so a time without
#: its zone is a defect and is refused rather than guessed.
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


def row_as(row: Mapping[str, object], kind: type[Row]) -> Row:
    """One row as ``kind``."""
    return msgspec.convert(row, kind, strict=False)


def rows_as(rows: Sequence[Mapping[str, object]], kind: type[Row]) -> list[Row]:
    """Rows as a list of ``kind``, in one conversion (no per-row Python call)."""
    converted: list[Row] = msgspec.convert(rows, list[kind], strict=False)  # type: ignore[valid-type]
    return converted


async def forum_row(
    table: type[Table], columns: Sequence[Column], forum_id: int, row_id: int, missing: str
) -> Mapping[str, Any]:
    """The row ``row_id`` of a forum's ``table`` with ``columns``; ``NotFound(missing)`` as well
    for a row of another forum, so that one forum's ids reach nothing in another."""
    found: Mapping[str, Any] | None = (
        await table.select(*columns)
        .where(
            table._meta.primary_key == row_id,
            table._meta.get_column_by_name("forum") == forum_id,
        )
        .first()
    )
    if found is None:
        raise NotFound(missing)
    return found
