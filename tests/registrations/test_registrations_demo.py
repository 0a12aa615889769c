"""``serve --demo``: interest and registrations from several regions, so the statistics show
something."""

from __future__ import annotations

import asyncio

from mupass_forum import db
from mupass_forum.accounts.rate_limits import MemoryCounters
from mupass_forum.accounts.services import AccountService
from mupass_forum.app import install
from mupass_forum.demo import load_demo_data


def test_the_demo_statistics_show_three_regions(make_client, migrated, tmp_path) -> None:
    settings = migrated.replace(database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")

    async def prepare() -> tuple[list[str], list[str]]:
        async with db.connected(settings):
            await db.migrate()
            first, second = await load_demo_data(), await load_demo_data()
            await AccountService(settings, MemoryCounters()).create_account(
                email="admin@demo.example.org",
                password="a demo admin passphrase",
                display_name="Admin",
                locale="en",
                timezone="Europe/Berlin",
                verified=True,
                is_platform_admin=True,
            )
            return first, second

    install(settings)
    first, second = asyncio.run(prepare())
    assert any("registrations for spp-stakeholder-network-2024" in line for line in first)
    assert second == []
    client = make_client(database_url=settings.database_url)
    token = client.post(
        "/api/v1/auth/login",
        json={"email": "admin@demo.example.org", "password": "a demo admin passphrase"},
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    stats = client.get(
        "/api/v1/forums/spp-stakeholder-network-2024/stats?lang=es", headers=headers
    ).json()
    sub_regions = {
        row["key"]: row
        for row in next(d for d in stats["dimensions"] if d["dimension"] == "sub_region")["rows"]
    }
    assert {"155", "202", "419"} <= set(sub_regions)
    assert sub_regions["202"]["label"] == "África subsahariana"
    assert sub_regions["202"]["registrations"]["attended"]["count"] == 5
    assert sub_regions["202"]["target"]["share"] == 0.3
    assert stats["interest_total"] == 18

    waiting = client.get(
        "/api/v1/forums/spp-stakeholder-network-2024/waiting-list", headers=headers
    ).json()
    assert [item["position"] for item in waiting["items"]] == [1, 2]
    bonn = client.get(
        "/api/v1/forums/mupass-dialogue-forum-2019/registrations?status=attended",
        headers=headers,
    ).json()
    assert len(bonn["items"]) == 8
    assert "Ñuñoa" in {item["person"]["family_name"] for item in bonn["items"]}
