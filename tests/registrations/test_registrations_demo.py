"""``serve --demo``: interest and registrations from several regions, so the statistics show
something."""

from __future__ import annotations

from tests.registrations.conftest import demo_client


def test_the_demo_statistics_show_three_regions(make_client, migrated, tmp_path) -> None:
    client, headers, first, second = demo_client(make_client, migrated, tmp_path)
    assert any("registrations for spp-stakeholder-network-2024" in line for line in first)
    assert second == []

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
