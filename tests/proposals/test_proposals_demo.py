"""``serve --demo``: proposals (one on the programme) and workshop sign-ups in the 2024 meeting."""

from __future__ import annotations

from tests.registrations.conftest import demo_client

FORUM = "/api/v1/forums/spp-stakeholder-network-2024"


def test_the_demo_has_proposals_and_workshop_places(make_client, migrated, tmp_path) -> None:
    client, headers, first, second = demo_client(make_client, migrated, tmp_path)
    assert any("proposals for spp-stakeholder-network-2024" in line for line in first)
    assert any("workshop sign-ups" in line for line in first)
    assert second == []

    proposals = client.get(f"{FORUM}/proposals?lang=fr", headers=headers).json()["items"]
    assert sorted(p["status"]["value"] for p in proposals) == [
        "accepted",
        "rejected",
        "submitted",
        "withdrawn",
    ]
    [accepted] = [p for p in proposals if p["status"]["value"] == "accepted"]
    assert accepted["title"]["text"] == "Cantines scolaires durables à Dakar"
    assert accepted["comments"][0]["text"]
    days = client.get(f"{FORUM}/programme").json()["days"]
    [item] = [i for day in days for i in day["items"] if i["id"] == accepted["programme_item_id"]]
    assert [s["proposal_id"] for s in item["speakers"]] == [accepted["id"]]
    assert item["speakers"][0]["user_id"] == accepted["author"]["user_id"]

    [workshop] = client.get(f"{FORUM}/workshops").json()
    assert workshop["places_taken"] == 13
    people = client.get(
        f"{FORUM}/workshops/{workshop['item']['id']}/sign-ups?limit=200", headers=headers
    ).json()
    assert len(people["items"]) == 13
