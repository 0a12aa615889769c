"""The photo list on the desk: markers in colour and as words, a print layout for A4 portrait,
cards on a phone; photographers and those who run the forum see it, nobody else."""

from __future__ import annotations

from tests.desk.conftest import grant, sign_in
from tests.pages.html import page_of
from tests.registrations.conftest import register

ALL = [{"decision": "granted"}]
NONE = [{"decision": "refused"}]


def test_markers_are_written_out_and_the_page_prints_on_a4(browser, make_forum, make_person):
    forum = make_forum(status="registration_open")
    green = make_person(given_name="Ama", family_name="Owusu", organization="City of Accra")
    red = make_person(given_name="Lucía", family_name="Ortega")
    register(browser, forum, red, consent=NONE)
    register(browser, forum, green, consent=ALL)
    photographer = make_person()
    grant(browser, forum, photographer, "photographer")
    sign_in(browser, photographer)

    response = browser.get(f"/desk/forums/{forum.slug}/photos", params={"lang": "de"})
    assert response.status_code == 200, response.text
    page = page_of(response)
    rows = page.find("table", class_="photo-list").find("tbody").find_all("tr")
    # By family name: Ortega, Owusu; each marker in colour (its class) and as a word.
    assert [row.find("td", class_="name").text for row in rows] == ["Ortega , Lucía", "Owusu , Ama"]
    assert [row.find("span", class_="marker")["class"] for row in rows] == [
        "marker red",
        "marker green",
    ]
    words = [row.find("span", class_="marker").text for row in rows]
    assert words[0].startswith("Rot:") and words[1].startswith("Grün:"), words
    assert "City of Accra" in rows[1].text
    by_badge = page_of(browser.get(f"/desk/forums/{forum.slug}/photos?sort=badge"))
    names = [row.find("td", class_="name").text for row in by_badge.find("tbody").find_all("tr")]
    assert names == ["Ortega , Lucía", "Owusu , Ama"]

    links = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    [photos_css] = [href for href in links if href.startswith("/static/photos.")]
    css = browser.get(photos_css).text
    assert "@media print" in css
    assert "size: A4 portrait" in css
    assert "@media (max-width: 40rem)" in css


def test_only_photographers_and_those_who_run_the_forum_see_it(browser, make_forum, make_account):
    forum = make_forum(status="registration_open")
    here = f"/desk/forums/{forum.slug}/photos"
    assert browser.get(here, follow_redirects=False).status_code == 303
    participant, organizer, other_photographer = make_account(), make_account(), make_account()
    grant(browser, forum, organizer, "organizer")
    other = make_forum(status="registration_open")
    grant(browser, other, other_photographer, "photographer")
    for outsider in (participant, other_photographer):
        sign_in(browser, outsider)
        assert browser.get(here).status_code == 404
    for insider in (organizer, forum.admin):
        sign_in(browser, insider)
        assert browser.get(here).status_code == 200
