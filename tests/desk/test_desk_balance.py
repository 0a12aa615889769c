"""The regional balance on the desk: the chart of the targets' areas, the numbers, and the
waiting list with the area each person counts in."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests.desk.conftest import sign_in
from tests.pages.html import page_of
from tests.registrations.conftest import register, set_registration_settings

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def balanced_forum(client, make_forum, make_person):
    """Two seats: one from Germany, one from Ghana; waiting: Colombia, then Egypt."""
    forum = make_forum(status="registration_open", capacity=2)
    set_registration_settings(
        client, forum, regional_balance=True, target_shares={"150": 40, "202": 30, "419": 30}
    )
    for country in ("DE", "GH", "CO", "EG"):
        register(client, forum, make_person(country=country))
    return forum


def test_the_chart_draws_the_areas_the_targets_name(browser, balanced_forum, make_role):
    sign_in(browser, make_role(balanced_forum, "organizer"))
    page = page_of(browser.get(f"/desk/forums/{balanced_forum.slug}/balance?lang=es"))
    src = page.find("figure", class_="chart").find("img")["src"]

    response = browser.get(src)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    for label in ("Europa", "África subsahariana", "Latinoamérica"):
        assert label in texts
    assert len(list(root.iter(f"{SVG}line"))) == 3


def test_the_balance_page_gives_the_numbers(browser, balanced_forum, make_role):
    sign_in(browser, make_role(balanced_forum, "lead_admin"))

    page = page_of(browser.get(f"/desk/forums/{balanced_forum.slug}/balance?lang=en"))

    def cells(key: str) -> list[str]:
        row = page.find("tr", id=f"area-{key}")
        return [row.find("th").text] + [cell.text for cell in row.find_all("td")]

    assert cells("202") == ["Sub-Saharan Africa", "30%", "50.0% (1)", "+20.0 points", "0", "0"]
    assert cells("419") == ["Latin America", "30%", "0.0% (0)", "-30.0 points", "1", "0"]
    assert cells("other") == ["Other regions", "–", "0.0% (0)", "–", "1", "0"]
    csv = browser.get(f"/desk/forums/{balanced_forum.slug}/balance/figures.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")


def test_the_waiting_list_shows_each_persons_regional_effect(browser, balanced_forum, make_role):
    sign_in(browser, make_role(balanced_forum, "organizer"))

    page = page_of(browser.get(f"/desk/forums/{balanced_forum.slug}/waiting-list?lang=en"))

    rows = page.find("table", id="waiting-list").find("tbody").find_all("tr")
    cells = [[cell.text for cell in row.find_all("td")] for row in rows]
    assert [(row[0], row[3], row[4], row[5]) for row in cells] == [
        ("1", "Colombia", "Latin America", "-30.0 points"),
        ("2", "Egypt", "Other regions", "–"),
    ]
    assert "furthest below" in page.find("main").text


@pytest.mark.parametrize("role", ["participant", "other_admin", "photographer"])
def test_balance_and_waiting_list_are_a_404_to_everyone_else(
    browser, balanced_forum, make_role, role
):
    sign_in(browser, make_role(balanced_forum, role))

    for tail in ("/balance", "/balance/chart.svg", "/balance/figures.csv", "/waiting-list"):
        assert browser.get(f"/desk/forums/{balanced_forum.slug}{tail}").status_code == 404
