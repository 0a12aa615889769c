"""The forum list: filters, keyset pages, drafts for their organizers only."""

from __future__ import annotations

import uuid


def _slugs(page) -> list[str]:
    return [item["slug"] for item in page["items"]]


def test_pages_follow_the_start_dates(client, make_forum) -> None:
    made = [
        make_forum(
            status="announced",
            edition=2030 + index,
            starts_at=f"{2030 + index}-05-0{1 + index}T09:00:00",
            ends_at=f"{2030 + index}-05-0{1 + index}T17:00:00",
        )
        for index in range(5)
    ]
    series = made[0].body["series"]["slug"]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = f"/api/v1/forums?series={series}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query).json()
        seen += _slugs(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [forum.slug for forum in made]
    assert pages == 3
    year = client.get(f"/api/v1/forums?series={series}&year=2032").json()
    assert _slugs(year) == [made[2].slug]


def test_upcoming_and_past(client, make_forum) -> None:
    past = make_forum(
        status="held", starts_at="2019-10-28T09:00:00", ends_at="2019-10-30T17:00:00", edition=2019
    )
    older = make_forum(
        status="held", starts_at="2018-10-28T09:00:00", ends_at="2018-10-30T17:00:00", edition=2018
    )
    upcoming = make_forum(status="announced")
    series = past.body["series"]["slug"]
    assert _slugs(client.get(f"/api/v1/forums?series={series}&when=upcoming").json()) == [
        upcoming.slug
    ]
    # The past, most recent first, on pages too.
    first = client.get(f"/api/v1/forums?series={series}&when=past&limit=1").json()
    assert _slugs(first) == [past.slug]
    second = client.get(
        f"/api/v1/forums?series={series}&when=past&limit=1&cursor={first['next_cursor']}"
    ).json()
    assert _slugs(second) == [older.slug]
    assert second["next_cursor"] is None


def test_status_and_country_filters(client, make_forum) -> None:
    bonn = make_forum(status="registration_open")
    accra = make_forum(
        status="announced",
        timezone="Africa/Accra",
        venue={"name": "Centre", "city": "Accra", "country": "GH"},
    )
    series = bonn.body["series"]["slug"]
    by_country = client.get(f"/api/v1/forums?series={series}&country=gh").json()
    assert _slugs(by_country) == [accra.slug]
    by_status = client.get(f"/api/v1/forums?series={series}&status=registration_open").json()
    assert _slugs(by_status) == [bonn.slug]


def test_drafts_are_listed_only_for_those_who_edit_them(
    client, make_forum, make_account, make_organization
) -> None:
    partner = make_organization()["id"]
    draft = make_forum(partner_organization_ids=[partner])
    announced = make_forum(status="announced")
    series = draft.body["series"]["slug"]
    path = f"/api/v1/forums?series={series}"
    assert _slugs(client.get(path).json()) == [announced.slug]
    stranger = make_account()
    assert _slugs(client.get(path, headers=stranger.headers).json()) == [announced.slug]
    partner_admin = make_account(organizations={partner: "admin"})
    organizer = make_account()
    client.post(
        f"/api/v1/forums/{draft.slug}/roles",
        json={"user_id": organizer.id, "role": "organizer"},
        headers=draft.admin.headers,
    )
    for account in (draft.admin, partner_admin, organizer, make_account(platform_admin=True)):
        assert set(_slugs(client.get(path, headers=account.headers).json())) == {
            draft.slug,
            announced.slug,
        }


def test_partners_are_fetched_for_the_whole_page(client, make_forum, make_organization) -> None:
    partners = [make_organization(name=f"Partner {uuid.uuid4().hex[:6]} {n}") for n in range(2)]
    forum = make_forum(status="announced", partner_organization_ids=[p["id"] for p in partners])
    page = client.get(f"/api/v1/forums?series={forum.body['series']['slug']}").json()
    assert sorted(o["id"] for o in page["items"][0]["partner_organizations"]) == sorted(
        p["id"] for p in partners
    )


def test_a_broken_cursor_is_invalid_input(client) -> None:
    response = client.get("/api/v1/forums?cursor=not-a-cursor")
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "cursor"
    assert client.get("/api/v1/forums?limit=500").status_code == 400
