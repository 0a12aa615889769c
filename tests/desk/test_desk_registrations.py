"""Registrations on the desk: search, filters, pages, one person's registration, approve and
decline, the downloads, and the forum's status moves on the overview; for editors only."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from openpyxl import load_workbook

from tests.board.conftest import outbox
from tests.desk.conftest import sign_in
from tests.pages.conftest import submit
from tests.pages.html import definitions, form_fields, page_of
from tests.registrations.conftest import register, set_registration_settings

EDITORS = ("organizer", "lead_admin", "platform_admin")
OUTSIDERS = ("participant", "other_admin", "moderator", "photographer")


def registrations_url(forum, query: str = "") -> str:
    return f"/desk/forums/{forum.slug}/registrations{query}"


def names_on(response) -> list[str]:
    """The names in the registrations table, in its order."""
    assert response.status_code == 200, response.text
    tables = page_of(response).find_all("table", id="registrations")
    if not tables:
        return []
    return [row.find("a").text.strip() for row in tables[0].find("tbody").find_all("tr")]


def post_with_token(browser, url: str, **fields: str):
    """``fields`` posted to ``url`` by the signed-in browser with a valid CSRF token (taken
    from the form of their own account settings), as a crafted form would be."""
    form = page_of(browser.get("/account/settings")).find("main").find("form")
    token = {name: value for name, value in form_fields(form).items() if "csrf" in name}
    assert token
    return browser.post(url, data={**token, **fields}, follow_redirects=False)


@pytest.fixture
def people(client, make_forum, make_person):
    """A forum with three registrations of different people, needs and regions."""
    forum = make_forum(status="registration_open", capacity=2)
    # Letters only: a number searched for is a badge number.
    tag = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:6])
    awa = make_person(
        given_name="Awa",
        family_name=f"Ouedraogo{tag}",
        organization="Ville de Ouagadougou",
        country="BF",
        locale="fr",
    )
    register(client, forum, awa, needs_visa_letter=True, dietary_needs="Halal")
    lucia = make_person(
        given_name="Lucía",
        family_name=f"Gomez{tag}",
        organization="Alcaldía de Bogotá",
        country="CO",
        locale="es",
    )
    register(client, forum, lucia, interpretation_languages=["es"], travel_support_requested=True)
    jonas = make_person(
        given_name="Jonas", family_name=f"Becker{tag}", organization="Stadt Bonn", country="DE"
    )
    jonas_registration = register(client, forum, jonas, accessibility_needs="Wheelchair")
    assert jonas_registration["status"]["value"] == "waitlisted"
    return forum, tag, jonas_registration["id"]


def test_organizers_search_by_name_email_institution_and_badge_number(
    browser, client, people, make_role
):
    forum, tag, _ = people
    sign_in(browser, make_role(forum, "organizer"))
    everyone = names_on(browser.get(registrations_url(forum)))
    assert everyone == [f"Awa Ouedraogo{tag}", f"Lucía Gomez{tag}", f"Jonas Becker{tag}"]

    assert names_on(browser.get(registrations_url(forum, f"?q=gomez{tag.upper()}"))) == [
        f"Lucía Gomez{tag}"
    ]
    assert names_on(browser.get(registrations_url(forum, "?q=ouagadougou"))) == [
        f"Awa Ouedraogo{tag}"
    ]
    # Several words: each must be found.
    assert names_on(browser.get(registrations_url(forum, "?q=stadt+jonas"))) == [
        f"Jonas Becker{tag}"
    ]
    assert names_on(browser.get(registrations_url(forum, "?q=stadt+lucía"))) == []
    listed = client.get(
        f"/api/v1/forums/{forum.slug}/registrations", headers=forum.admin.headers
    ).json()["items"]
    badge = next(item for item in listed if item["badge_number"] == 2)
    assert names_on(browser.get(registrations_url(forum, "?q=2"))) == [
        f"{badge['person']['given_name']} {badge['person']['family_name']}"
    ]
    by_email = names_on(browser.get(registrations_url(forum, f"?q={listed[0]['person']['email']}")))
    assert by_email == [f"Awa Ouedraogo{tag}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=waitlisted", ["Jonas"]),
        ("?status=confirmed", ["Awa", "Lucía"]),
        ("?region=202", ["Awa"]),
        ("?region=419", ["Lucía"]),
        ("?region=150", ["Jonas"]),
        ("?need=visa_letter", ["Awa"]),
        ("?need=travel_support", ["Lucía"]),
        ("?need=interpretation", ["Lucía"]),
        ("?need=dietary", ["Awa"]),
        ("?need=accessibility", ["Jonas"]),
        ("?status=confirmed&need=dietary", ["Awa"]),
    ],
)
def test_filters_by_status_region_and_needs(browser, people, make_role, query, expected):
    forum, _, _ = people
    sign_in(browser, make_role(forum, "lead_admin"))

    found = names_on(browser.get(registrations_url(forum, query)))

    assert [name.split()[0] for name in found] == expected


def test_the_list_comes_a_page_at_a_time(browser, people, make_role, monkeypatch):
    from mupass_forum.desk import registrations

    monkeypatch.setattr(registrations, "LISTED", 2)
    forum, tag, _ = people
    sign_in(browser, make_role(forum, "organizer"))

    first = browser.get(registrations_url(forum, "?q=" + tag))
    more = page_of(first).find("a", rel="next")["href"]
    second = browser.get(registrations_url(forum, more))

    assert [name.split()[0] for name in names_on(first)] == ["Awa", "Lucía"]
    assert "q=" + tag in more
    assert [name.split()[0] for name in names_on(second)] == ["Jonas"]
    assert page_of(second).find_all("a", rel="next") == []


def test_a_registration_page_shows_needs_and_history(browser, people, make_role):
    forum, tag, jonas = people
    sign_in(browser, make_role(forum, "organizer"))
    listing = page_of(browser.get(registrations_url(forum, "?q=Awa&lang=en")))
    link = listing.find("table", id="registrations").find("a")["href"]

    page = page_of(browser.get(link + "?lang=en"))

    assert page.find("h1").text == f"Awa Ouedraogo{tag}"
    assert page.find(id="status").text.startswith("Confirmed")
    assert page.find(id="needs").text == "Visa invitation letter, Dietary needs"
    rows = page.find("table", id="history").find("tbody").find_all("tr")
    assert len(rows) == 1 and "Confirmed" in rows[0].text
    # A seated person can be declined, but not approved again.
    buttons = [button["value"] for button in page.find(id="decision").find_all("button")]
    assert buttons == ["decline"]
    waiting = page_of(browser.get(registrations_url(forum, f"/{jonas}?lang=en")))
    assert "place 1 on the waiting list" in waiting.find(id="status").text


@pytest.fixture
def pending(client, make_forum, make_person):
    """A forum whose registrations await approval, with one from a French-speaking person."""
    forum = make_forum(status="registration_open")
    set_registration_settings(client, forum, requires_approval=True)
    person = make_person(given_name="Claire", family_name="Martin", locale="fr")
    registration = register(client, forum, person)
    assert registration["status"]["value"] == "pending_approval"
    return forum, person, registration["id"]


def test_approve_from_the_registration_page(browser, client, pending, make_role):
    forum, person, registration_id = pending
    sign_in(browser, make_role(forum, "organizer"))
    page = registrations_url(forum, f"/{registration_id}?lang=en")
    form = page_of(browser.get(page)).find("form", id="decision")

    response = submit(browser, page, form, action="approve")

    assert response.status_code == 303
    after = page_of(browser.get(response.headers["location"] + "?lang=en"))
    assert after.find(id="status").text.startswith("Confirmed")
    assert "Confirmed" in after.find("table", id="history").text
    assert [mail["template"] for mail in outbox(client, person.email)][-1] == (
        "registrations.confirmed"
    )


def test_decline_with_a_reason_told_in_the_persons_language(browser, client, pending, make_role):
    forum, person, registration_id = pending
    sign_in(browser, make_role(forum, "organizer"))
    page = registrations_url(forum, f"/{registration_id}?lang=de")
    form = page_of(browser.get(page)).find("form", id="decision")

    response = submit(browser, page, form, action="decline", reason="Plus de places, désolés")

    assert response.status_code == 303
    mail = outbox(client, person.email)[-1]
    assert (mail["template"], mail["locale"]) == ("registrations.declined", "fr")
    assert "Plus de places, désolés" in mail["text"]
    history = page_of(browser.get(registrations_url(forum, f"/{registration_id}?lang=en")))
    row = history.find("table", id="history").find("tbody").find_all("tr")[-1]
    assert "Declined" in row.text and "Plus de places" in row.text


def test_a_decision_the_status_does_not_allow_comes_back_with_the_reason(
    browser, client, pending, make_role
):
    forum, person, registration_id = pending
    sign_in(browser, make_role(forum, "organizer"))
    page = registrations_url(forum, f"/{registration_id}?lang=en")
    form = page_of(browser.get(page)).find("form", id="decision")
    assert submit(browser, page, form, action="approve").status_code == 303
    mails = len(outbox(client, person.email))

    again = submit(browser, page, form, action="approve")

    assert again.status_code == 409
    assert "cannot be approved" in page_of(again).find(role="alert").text
    assert len(outbox(client, person.email)) == mails


def test_downloads_are_the_apis_exports_with_the_pages_filters(browser, client, people, make_role):
    forum, tag, _ = people
    sign_in(browser, make_role(forum, "organizer"))
    page = page_of(browser.get(registrations_url(forum, "?need=dietary&lang=en")))
    links = {a.text: a["href"] for a in page.find("p", class_="actions").find_all("a")}

    as_csv = browser.get(links["CSV"])
    as_xlsx = browser.get(links["XLSX"])

    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="{forum.slug}-registrations.csv"'
    )
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and f"Ouedraogo{tag}" in rows[1]
    assert as_xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = [
        [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
    ]
    assert len(values) == 2 and f"Ouedraogo{tag}" in values[1]
    everything = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/export?format=csv&lang=en",
        headers=forum.admin.headers,
    )
    assert len(list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))) == 4
    # The API's list knows the same search and needs.
    found = client.get(
        f"/api/v1/forums/{forum.slug}/registrations?q=bonn&need=accessibility",
        headers=forum.admin.headers,
    )
    assert [item["person"]["given_name"] for item in found.json()["items"]] == ["Jonas"]


@pytest.mark.parametrize("role", EDITORS)
def test_editors_reach_every_registration_page(browser, people, make_role, role):
    forum, _, jonas = people
    sign_in(browser, make_role(forum, role))

    for tail in ("", f"/{jonas}", "/export?format=xlsx"):
        assert browser.get(registrations_url(forum, tail)).status_code == 200, tail
    nav = page_of(browser.get(f"/desk/forums/{forum.slug}?lang=en")).find("nav", class_="desk")
    assert nav.find("a", href=f"/desk/forums/{forum.slug}/registrations").text == "Registrations"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_registration_pages_are_a_404_to_everyone_else(
    browser, client, people, make_role, make_forum, role
):
    forum, _, jonas = people
    sign_in(browser, make_role(forum, role))

    for tail in ("", f"/{jonas}", "/export?format=csv"):
        assert browser.get(registrations_url(forum, tail)).status_code == 404, tail
    posted = post_with_token(
        browser, registrations_url(forum, f"/{jonas}/decision"), action="decline"
    )
    assert posted.status_code == 404
    still = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/{jonas}", headers=forum.admin.headers
    )
    assert still.json()["status"]["value"] == "waitlisted"


def test_signed_out_people_are_sent_to_sign_in(browser, people):
    forum, _, jonas = people

    for tail in ("", f"/{jonas}", "/export"):
        response = browser.get(registrations_url(forum, tail), follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/account/sign-in?next=")


# Status moves on the overview ------------------------------------------------------------------


def test_the_overview_offers_the_allowed_moves_in_the_readers_language(
    browser, make_forum, make_role
):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, "organizer"))

    page = page_of(browser.get(f"/desk/forums/{forum.slug}?lang=de"))

    moves = page.find("section", class_="status-moves")
    labels = [button.text for button in moves.find_all("button")]
    assert labels == ["Anmeldung öffnen", "Forum absagen"]
    targets = [field["value"] for field in moves.find_all("input", name="to")]
    assert targets == ["registration_open", "cancelled"]


def test_opening_registration_is_confirmed_then_done(browser, client, make_forum, make_role):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, "organizer"))
    confirm = f"/desk/forums/{forum.slug}/status?to=registration_open&lang=en"
    page = page_of(browser.get(confirm))
    assert "invitation to register" in page.find("main").text

    response = submit(browser, confirm, page.find("form", id="status-move"))

    assert response.status_code == 303
    assert response.headers["location"] == f"/desk/forums/{forum.slug}"
    assert client.get(f"/api/v1/forums/{forum.slug}").json()["status"]["value"] == (
        "registration_open"
    )
    overview = page_of(browser.get(f"/desk/forums/{forum.slug}?lang=en"))
    labels = [b.text for b in overview.find("section", class_="status-moves").find_all("button")]
    assert labels == ["Close registration", "Cancel the forum"]


def test_a_move_the_status_no_longer_allows_is_refused_with_a_message(
    browser, client, make_forum, make_role
):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, "organizer"))
    confirm = f"/desk/forums/{forum.slug}/status?to=registration_open&lang=en"
    form = page_of(browser.get(confirm)).find("form", id="status-move")
    assert submit(browser, confirm, form).status_code == 303

    again = submit(browser, confirm, form)

    assert again.status_code == 409
    assert "cannot change to" in page_of(again).find(role="alert").text
    assert client.get(f"/api/v1/forums/{forum.slug}").json()["status"]["value"] == (
        "registration_open"
    )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_status_moves_are_a_404_to_everyone_else(browser, client, make_forum, make_role, role):
    forum = make_forum(status="announced")
    sign_in(browser, make_role(forum, role))

    assert browser.get(f"/desk/forums/{forum.slug}/status?to=cancelled").status_code == 404
    posted = post_with_token(browser, f"/desk/forums/{forum.slug}/status", status="cancelled")

    assert posted.status_code == 404
    assert client.get(f"/api/v1/forums/{forum.slug}").json()["status"]["value"] == "announced"


def test_the_list_costs_the_same_statements_for_one_person_or_many(
    browser, client, make_forum, make_person, make_role, count_queries
):
    forum = make_forum(status="registration_open")
    sign_in(browser, make_role(forum, "organizer"))
    register(client, forum, make_person(country="SN"))
    with count_queries() as one:
        first = browser.get(registrations_url(forum))
    for country in ("CO", "DE", "BR", "KE"):
        register(client, forum, make_person(country=country), dietary_needs="Vegan")
    with count_queries() as five:
        second = browser.get(registrations_url(forum))

    assert len(names_on(first)) == 1 and len(names_on(second)) == 5
    assert len(five) == len(one), five


def test_a_registration_page_shows_the_answers_to_the_questions_the_forum_asks(
    browser, client, make_forum, make_person, make_role
):
    from tests.registrations.test_registration_questions import QUESTIONS

    forum = make_forum(status="registration_open", capacity=3)
    person = make_person(given_name="Awa", family_name="Ouedraogo", locale="fr")
    set_registration_settings(client, forum, questions=QUESTIONS)
    registration = register(
        client,
        forum,
        person,
        dietary_needs="Halal",
        needs_visa_letter=True,
        travel_support_requested=True,
        answers={"first_forum": True, "tshirt": "l"},
    )
    # Questions switched off later: their answers are no longer shown.
    set_registration_settings(
        client, forum, built_in_questions={"dietary_needs": False, "visa_letter": False}
    )
    sign_in(browser, make_role(forum, "organizer"))

    page = page_of(browser.get(registrations_url(forum, f"/{registration['id']}?lang=fr")))

    details = page.find("dl", class_="details")
    facts = definitions(details)
    assert facts["Taille du t-shirt"] == "Grande"
    assert facts["Is this your first forum?"] == "oui"
    assert facts["Su función en el municipio"] == "–"
    assert page.find(id="needs").text == "Aide au voyage"
    assert "Halal" not in details.text
    assert "Besoins alimentaires" not in facts
