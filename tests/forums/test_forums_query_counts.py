"""The most-read forum endpoints cost the same statements for one forum or item and for fifty.

The forum list, a forum and its programme are read anonymously and by the admin of a partner
organization (whose drafts count); partners come with their forum, never a query per forum.
"""

from __future__ import annotations

# Texts in every language: the translators' queue that other tests read stays as it was.
TITLE = {"de": "Forum", "en": "Forum", "fr": "Forum", "es": "Foro"}


def _cost(client, count_queries, path, headers=None):
    with count_queries() as statements:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.text
    return len(statements), response.json(), str(statements)


def test_forum_list_costs_the_same_for_1_and_50_forums(
    client, make_forum, make_organization, count_queries
):
    partner = make_organization()
    first = make_forum(status="announced", title=TITLE, partner_organization_ids=[partner["id"]])
    series = first.body["series"]["slug"]
    path = f"/api/v1/forums?series={series}&limit=100"
    readers = {"anonymous": None, "organization admin": first.admin.headers}
    one = {name: _cost(client, count_queries, path, headers) for name, headers in readers.items()}
    for number in range(49):
        make_forum(
            status="draft" if number % 10 == 0 else "announced",
            title=TITLE,
            admin=first.admin,
            lead_organization_id=first.lead_organization_id,
            partner_organization_ids=[partner["id"]],
        )
    fifty = {name: _cost(client, count_queries, path, headers) for name, headers in readers.items()}
    assert len(fifty["organization admin"][1]["items"]) == 50  # drafts included
    assert len(fifty["anonymous"][1]["items"]) == 45
    for name in readers:
        assert fifty[name][1]["items"][0]["partner_organizations"][0]["id"] == partner["id"]
        assert fifty[name][0] == one[name][0], f"{name}:\n{one[name][2]}\n---\n{fifty[name][2]}"


def test_a_forum_and_its_programme_cost_the_same_for_1_and_50_items(
    client, make_forum, make_organization, count_queries
):
    partners = [make_organization()["id"] for _ in range(3)]
    forum = make_forum(status="announced", title=TITLE, partner_organization_ids=partners)

    def add_item(number):
        response = client.post(
            f"/api/v1/forums/{forum.slug}/programme",
            json={
                "kind": "workshop",
                "title": dict.fromkeys(TITLE, f"Workshop {number}"),
                "starts_at": f"2030-10-{28 + number % 3}T{9 + number % 8:02d}:00:00",
                "ends_at": f"2030-10-{28 + number % 3}T{9 + number % 8:02d}:45:00",
            },
            headers=forum.admin.headers,
        )
        assert response.status_code == 201, response.text

    paths = {
        "forum": f"/api/v1/forums/{forum.slug}",
        "programme": f"/api/v1/forums/{forum.slug}/programme",
    }
    add_item(0)
    one = {name: _cost(client, count_queries, path) for name, path in paths.items()}
    for number in range(1, 50):
        add_item(number)
    fifty = {name: _cost(client, count_queries, path) for name, path in paths.items()}
    assert sum(len(day["items"]) for day in fifty["programme"][1]["days"]) == 50
    assert {org["id"] for org in fifty["forum"][1]["partner_organizations"]} == set(partners)
    for name in paths:
        assert fifty[name][0] == one[name][0], f"{name}:\n{one[name][2]}\n---\n{fifty[name][2]}"
    # One statement for the forum with its partners; one for the programme with its forum.
    assert (one["forum"][0], one["programme"][0]) == (1, 1), one["programme"][2]
