"""``db.insert_rows`` and ``db.one_of`` on the database of the run: rows of any number in one
statement PostgreSQL prepares once, their values back in order, lists as one array."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mupass_forum import db, db_postgres
from mupass_forum.clock import now
from mupass_forum.mail.tables import OutboxMail
from mupass_forum.settings import Settings


class _RolledBack(Exception):
    """Raised to leave nothing behind."""


def in_rolled_back_transaction(
    migrated: Settings, marker: str, body: Callable[[], Awaitable[None]]
) -> None:
    """Run ``body`` in a transaction that is rolled back, then check the mails marked
    ``marker`` went with it."""

    async def run() -> None:
        async with db.connected(migrated):
            with pytest.raises(_RolledBack):
                async with db.transaction():
                    await body()
                    raise _RolledBack
            assert not await db.run("SELECT id FROM mail_outbox WHERE template = {}", marker)

    asyncio.run(run())


def _mail(number: int, marker: str) -> dict[str, Any]:
    return {
        "recipient": f"person-{number}@example.org",
        "template": marker,
        "locale": "de",
        "subject": f"Betreff {number}",
        "text": "Text",
        "html": "",
        "message_id": f"<{uuid.uuid4().hex}@example.org>",
        "next_attempt_at": now(),
    }


@pytest.mark.parametrize("count", [1, 2, 7])
def test_inserted_rows_come_back_in_order_from_one_statement(
    migrated: Settings, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    statements: list[tuple[str, int]] = []
    fetch_many = db_postgres.PostgresEngine.fetch_many

    async def counted(engine: Any, query: str, args: Any) -> list[Any]:
        statements.append((query, len(args)))
        return await fetch_many(engine, query, args)

    monkeypatch.setattr(db_postgres.PostgresEngine, "fetch_many", counted)
    marker = f"test.rows.{uuid.uuid4().hex[:8]}"

    async def inserted() -> None:
        made = await db.insert_rows(
            OutboxMail,
            [_mail(n, marker) for n in range(count)],
            OutboxMail.id,
            OutboxMail.subject,
        )
        assert [row["subject"] for row in made] == [f"Betreff {n}" for n in range(count)]
        ids = [int(row["id"]) for row in made]
        assert ids == sorted(set(ids))
        stored = await db.run(
            "SELECT id, subject, status, headers, attempts, created_at "
            "FROM mail_outbox WHERE template = {} ORDER BY id",
            marker,
        )
        assert [(row["id"], row["subject"]) for row in stored] == [
            (row["id"], row["subject"]) for row in made
        ]
        # The columns left out hold the table's defaults.
        assert {(row["status"], row["headers"], row["attempts"]) for row in stored} == {
            ("queued", "{}", 0)
        }
        assert all(row["created_at"] is not None for row in stored)

    in_rolled_back_transaction(migrated, marker, inserted)
    if migrated.database_url.startswith("postgresql"):
        ((text, runs),) = statements
        assert runs == count
        assert text.count("VALUES (") == 1 and "), (" not in text  # one row's text
    else:
        assert statements == []


def test_one_of_finds_exactly_the_values_listed(migrated: Settings) -> None:
    marker = f"test.one_of.{uuid.uuid4().hex[:8]}"

    async def listed() -> None:
        made = await db.insert_rows(OutboxMail, [_mail(n, marker) for n in range(6)], OutboxMail.id)
        ids = [int(row["id"]) for row in made]
        for wanted in ([ids[1]], ids[2:5], [ids[0], ids[5]]):
            clause, args = db.one_of(wanted)
            found = await db.run(
                f"SELECT id FROM mail_outbox WHERE template = {{}} AND id {clause} ORDER BY id",
                marker,
                *args,
            )
            assert [row["id"] for row in found] == wanted

    in_rolled_back_transaction(migrated, marker, listed)


def test_a_column_the_table_lacks_is_refused(migrated: Settings) -> None:
    async def run() -> None:
        async with db.connected(migrated), db.transaction():
            with pytest.raises(ValueError, match="no column colour"):
                await db.insert_rows(OutboxMail, [{**_mail(1, "test.refused"), "colour": "red"}])

    asyncio.run(run())
