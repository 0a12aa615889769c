"""The seat desk's critical section, measured inside one process.

Creates a fresh database (a temporary SQLite file, or a new PostgreSQL database next to the one
named by ``--database-url``, dropped afterwards) with a forum and ``--people`` signed-in
accounts (as ``benchmarks/registrations.py`` does), drives that many registrations at once
through the app in this process (ASGI, no sockets) and prints, for the transactions that lock
the forum's desk: how many there were, the registrations and statements in each, and the time
from ``BEGIN`` to the end of ``COMMIT`` per registration.

    .venv/bin/python benchmarks/registration_desk.py [--database-url postgresql://...]
        [--people 300] [--seats 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from registrations import SECRET_KEY, outcome, postgres_admin, prepare

from mupass_forum import db, db_postgres, db_sqlite
from mupass_forum.app import create_app
from mupass_forum.settings import Settings


class Transactions:
    """Every transaction's statements and duration, as the engines run them."""

    def __init__(self) -> None:
        self.open: dict[int, tuple[float, list[str]]] = {}
        self.done: list[tuple[float, list[str]]] = []
        #: Every statement, in a transaction or not.
        self.all: Counter[str] = Counter()

    def statement(self, engine: Any, query: str) -> None:
        self.all[" ".join(str(query).split())[:90]] += 1
        transaction = engine.current_transaction.get()
        if transaction is not None and id(transaction) in self.open:
            self.open[id(transaction)][1].append(" ".join(str(query).split()))


def watch(transactions: Transactions) -> None:
    """Wrap the engines' seams: statements (``run_sql``, ``read_inline``, ``fetch``) and the
    outermost ``transaction()`` of each engine."""

    def counting(cls: Any, name: str) -> None:
        method = getattr(cls, name)

        async def run(engine: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            transactions.statement(engine, query)
            return await method(engine, query, *args, **kwargs)

        setattr(cls, name, run)

    counting(db_sqlite.SQLiteEngine, "run_sql")
    counting(db_sqlite.SQLiteEngine, "read_inline")
    counting(db_postgres.PostgresEngine, "fetch")
    counting(db_postgres.PostgresEngine, "fetch_many")
    original = db.transaction

    @contextlib.asynccontextmanager
    async def timed(**options: Any) -> AsyncIterator[Any]:
        engine = db.current_engine()
        if engine.current_transaction.get() is not None:
            async with original(**options) as inner:
                yield inner
            return
        began = time.perf_counter()
        async with original(**options) as transaction:
            transactions.open[id(transaction)] = (began, [])
            try:
                yield transaction
            finally:
                statements = transactions.open.pop(id(transaction))[1]
        transactions.done.append((time.perf_counter() - began, statements))

    db.transaction = timed  # type: ignore[assignment]


async def burst(settings: Settings, slug: str, tokens: list[str]) -> Counter[int]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):

        async def one(token: str) -> int:
            response = await client.post(
                f"/api/v1/forums/{slug}/registrations",
                json={},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )
            return response.status_code

        return Counter(await asyncio.gather(*(one(token) for token in tokens)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="postgresql://... (default: SQLite)")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seats", type=int, default=60)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mupass-desk-") as folder:
        created = ""
        if options.database_url:
            created = f"mupass_desk_{uuid.uuid4().hex[:10]}"
            asyncio.run(postgres_admin(options.database_url, f'CREATE DATABASE "{created}"'))
            parts = urlsplit(options.database_url)
            url = urlunsplit((parts.scheme, parts.netloc, f"/{created}", "", ""))
        else:
            url = f"sqlite:///{Path(folder) / 'desk.sqlite3'}"
        settings = Settings.from_env(
            environ={"MUPASS_MAIL_RELAY": "off"},
            database_url=url,
            data_dir=Path(folder),
            secret_key=SECRET_KEY,
        )
        try:
            slug, tokens = asyncio.run(prepare(settings, options.people, options.seats))
            transactions = Transactions()
            watch(transactions)
            began, wall = time.process_time(), time.perf_counter()
            answers = asyncio.run(burst(settings, slug, tokens))
            cpu, wall = time.process_time() - began, time.perf_counter() - wall
            statuses, seats_taken = asyncio.run(outcome(settings))
        finally:
            if created:
                asyncio.run(
                    postgres_admin(
                        options.database_url, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'
                    )
                )
    desk = [
        (seconds, statements)
        for seconds, statements in transactions.done
        if any("registration_desk" in statement for statement in statements)
    ]
    registered = sum(
        1 for statement in _all(desk) if statement.startswith('INSERT INTO "registration"')
    )
    per_batch = [len(statements) for _, statements in desk]
    held = sum(seconds for seconds, _ in desk)
    print(
        f"{'PostgreSQL' if created else 'SQLite'}: {options.people} registrations at once, "
        f"{options.seats} seats; answers {dict(answers)}; in the database {dict(statuses)}, "
        f"seats taken {seats_taken}; answered in {wall:.2f} s, CPU of the process {cpu:.2f} s"
    )
    print(
        f"desk transactions: {len(desk)}; statements per transaction: mean "
        f"{statistics.fmean(per_batch):.1f}, max {max(per_batch)}; registration inserts "
        f"{registered}"
    )
    print(
        f"time in the desk's transactions: {held * 1000:.0f} ms in all, "
        f"{held / options.people * 1000:.2f} ms per registration; per transaction mean "
        f"{statistics.fmean(s for s, _ in desk) * 1000:.1f} ms, max "
        f"{max(s for s, _ in desk) * 1000:.1f} ms"
    )
    kinds = Counter(statement.split(" ")[0] for statement in _all(desk))
    print(f"statements by kind: {dict(kinds)}")
    outside = sum(transactions.all.values()) - len(_all(desk))
    print(
        f"statements outside the desk's transactions: {outside / options.people:.1f} per "
        "registration; the most frequent:"
    )
    for text, count in transactions.all.most_common(12):
        print(f"  {count:5d}  {text}")
    assert statuses["confirmed"] == options.seats == seats_taken
    return 0


def _all(desk: list[tuple[float, list[str]]]) -> list[str]:
    return [statement for _, statements in desk for statement in statements]


if __name__ == "__main__":
    sys.exit(main())
