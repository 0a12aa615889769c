"""Who may register when, once; what organizers may decide; capacity changes and lists."""

from __future__ import annotations

from tests.registrations.conftest import decide, register, set_registration_settings


def test_registering_needs_an_account_an_open_forum_and_happens_once(
    client, make_account, make_forum
) -> None:
    announced = make_forum(status="announced", capacity=5)
    person = make_account()
    url = f"/api/v1/forums/{announced.slug}/registrations"
    assert client.post(url, json={}).status_code == 401
    refused = client.post(url, json={}, headers=person.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "registration_not_open")

    forum = make_forum(status="registration_open", capacity=5)
    made = register(
        client,
        forum,
        person,
        arrival_date="2030-10-27",
        departure_date="2030-10-31",
        dietary_needs="vegetarian",
        needs_visa_letter=True,
        interpretation_languages=["fr", "es", "fr"],
    )
    assert made["interpretation_languages"] == ["fr", "es"]
    assert made["needs_visa_letter"] is True
    again = client.post(
        f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=person.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_registered")

    bad = client.post(
        f"/api/v1/forums/{forum.slug}/registrations",
        json={
            "arrival_date": "2030-10-30",
            "departure_date": "2030-10-28",
            "interpretation_languages": ["xx"],
        },
        headers=make_account().headers,
    )
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json()["errors"]} == {
        "/departure_date",
        "/interpretation_languages/0",
    }
    sneaky = client.post(
        f"/api/v1/forums/{forum.slug}/registrations",
        json={"status": "confirmed"},
        headers=make_account().headers,
    )
    assert sneaky.status_code == 400

    changed = client.patch(
        f"/api/v1/forums/{forum.slug}/registrations/mine",
        json={"dietary_needs": "vegan", "departure_date": None},
        headers=person.headers,
    ).json()
    assert (changed["dietary_needs"], changed["departure_date"]) == ("vegan", None)
    assert changed["status"]["value"] == "confirmed"


def test_only_organizers_see_lists_and_decide(client, make_account, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    person = make_account()
    made = register(client, forum, person)
    for path in ("registrations", "waiting-list", "stats", "registration-settings"):
        assert (
            client.get(f"/api/v1/forums/{forum.slug}/{path}", headers=person.headers).status_code
            == 403
        )
    response = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/{made['id']}/decision",
        json={"action": "cancel"},
        headers=person.headers,
    )
    assert response.status_code == 403
    wrong = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/{made['id']}/decision",
        json={"action": "approve"},
        headers=forum.admin.headers,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "action_not_allowed")
    assert "Confirmed" in wrong.json()["detail"]


def test_a_larger_capacity_promotes_in_order_and_a_smaller_one_demotes_nobody(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=2)
    people = [make_account() for _ in range(5)]
    made = [register(client, forum, person) for person in people]
    assert [m["status"]["value"] for m in made] == ["confirmed"] * 2 + ["waitlisted"] * 3

    def capacity(seats: int) -> None:
        response = client.patch(
            f"/api/v1/forums/{forum.slug}", json={"capacity": seats}, headers=forum.admin.headers
        )
        assert response.status_code == 200, response.text

    capacity(3)
    page = client.get(
        f"/api/v1/forums/{forum.slug}/registrations", headers=forum.admin.headers
    ).json()
    assert [item["status"]["value"] for item in page["items"]] == (
        ["confirmed"] * 3 + ["waitlisted"] * 2
    )
    assert [item["position"] for item in page["items"]] == [None, None, None, 1, 2]
    capacity(1)
    assert (
        client.get(
            f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
        ).json()["seats_taken"]
        == 3
    )
    # A cancellation frees no seat while the forum is above its new capacity.
    decide(client, forum, made[0]["id"], "cancel")
    waiting = client.get(
        f"/api/v1/forums/{forum.slug}/waiting-list", headers=forum.admin.headers
    ).json()
    assert [item["id"] for item in waiting["items"]] == [made[3]["id"], made[4]["id"]]

    page = client.get(
        f"/api/v1/forums/{forum.slug}/registrations?limit=2", headers=forum.admin.headers
    ).json()
    rest = client.get(
        f"/api/v1/forums/{forum.slug}/registrations?limit=10&cursor={page['next_cursor']}",
        headers=forum.admin.headers,
    ).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [m["id"] for m in made]
    assert rest["next_cursor"] is None


def test_regional_balance_promotes_towards_the_targets(client, make_person, make_forum) -> None:
    def scenario(balanced: bool) -> list[str]:
        forum = make_forum(status="registration_open", capacity=2)
        set_registration_settings(
            client,
            forum,
            regional_balance=balanced,
            target_shares={"150": 50, "202": 30, "419": 20},
        )
        countries = ["DE", "FR", "ES", "BF", "CO"]
        made = {
            country: register(client, forum, make_person(country=country)) for country in countries
        }
        response = client.patch(
            f"/api/v1/forums/{forum.slug}", json={"capacity": 4}, headers=forum.admin.headers
        )
        assert response.status_code == 200, response.text
        page = client.get(
            f"/api/v1/forums/{forum.slug}/registrations?status=confirmed",
            headers=forum.admin.headers,
        ).json()
        by_id = {m["id"]: country for country, m in made.items()}
        return [by_id[item["id"]] for item in page["items"]]

    # First come, first served: the next two in line.
    assert scenario(balanced=False) == ["DE", "FR", "ES", "BF"]
    # Balanced: Europe holds both seats, so Sub-Saharan Africa and Latin America come first.
    assert scenario(balanced=True) == ["DE", "FR", "BF", "CO"]


def test_targets_must_be_regions_that_do_not_overlap_nor_exceed_the_whole(
    client, make_forum
) -> None:
    forum = make_forum(status="announced")
    response = client.put(
        f"/api/v1/forums/{forum.slug}/registration-settings",
        json={"target_shares": {"002": 40, "202": 30, "999": 10, "150": 40}},
        headers=forum.admin.headers,
    )
    assert response.status_code == 400
    assert {e["code"] for e in response.json()["errors"]} == {
        "overlapping_regions",
        "unknown_region",
        "shares_above_total",
    }
    fine = client.put(
        f"/api/v1/forums/{forum.slug}/registration-settings?lang=de",
        json={"target_shares": {"150": 40, "202": 30, "419": 30}},
        headers=forum.admin.headers,
    ).json()
    assert [(t["region"], t["name"], t["share_text"]) for t in fine["target_shares"]] == [
        ("150", "Europa", "40\u00a0%"),
        ("202", "Subsahara-Afrika", "30\u00a0%"),
        ("419", "Lateinamerika", "30\u00a0%"),
    ]
