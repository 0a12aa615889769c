"""Counting the SQL statements the service really runs, at the engines' one seam.

Every statement reaches the database through ``SQLiteEngine.run_sql`` or
``SQLiteEngine.read_inline`` (the embedded engine) or ``PostgresEngine.fetch`` and
``PostgresEngine.fetch_many`` (PostgreSQL; the latter runs its statement once for each set of
arguments, and counts so); the counter wraps those, lets each statement run, and keeps its
text. Transaction control
(``BEGIN``, ``COMMIT``) is not counted: it is the same for every request that writes. Nor are
the statements of the service's background tasks (the live stream's pump, the mail relay),
which a commit wakes at moments of their own.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from mupass_forum import db_postgres, db_sqlite

#: Names of the background tasks whose statements are not counted.
BACKGROUND_TASKS = frozenset({"board-live-pump", "mail-relay"})


class Statements(list[str]):
    """The statements run while counting, in order."""

    def __str__(self) -> str:
        return "\n".join(f"{number}: {sql}" for number, sql in enumerate(self, 1))


def _counting(
    method: Callable[..., Any], seen: list[Statements], *, many: bool = False
) -> Callable[..., Any]:
    @functools.wraps(method)
    async def run(engine: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        if task is None or task.get_name() not in BACKGROUND_TASKS:
            runs = len(args[0]) if many else 1
            for statements in seen:
                statements.extend([" ".join(str(query).split())] * runs)
        return await method(engine, query, *args, **kwargs)

    return run


@pytest.fixture
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """``with count_queries() as statements: ...``: the statements the block ran."""
    seen: list[Statements] = []
    for engine, name in (
        (db_sqlite.SQLiteEngine, "run_sql"),
        (db_sqlite.SQLiteEngine, "read_inline"),
        (db_postgres.PostgresEngine, "fetch"),
    ):
        monkeypatch.setattr(engine, name, _counting(getattr(engine, name), seen))
    many = db_postgres.PostgresEngine.fetch_many
    monkeypatch.setattr(db_postgres.PostgresEngine, "fetch_many", _counting(many, seen, many=True))

    @contextmanager
    def counting() -> Iterator[Statements]:
        statements = Statements()
        seen.append(statements)
        try:
            yield statements
        finally:
            seen.remove(statements)

    return counting
