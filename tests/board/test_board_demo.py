"""``serve --demo``: a category per workshop of the demonstration forums and threads in
several languages, some posts translated."""

from __future__ import annotations

import asyncio

from mupass_forum import db, db_migrations
from mupass_forum.demo import load_demo_data
from tests.board.conftest import BOARD


def test_the_demo_board(make_client, migrated, tmp_path) -> None:
    settings = migrated.replace(database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")

    async def prepare() -> tuple[list[str], list[str]]:
        async with db.connected(settings):
            await db_migrations.migrate()
            return await load_demo_data(), await load_demo_data()

    first, second = asyncio.run(prepare())
    assert any("board categories" in line for line in first)
    assert second == []
    client = make_client(database_url=settings.database_url)
    categories = client.get(f"{BOARD}/categories?lang=es").json()
    names = [c["name"]["text"] for c in categories]
    assert names[0] == "Entre foros: intercambio abierto"
    assert "Compras estratégicas: de la decisión del concejo a la licitación" in names
    workshop = next(c for c in categories if c["name"]["text"].startswith("Compras estratégicas"))
    assert workshop["forum_id"] is not None

    threads = client.get(f"{BOARD}/categories/{workshop['id']}/threads").json()["items"]
    (thread,) = threads
    assert thread["language"] == "fr" and thread["reply_count"] == 2
    page = client.get(f"{BOARD}/threads/{thread['id']}/posts?lang=de").json()
    opening, german, spanish = page["items"]
    assert (opening["language"], opening["shown_language"]) == ("fr", "de")
    assert opening["translation"]["translator"]["display_name"] == "Claire Martin"
    assert (german["is_translation"], german["shown_language"]) == (False, "de")
    assert (spanish["is_translation"], spanish["language_name"]) == (False, "Spanisch")
