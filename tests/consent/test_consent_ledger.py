"""The ledger is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from mupass_forum import db
from mupass_forum.consent.tables import ConsentEvent, ConsentNotice
from tests.consent.conftest import ALL, decide

REFUSED = (sqlite3.DatabaseError, asyncpg.PostgresError)


@pytest.fixture
def recorded(client, make_account, make_forum):
    """A forum with one person's decisions recorded: (forum, account, event ids)."""
    forum = make_forum(status="announced")
    person = make_account()
    decide(client, person, forum.slug, ALL)
    rows = client.blocking_portal.call(
        lambda: ConsentEvent.select(ConsentEvent.id, ConsentEvent.decision).where(
            ConsentEvent.user == person.id
        )
    )
    assert len(rows) == 8 and {row["decision"] for row in rows} == {"granted"}
    return forum, person, [row["id"] for row in rows]


def run(client, statement: str):
    return client.blocking_portal.call(db.current_engine().run_sql, statement)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_event SET decision = 'refused' WHERE id = {id}",
        "UPDATE consent_event SET recorded_at = recorded_at WHERE id = {id}",
        "DELETE FROM consent_event WHERE id = {id}",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_event(client, recorded, statement):
    _, person, ids = recorded
    with pytest.raises(REFUSED, match="append-only"):
        run(client, statement.format(id=ids[0]))
    rows = run(client, f'SELECT decision FROM consent_event WHERE "user" = {person.id}')
    assert [row["decision"] for row in rows] == ["granted"] * 8


def test_the_orm_cannot_change_or_remove_events_either(client, recorded):
    _, person, ids = recorded
    with pytest.raises(REFUSED, match="append-only"):
        client.blocking_portal.call(
            lambda: ConsentEvent.update({ConsentEvent.decision: "refused"}).where(
                ConsentEvent.id.is_in(ids)
            )
        )
    with pytest.raises(REFUSED, match="append-only"):
        client.blocking_portal.call(
            lambda: ConsentEvent.delete().where(ConsentEvent.user == person.id)
        )
    assert len(run(client, f'SELECT id FROM consent_event WHERE "user" = {person.id}')) == 8


def test_a_failed_change_inside_a_transaction_leaves_the_ledger_as_it_was(client, recorded):
    _, _, ids = recorded

    async def try_to_rewrite() -> None:
        async with db.transaction():
            await db.current_engine().run_sql(
                f"UPDATE consent_event SET decision = 'refused' WHERE id = {ids[0]}"
            )

    with pytest.raises(REFUSED, match="append-only"):
        client.blocking_portal.call(try_to_rewrite)
    rows = run(client, f"SELECT decision FROM consent_event WHERE id = {ids[0]}")
    assert rows == [{"decision": "granted"}]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_notice SET text = '{{}}' WHERE forum = {forum}",
        "UPDATE consent_notice SET material = material WHERE forum = {forum}",
        "DELETE FROM consent_notice WHERE forum = {forum}",
    ],
)
def test_published_notices_cannot_be_edited_or_removed(client, recorded, statement):
    forum, _, _ = recorded
    before = client.blocking_portal.call(
        lambda: ConsentNotice.select(ConsentNotice.text).where(ConsentNotice.forum == forum.id)
    )
    with pytest.raises(REFUSED, match="append-only"):
        run(client, statement.format(forum=forum.id))
    after = client.blocking_portal.call(
        lambda: ConsentNotice.select(ConsentNotice.text).where(ConsentNotice.forum == forum.id)
    )
    assert after == before and len(after) == 1


def test_postgres_refuses_truncate(client, recorded):
    if not db.is_postgres():
        pytest.skip("SQLite has no TRUNCATE; its row triggers cover every DELETE")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        run(client, "TRUNCATE consent_event CASCADE")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        run(client, "TRUNCATE consent_notice CASCADE")
