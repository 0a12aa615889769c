"""``serve --demo``: the two demonstration forums, in French among others."""

from __future__ import annotations

import asyncio

from mupass_forum import db, db_migrations
from mupass_forum.demo import load_demo_data


def test_the_demo_forums_in_french(make_client, migrated, tmp_path) -> None:
    settings = migrated.replace(database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")

    async def prepare() -> tuple[list[str], list[str]]:
        async with db.connected(settings):
            await db_migrations.migrate()
            return await load_demo_data(), await load_demo_data()

    first, second = asyncio.run(prepare())
    assert first[:2] == [
        "forum mupass-dialogue-forum-2019 (Bonn, 28–30 October 2019) with its programme",
        "forum spp-stakeholder-network-2024 (Berlin, 19 September 2024) with its programme",
    ]
    assert second == []  # nothing is added when forums exist
    client = make_client(database_url=settings.database_url)
    page = client.get("/api/v1/forums?lang=fr").json()
    by_slug = {item["slug"]: item for item in page["items"]}
    bonn = by_slug["mupass-dialogue-forum-2019"]
    assert bonn["title"]["text"] == "Forum de dialogue MUPASS 2019"
    assert bonn["title"]["locale"] == "fr"
    assert bonn["local"]["dates"] == "28–30 oct. 2019"
    assert bonn["lead_organization"]["name"].endswith("(IDOS)")
    assert [o["name"] for o in bonn["partner_organizations"]] == [
        "Service Agency Communities in One World (SKEW)"
    ]
    berlin = by_slug["spp-stakeholder-network-2024"]
    assert berlin["title"]["text"].startswith("1re rencontre du réseau")
    assert (berlin["local"]["starts"], berlin["local"]["ends"]) == ("09:30", "16:30")
    assert berlin["capacity"] == 200
    assert berlin["interest_deadline"].startswith("2024-06-14T23:59:00+02:00")
    programme = client.get("/api/v1/forums/mupass-dialogue-forum-2019/programme?lang=fr").json()
    assert [day["label"] for day in programme["days"]] == [
        "lundi 28 octobre 2019",
        "mardi 29 octobre 2019",
        "mercredi 30 octobre 2019",
    ]
    kinds = {item["kind"]["value"] for day in programme["days"] for item in day["items"]}
    assert {"plenary", "panel", "breakout_session", "workshop"} <= kinds
    german = client.get("/api/v1/forums/spp-stakeholder-network-2024/programme?lang=de").json()
    assert german["days"][0]["label"] == "Donnerstag, 19. September 2024"
    assert all(not item["title"]["is_fallback"] for item in german["days"][0]["items"])
