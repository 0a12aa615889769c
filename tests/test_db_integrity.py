"""A refused write is "already there" only when a unique key refused it, on either database."""

from __future__ import annotations

import uuid

from mupass_forum import db


def refusals(client) -> tuple[str, dict[str, BaseException]]:
    """What the database raises for each kind of refused row, in tables of this test's own."""
    name = f"probe_{uuid.uuid4().hex[:8]}"
    attempts = {
        "same key": f'INSERT INTO {name} (id, "user", slot) VALUES (2, 1, 1)',
        "same id": f'INSERT INTO {name} (id, "user", slot) VALUES (1, 1, 2)',
        "foreign key": f'INSERT INTO {name} (id, "user", slot) VALUES (3, 9, 3)',
        "not null": f'INSERT INTO {name} (id, "user", slot) VALUES (4, NULL, 4)',
    }

    async def refuse() -> dict[str, BaseException]:
        engine = db.current_engine()
        await engine.run_ddl(f"CREATE TABLE {name}_parent (id INTEGER PRIMARY KEY)")
        await engine.run_ddl(
            f'CREATE TABLE {name} (id INTEGER PRIMARY KEY, "user" INTEGER NOT NULL '
            f'REFERENCES {name}_parent (id), slot INTEGER, UNIQUE ("user", slot))'
        )
        try:
            await engine.run_sql(f"INSERT INTO {name}_parent (id) VALUES (1)")
            await engine.run_sql(f'INSERT INTO {name} (id, "user", slot) VALUES (1, 1, 1)')
            found = {}
            for kind, sql in attempts.items():
                try:
                    await engine.run_sql(sql)
                except db.INTEGRITY_ERRORS as exc:
                    found[kind] = exc
            return found
        finally:
            await engine.run_ddl(f"DROP TABLE {name}")
            await engine.run_ddl(f"DROP TABLE {name}_parent")

    return name, client.blocking_portal.call(refuse)


def test_only_a_unique_key_means_already_there(client) -> None:
    table, found = refusals(client)

    assert set(found) == {"same key", "same id", "foreign key", "not null"}
    assert db.is_unique_violation(found["same key"], table, "user", "slot")
    assert db.is_unique_violation(found["same key"])
    assert not db.is_unique_violation(found["same key"], table, "slot")
    assert not db.is_unique_violation(found["same key"], "another_table", "user", "slot")
    assert db.is_unique_violation(found["same id"], table, "id")
    for kind in ("foreign key", "not null"):
        assert not db.is_unique_violation(found[kind]), kind
        assert not db.is_unique_violation(found[kind], table, "user"), kind
    assert not db.is_unique_violation(ValueError("UNIQUE constraint failed: x.y"))
