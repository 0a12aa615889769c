"""The desk's forum pages: a forum made and edited in four languages, its registration
settings, its programme and workshops; and who reaches them."""

from __future__ import annotations

import uuid

import pytest

from tests.desk.conftest import grant, sign_in
from tests.pages.conftest import submit
from tests.pages.html import Element, form_fields, page_of

TITLES = {
    "de": "Dialogforum Kommunen 2031",
    "en": "Municipal dialogue forum 2031",
    "fr": "Forum de dialogue des communes 2031",
    "es": "Foro de diálogo municipal 2031",
}
EDITORS = ("organizer", "lead_admin", "platform_admin")


def fields_of(form: Element) -> dict[str, str]:
    """What a browser sends for ``form``, text areas included."""
    return {
        **form_fields(form),
        **{area["name"]: area.text for area in form.find_all("textarea")},
    }


def send(browser, url: str, **typed: str):
    """The first form of ``url``'s main, as it stands, with ``typed`` changed."""
    form = page_of(browser.get(url)).find("main").find("form")
    return submit(browser, url, form, **{**fields_of(form), **typed})


def missing_tags(page: Element, field: str) -> list[str]:
    label = page.find("label", **{"for": field})
    return [tag.text for tag in label.find_all("span", class_="missing")]


def api_forum(client, forum_or_slug, account, lang: str = "en") -> dict:
    slug = getattr(forum_or_slug, "slug", forum_or_slug)
    response = client.get(f"/api/v1/forums/{slug}?lang={lang}", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


# Creating and editing a forum ------------------------------------------------------------------


def test_an_institutes_admin_creates_a_forum_in_four_languages(browser, client, make_forum):
    # The series and the admin of a lead institute come with a forum made through the API.
    existing = make_forum()
    sign_in(browser, existing.admin)
    desk = page_of(browser.get("/desk?lang=en")).find("main")
    assert desk.find("a", href="/desk/forums/new").text == "New forum"
    slug = f"forum-{uuid.uuid4().hex[:12]}"

    response = send(
        browser,
        "/desk/forums/new?lang=en",
        slug=slug,
        series=existing.body["series"]["slug"],
        edition="2031",
        kind="network_meeting",
        timezone="Africa/Nairobi",
        starts_at="2031-05-06T09:00",
        ends_at="2031-05-08T17:30",
        registration_opens_at="2031-02-01T08:00",
        venue_name="KICC",
        venue_city="Nairobi",
        venue_country="ke",
        languages="en fr",
        interpretation="fr",
        contact_email="forum@example.org",
        **{f"title_{locale}": text for locale, text in TITLES.items()},
        **{f"summary_{locale}": f"Summary {locale}" for locale in TITLES},
    )

    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/desk/forums/{slug}/edit"
    for locale, title in TITLES.items():
        assert api_forum(client, slug, existing.admin, locale)["title"]["text"] == title
    made = api_forum(client, slug, existing.admin)
    assert made["status"]["value"] == "draft"
    assert made["lead_organization"]["id"] == existing.lead_organization_id
    assert made["starts_at"] == "2031-05-06T09:00:00+03:00"
    assert made["registration_opens_at"] == "2031-02-01T08:00:00+03:00"
    assert made["venue"]["country"] == "KE"
    assert made["languages"] == [
        {"code": "en", "name": "English", "interpretation": False},
        {"code": "fr", "name": "French", "interpretation": True},
    ]
    page = page_of(browser.get(f"/desk/forums/{slug}/edit?lang=en"))
    assert page.find("input", id="title_es")["value"] == TITLES["es"]
    assert page.find("textarea", id="summary_fr").text == "Summary fr"
    assert page.find("input", id="starts_at")["value"] == "2031-05-06T09:00"
    assert not page.find("main").find_all("span", class_="missing")


def test_missing_languages_are_marked_in_the_readers_language(browser, make_forum):
    forum = make_forum(
        title={"en": "Only two", "de": "Nur zwei"}, summary={"de": "Nur auf Deutsch"}
    )
    sign_in(browser, forum.admin)

    page = page_of(browser.get(f"/desk/forums/{forum.slug}/edit?lang=de"))

    assert missing_tags(page, "title_de") == []
    assert missing_tags(page, "title_en") == []
    assert missing_tags(page, "title_fr") == ["fehlt"]
    assert missing_tags(page, "title_es") == ["fehlt"]
    assert missing_tags(page, "summary_en") == ["fehlt"]
    # A text written in no language at all is not "missing" in each.
    assert missing_tags(page, "description_en") == []
    in_french = page_of(browser.get(f"/desk/forums/{forum.slug}/edit?lang=fr"))
    assert missing_tags(in_french, "title_es") == ["manquant"]


def test_an_organizer_edits_the_forum_and_keeps_what_was_not_touched(
    browser, client, make_forum, make_role
):
    forum = make_forum(
        title={"en": "Before", "de": "Vorher"}, description={"en": "Long text"}, capacity=40
    )
    organizer = make_role(forum, "organizer")
    sign_in(browser, organizer)
    here = f"/desk/forums/{forum.slug}/edit?lang=en"

    response = send(browser, here, title_fr="Avant", venue_city="Cotonou", venue_country="BJ")

    assert response.status_code == 303
    page = page_of(browser.get(response.headers["location"]))
    assert page.find("p", class_="saved").text == "Saved."
    assert page.find("input", id="title_fr")["value"] == "Avant"
    assert missing_tags(page, "title_fr") == []
    assert missing_tags(page, "title_es") == ["missing"]
    stored = api_forum(client, forum, organizer, "fr")
    assert stored["title"]["text"] == "Avant"
    assert stored["venue"]["city"] == "Cotonou"
    assert stored["description"]["text"] == "Long text"
    assert stored["starts_at"] == forum.body["starts_at"]
    assert stored["capacity"] == 40
    nav = page.find("nav", class_="desk")
    assert nav.find("a", href=f"/desk/forums/{forum.slug}/edit")["aria-current"] == "page"


def test_partner_institutes_are_chosen_on_the_form(browser, client, make_forum, make_organization):
    partner = make_organization()
    forum = make_forum(partner_organization_ids=[partner["id"]])
    sign_in(browser, forum.admin)
    here = f"/desk/forums/{forum.slug}/edit?lang=en"

    page = page_of(browser.get(here))
    boxes = page.find("fieldset", id="partner_organization_ids").find_all("input")
    assert "checked" in page.find("input", id=f"partner-{partner['id']}").attrs
    assert f"partner-{forum.lead_organization_id}" not in [box["id"] for box in boxes]
    other = next(box["value"] for box in boxes if "checked" not in box.attrs)

    form = page.find("main").find("form")
    fields = {**fields_of(form), "partner_organization_ids": other}
    response = browser.post(here, data=fields, follow_redirects=False)

    assert response.status_code == 303
    partners = api_forum(client, forum, forum.admin)["partner_organizations"]
    assert [partner["id"] for partner in partners] == [int(other)]


def test_form_errors_show_beside_their_fields_and_nothing_is_saved(browser, client, make_forum):
    existing = make_forum()
    sign_in(browser, existing.admin)
    slug = f"forum-{uuid.uuid4().hex[:12]}"

    response = send(
        browser,
        "/desk/forums/new?lang=fr",
        slug=slug,
        series=existing.body["series"]["slug"],
        edition="2031",
        starts_at="2031-05-06T09:00",
        ends_at="2031-05-05T09:00",
    )

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("p", id="title-error").text == "Rédigez ce texte dans au moins une langue."
    assert page.find("input", id="slug")["value"] == slug
    assert client.get(f"/api/v1/forums/{slug}", headers=existing.admin.headers).status_code == 404

    response = send(
        browser,
        "/desk/forums/new?lang=es",
        slug=slug,
        series=existing.body["series"]["slug"],
        edition="2031",
        title_en="Dates the wrong way round",
        starts_at="2031-05-06T09:00",
        ends_at="2031-05-05T09:00",
    )

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("p", id="ends_at-error").text == "El final debe ser posterior al inicio."
    assert page.find("input", id="ends_at")["aria-invalid"] == "true"
    assert page.find("input", id="title_en")["value"] == "Dates the wrong way round"

    here = f"/desk/forums/{existing.slug}/edit?lang=en"
    response = send(browser, here, venue_country="XX", title_de="x" * 301)
    assert response.status_code == 400
    page = page_of(response)
    assert page.find("p", id="venue_country-error").text.startswith("Expected a two-letter")
    assert page.find("p", id="title_de-error").text == "Must be at most 300 characters long."
    assert api_forum(client, existing, existing.admin, "de")["title"]["text"] == "Testforum"


def test_an_address_taken_already_is_said_at_the_address(browser, make_forum):
    existing = make_forum()
    sign_in(browser, existing.admin)

    response = send(
        browser,
        "/desk/forums/new?lang=en",
        slug=existing.slug,
        series=existing.body["series"]["slug"],
        edition="2031",
        title_en="Same address",
        starts_at="2031-05-06T09:00",
        ends_at="2031-05-07T09:00",
    )

    assert response.status_code == 400
    assert existing.slug in page_of(response).find("p", id="slug-error").text


# Registration settings -------------------------------------------------------------------------


def test_seats_approval_and_sub_region_targets_are_set_on_a_page(browser, client, make_forum):
    forum = make_forum(status="announced", capacity=200)
    sign_in(browser, forum.admin)
    here = f"/desk/forums/{forum.slug}/registration-settings?lang=en"

    response = send(
        browser,
        here,
        capacity="180",
        requires_approval="on",
        regional_balance="on",
        region_0="202",
        share_0="30",
        region_1="419",
        share_1="25",
        region_2="150",
        share_2="40",
    )

    assert response.status_code == 303
    settings = client.get(
        f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
    ).json()
    assert settings["capacity"] == 180
    assert settings["requires_approval"] is True
    assert settings["regional_balance"] is True
    assert {target["region"]: target["share"] for target in settings["target_shares"]} == {
        "202": 30.0,
        "419": 25.0,
        "150": 40.0,
    }
    page = page_of(browser.get(response.headers["location"]))
    chosen = page.find("select", id="region_0").find_all("option")
    assert [option["value"] for option in chosen if "selected" in option.attrs] == ["150"]
    assert page.find("input", id="share_0")["value"] == "40"
    assert "Sub-Saharan Africa" in page.find("select", id="region_1").text

    # Africa (002) holds Sub-Saharan Africa (202): refused beside the row, nothing changes.
    response = send(browser, here, capacity="150", region_3="002", share_3="5")
    assert response.status_code == 400
    page = page_of(response)
    errors = [p.text for p in page.find("table", class_="targets").find_all("p", class_="error")]
    assert errors == ["This region lies within another region that has a target."]
    assert page.find("input", id="capacity")["value"] == "150"
    again = client.get(
        f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
    ).json()
    assert again["capacity"] == 180
    assert len(again["target_shares"]) == 3

    response = send(browser, here, share_3="5")
    assert response.status_code == 400
    assert "Choose a region and give its share." in page_of(response).find("main").text
    response = send(browser, here, share_0="140")
    assert response.status_code == 400
    page = page_of(response)
    assert page.find("input", id="share_0")["value"] == "140"
    errors = [p.text for p in page.find("table", class_="targets").find_all("p", class_="error")]
    assert errors == ["Give a share from 0 to 100."]


# Programme and workshops -----------------------------------------------------------------------


def test_programme_items_are_added_changed_and_deleted_in_the_forums_time_zone(
    browser, client, make_forum
):
    forum = make_forum(timezone="Africa/Nairobi")
    sign_in(browser, forum.admin)
    programme = f"/desk/forums/{forum.slug}/programme"

    assert page_of(browser.get(f"{programme}?lang=en")).find("a", href=f"{programme}/new")
    response = send(
        browser,
        f"{programme}/new?lang=en",
        kind="panel",
        title_en="Green tenders",
        title_de="Grüne Ausschreibungen",
        description_fr="Des achats durables",
        starts_at="2030-10-29T10:00",
        ends_at="2030-10-29T11:30",
        room="Hall B",
        speakers="Ama Owusu, City of Accra\nLucía Ortega",
    )

    assert response.status_code == 303
    assert response.headers["location"] == programme
    [item] = [
        item
        for day in client.get(
            f"/api/v1/forums/{forum.slug}/programme", headers=forum.admin.headers
        ).json()["days"]
        for item in day["items"]
    ]
    assert item["starts_at"] == "2030-10-29T10:00:00+03:00"
    assert item["speakers"][0]["organization"] == "City of Accra"
    page = page_of(browser.get(f"{programme}?lang=de"))
    entry = page.find("li", id=f"item-{item['id']}")
    assert entry.find("p", class_="time").text.startswith("10:00–11:30")
    assert "Africa/Nairobi" in page.find("main").text
    entry = page_of(browser.get(f"{programme}?lang=en")).find("li", id=f"item-{item['id']}")
    assert [tag.text for tag in entry.find_all("span", class_="missing")] == [
        "Français missing",
        "Español missing",
    ]

    here = f"{programme}/{item['id']}?lang=en"
    form = page_of(browser.get(here))
    assert form.find("input", id="starts_at")["value"] == "2030-10-29T10:00"
    assert form.find("textarea", id="speakers").text == "Ama Owusu, City of Accra Lucía Ortega"
    assert missing_tags(form, "title_fr") == ["missing"]
    response = send(browser, here, title_fr="Marchés verts", ends_at="2030-10-29T12:00")
    assert response.status_code == 303
    entry = page_of(browser.get(f"{programme}?lang=fr")).find("li", id=f"item-{item['id']}")
    assert "Marchés verts" in entry.text
    assert entry.find("p", class_="time").text.startswith("10:00–12:00")

    response = send(browser, here, starts_at="2031-01-01T10:00", ends_at="2031-01-01T11:00")
    assert response.status_code == 400
    assert (
        page_of(response)
        .find("p", id="starts_at-error")
        .text.startswith("This is outside the dates of the forum")
    )

    delete = page_of(browser.get(here)).find("form", class_="delete")
    response = submit(browser, here, delete)
    assert response.status_code == 303
    assert not page_of(browser.get(programme)).has("li", id=f"item-{item['id']}")


def test_workshops_are_listed_with_their_places_and_edited(browser, make_forum):
    forum = make_forum()
    sign_in(browser, forum.admin)
    workshops = f"/desk/forums/{forum.slug}/workshops"
    add = page_of(browser.get(f"{workshops}?lang=en")).find("a", class_="button")["href"]

    response = send(
        browser,
        add,
        title_en="Life-cycle costing",
        title_es="Costos del ciclo de vida",
        starts_at="2030-10-28T14:00",
        ends_at="2030-10-28T15:30",
        capacity="20",
    )

    assert response.status_code == 303
    assert response.headers["location"] == workshops
    page = page_of(browser.get(f"{workshops}?lang=de"))
    [row] = page.find("table", id="workshops").find("tbody").find_all("tr")
    cells = [cell.text for cell in row.find_all("td")]
    assert cells[0].startswith("Life-cycle costing")
    assert "14:00–15:30" in cells[1]
    assert cells[3:] == ["0", "20"]

    edit = row.find("a")["href"]
    assert edit.endswith("?back=workshops")
    assert send(browser, edit, capacity="25").headers["location"] == workshops
    [row] = page_of(browser.get(workshops)).find("table", id="workshops").find_all("tr")[1:]
    assert [cell.text for cell in row.find_all("td")][4] == "25"

    response = submit(browser, edit, page_of(browser.get(edit)).find("form", class_="delete"))
    assert response.headers["location"] == workshops
    assert not page_of(browser.get(workshops)).has("table", id="workshops")


# Who reaches the pages -------------------------------------------------------------------------


def forum_paths(browser, forum) -> list[str]:
    """The forum's pages on the desk, one programme item's included."""
    item = browser.post(
        f"/api/v1/forums/{forum.slug}/programme",
        json={
            "kind": "workshop",
            "title": {"en": "A workshop"},
            "starts_at": "2030-10-28T10:00:00",
            "ends_at": "2030-10-28T11:00:00",
        },
        headers=forum.admin.headers,
    ).json()
    base = f"/desk/forums/{forum.slug}"
    tails = ("/edit", "/registration-settings", "/programme", "/programme/new", "/workshops")
    return [base + tail for tail in tails] + [f"{base}/programme/{item['id']}"]


@pytest.mark.parametrize("status", ["draft", "announced"])
def test_the_forum_pages_are_for_those_who_edit_the_forum(browser, make_forum, make_role, status):
    forum = make_forum(status=status)
    paths = forum_paths(browser, forum)
    for path in paths:
        response = browser.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/account/sign-in?next=")

    other = make_forum(status=status)
    for outsider in (make_role(forum, "participant"), make_role(other, "organizer")):
        sign_in(browser, outsider)
        for path in paths:
            assert browser.get(path).status_code == 404, path
    for role in EDITORS:
        sign_in(browser, make_role(forum, role))
        for path in paths:
            assert browser.get(path).status_code == 200, (role, path)


def test_an_organizer_of_another_forum_cannot_post_to_this_one(
    browser, client, make_forum, make_role
):
    forum = make_forum(status="announced")
    other = make_forum(status="announced")
    organizer = make_role(other, "organizer")
    sign_in(browser, organizer)
    # A form of the forum they organize, its CSRF token valid, sent to the other forum.
    own = page_of(browser.get(f"/desk/forums/{other.slug}/edit")).find("main").find("form")
    fields = {**fields_of(own), "title_en": "Taken over"}

    for tail in ("/edit", "/registration-settings", "/programme/new"):
        response = browser.post(f"/desk/forums/{forum.slug}{tail}", data=fields)
        assert response.status_code == 404, tail
    assert api_forum(client, forum, forum.admin)["title"]["text"] == "Test forum"
    response = client.patch(
        f"/api/v1/forums/{forum.slug}",
        json={"title": {"en": "Taken over"}},
        headers=organizer.headers,
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("participant", 404),
        ("organizer", 404),
        ("moderator", 404),
        ("lead_admin", 200),
        ("other_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_the_new_forum_form_is_for_institutes_admins(
    browser, make_forum, make_role, role, status_code
):
    forum = make_forum()
    assert browser.get("/desk/forums/new", follow_redirects=False).status_code == 303
    sign_in(browser, make_role(forum, role))

    assert browser.get("/desk/forums/new").status_code == status_code


# The desk's other parts in its layout ----------------------------------------------------------


def test_the_door_photo_list_and_mail_pages_carry_the_desks_navigation(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open")
    sign_in(browser, forum.admin)
    base = f"/desk/forums/{forum.slug}"

    for tail in ("/door", "/photos", "/mail", "/mail/history"):
        page = page_of(browser.get(f"{base}{tail}?lang=en"))
        nav = page.find("nav", class_="desk")
        current = [a["href"] for a in nav.find_all("a") if a.get("aria-current") == "page"]
        assert current == [base + tail.replace("/history", "")], tail
        links = [link["href"] for link in page.find_all("link", rel="stylesheet")]
        assert any(href.startswith("/static/desk.") for href in links), tail

    desk_css = next(
        href
        for href in (link["href"] for link in page.find_all("link", rel="stylesheet"))
        if href.startswith("/static/desk.")
    )
    assert "@media print { nav.desk" in browser.get(desk_css).text

    photographer = make_account()
    grant(browser, forum, photographer, "photographer")
    sign_in(browser, photographer)
    response = browser.get(f"{base}/photos")
    assert response.status_code == 200
    assert not page_of(response).has("nav", class_="desk")
