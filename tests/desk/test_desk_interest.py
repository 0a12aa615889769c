"""The interest list: the desk's page, its downloads and the API's pages, for organizers only."""

from __future__ import annotations

import csv
import io

import pytest

from tests.desk.conftest import add_interest, sign_in
from tests.pages.html import page_of


def rows_of(page) -> dict[str, list[str]]:
    """The interest table's rows: the person's e-mail address -> the cells' texts."""
    found = {}
    for row in page.find("table", id="interest").find("tbody").find_all("tr"):
        cells = [cell.text for cell in row.find_all("td")]
        found[row.find("a").text] = cells
    return found


def test_organizers_read_who_confirmed_interest_and_who_would_present(
    browser, client, make_forum, make_role
):
    forum = make_forum(status="announced")
    speaker = add_interest(
        client,
        forum,
        family_name="Ouédraogo",
        organization="Ville de Ouagadougou",
        wants_to_present=True,
        presentation_topic="Achats publics durables",
        locale="fr",
    )
    listener = add_interest(client, forum, country="CO", family_name="Gómez")
    unconfirmed = add_interest(client, forum, confirmed=False)
    sign_in(browser, make_role(forum, "organizer"))

    response = browser.get(f"/desk/forums/{forum.slug}/interest?lang=en")

    assert response.status_code == 200
    rows = rows_of(page_of(response))
    assert set(rows) == {speaker, listener}
    assert unconfirmed not in rows
    name, institution, country, region, presents, topic, language, _, invited = rows[speaker]
    assert name.startswith("Ana Ouédraogo")
    assert (institution, country, region) == (
        "Ville de Ouagadougou",
        "Burkina Faso",
        "Sub-Saharan Africa",
    )
    assert (presents, topic, language, invited) == (
        "yes",
        "Achats publics durables",
        "French",
        "not yet",
    )
    assert rows[listener][3] == "Latin America"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wants_to_present=true", {"speaker"}),
        ("wants_to_present=false", {"listener"}),
        ("region=419", {"listener"}),
        ("region=002", {"speaker"}),
        ("q=OUAGA", {"speaker"}),
        ("q=gómez", {"listener"}),
        ("q=ana+gómez", {"listener"}),
        ("q=ouaga", {"speaker"}),
        ("locale=fr", {"speaker"}),
        ("invited=true", set()),
    ],
)
def test_the_interest_list_filters(browser, client, make_forum, make_role, query, expected):
    forum = make_forum(status="announced")
    people = {
        "speaker": add_interest(
            client,
            forum,
            family_name="Ouédraogo",
            organization="Ville de Ouagadougou",
            wants_to_present=True,
            presentation_topic="Achats verts",
            locale="fr",
        ),
        "listener": add_interest(client, forum, country="CO", family_name="Gómez"),
    }
    sign_in(browser, make_role(forum, "lead_admin"))

    page = page_of(browser.get(f"/desk/forums/{forum.slug}/interest?{query}"))

    shown = set(rows_of(page)) if page.has("table", id="interest") else set()
    assert shown == {people[name] for name in expected}


def test_the_interest_list_downloads_through_the_session(browser, client, make_forum, make_role):
    forum = make_forum(status="announced")
    speaker = add_interest(client, forum, wants_to_present=True, presentation_topic="=SUM(A1)")
    add_interest(client, forum)
    sign_in(browser, make_role(forum, "organizer"))
    page = page_of(browser.get(f"/desk/forums/{forum.slug}/interest?lang=de"))
    link = page.find("a", href=f"/desk/forums/{forum.slug}/interest/export?format=csv")

    response = browser.get(link["href"] + "&wants_to_present=true&lang=de")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{forum.slug}-interessierte.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert header[:3] == ["Vorname", "Nachname", "E-Mail"]
    assert [row[2] for row in rows] == [speaker]
    assert rows[0][8] == "'=SUM(A1)"
    xlsx = browser.get(f"/desk/forums/{forum.slug}/interest/export?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


@pytest.mark.parametrize("role", ["participant", "other_admin", "moderator", "photographer"])
def test_the_interest_pages_are_a_404_to_everyone_else(browser, make_forum, make_role, role):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, role))

    for tail in ("/interest", "/interest/export?format=csv"):
        assert browser.get(f"/desk/forums/{forum.slug}{tail}").status_code == 404


def test_the_api_lists_interest_by_keyset_pages_for_organizers(client, make_forum, make_role):
    forum = make_forum(status="announced")
    first = add_interest(client, forum, wants_to_present=True, presentation_topic="Eco")
    second = add_interest(client, forum, country="BR")
    organizer = make_role(forum, "organizer")
    url = f"/api/v1/forums/{forum.slug}/interest"

    page = client.get(f"{url}?limit=1", headers=organizer.headers).json()
    rest = client.get(
        f"{url}?limit=1&cursor={page['next_cursor']}", headers=organizer.headers
    ).json()

    assert [item["email"] for item in page["items"]] == [first]
    assert page["items"][0]["presentation_topic"] == "Eco"
    assert page["items"][0]["sub_region"] == "202"
    assert page["items"][0]["invitation_sent_at"] is None
    assert [item["email"] for item in rest["items"]] == [second]
    assert rest["next_cursor"] is None
    only = client.get(f"{url}?region=419", headers=organizer.headers).json()
    assert [item["email"] for item in only["items"]] == [second]
    wrong = client.get(f"{url}?region=999", headers=organizer.headers)
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_input"
    export = client.get(f"{url}/export?format=csv", headers=organizer.headers)
    assert export.status_code == 200
    assert first in export.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("participant", 403), ("other_admin", 403), ("photographer", 403)],
)
def test_the_api_keeps_the_interest_list_from_everyone_else(
    client, make_forum, make_role, role, status
):
    forum = make_forum(status="announced")
    add_interest(client, forum)
    account = make_role(forum, role)

    for tail in ("", "/export"):
        response = client.get(
            f"/api/v1/forums/{forum.slug}/interest{tail}",
            headers=account.headers if account else {},
        )
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
