"""The forums' pages: the list, a forum with its programme, interest, registration, consent
and proposals, each opened from the links the service mails."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.registrations.tables import Interest
from tests.pages.conftest import submit
from tests.pages.html import page_of
from tests.registrations.conftest import add_item


def sign_in(browser, account) -> None:
    """The browser holds the account's session cookie, as after signing in on a page."""
    browser.cookies.set(SESSION_COOKIE, account.token or "")


def link_in(message, path_pattern: str) -> str:
    """The path and query of the first link in a mail's text whose path matches."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https?://[^\s\"<>]*{path_pattern}[^\s\"<>]*", text)
    assert found, text
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# The forum list and a forum's page ------------------------------------------------------------


def test_the_start_page_leads_to_the_forum_list(browser):
    page = page_of(browser.get("/?lang=en"))

    assert page.find("main").find("a", href="/forums").text == "See the forums"


def test_the_forum_list_shows_upcoming_and_past_forums(browser, make_forum):
    # The run's database holds many forums: these two come first in their lists.
    today = datetime.now(UTC).date()
    upcoming = make_forum(
        status="announced",
        title={"en": "Upcoming forum", "fr": "Forum à venir"},
        starts_at=f"{today + timedelta(days=1)}T09:00:00",
        ends_at=f"{today + timedelta(days=2)}T17:00:00",
    )
    past = make_forum(
        status="announced",
        title={"en": "Past forum"},
        starts_at=f"{today - timedelta(days=2)}T09:00:00",
        ends_at=f"{today - timedelta(days=1)}T17:00:00",
    )
    draft = make_forum()

    response = browser.get("/forums?lang=fr")

    assert response.status_code == 200
    page = page_of(response)
    assert page.find("h1").text == "Forums"
    lists = page.find("main").find_all("ul", class_="forums")
    upcoming_links = [a["href"] for a in lists[0].find_all("a")]
    past_links = [a["href"] for a in lists[1].find_all("a")]
    assert f"/forums/{upcoming.slug}" in upcoming_links
    assert f"/forums/{past.slug}" in past_links
    assert f"/forums/{draft.slug}" not in upcoming_links + past_links
    assert page.find("a", href=f"/forums/{upcoming.slug}").text == "Forum à venir"


def test_a_forum_page_shows_its_programme_by_day_in_the_readers_time_zone(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open", title={"en": "Programme forum"})
    add_item(
        browser,
        forum,
        kind="plenary",
        title={"en": "Opening", "es": "Apertura"},
        starts_at="2030-10-28T09:30:00",
        ends_at="2030-10-28T10:30:00",
    )
    add_item(
        browser,
        forum,
        title={"en": "Green buying"},
        starts_at="2030-10-29T14:00:00",
        ends_at="2030-10-29T15:30:00",
    )
    reader = make_account(timezone="America/Bogota")
    sign_in(browser, reader)

    response = browser.get(f"/forums/{forum.slug}?lang=es", headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert response.headers["content-language"] == "es"
    page = page_of(response)
    main = page.find("main")
    assert main.find("h1").text == "Programme forum"
    days = [h3.text for h3 in main.find("section", aria_labelledby="programme").find_all("h3")]
    assert days == ["lunes, 28 de octubre de 2030", "martes, 29 de octubre de 2030"]
    # 09:30 in Bonn is 03:30 in Bogotá, and the page says so.
    first = main.find("ol", class_="programme").find("li")
    assert first.find("p", class_="time").text.startswith("3:30–4:30")
    assert "Apertura" in first.text
    assert "Colombia" in main.text
    calendar = main.find("a", class_="calendar")
    assert calendar["href"] == f"/api/v1/forums/{forum.slug}/calendar.ics?lang=es"
    assert browser.get(calendar["href"]).status_code == 200
    assert main.find("a", href=f"/forums/{forum.slug}/registration")


def test_a_forum_page_prints_without_navigation_and_stays_small(browser, make_forum):
    forum = make_forum(status="registration_open")
    for day in (28, 29, 30):
        add_item(
            browser,
            forum,
            starts_at=f"2030-10-{day}T10:00:00",
            ends_at=f"2030-10-{day}T11:00:00",
        )

    response = browser.get(f"/forums/{forum.slug}?lang=de")
    page = page_of(response)
    css = browser.get(page.find("link", rel="stylesheet")["href"])

    print_rules = css.text[css.text.index("@media print") :]
    assert re.search(r"header\.site[^{]*\{\s*display:\s*none", print_rules)
    assert page.find("section", aria_labelledby="take-part")["class"] == "no-print"
    assert ".no-print" in print_rules
    assert len(response.content) + len(css.content) < 60 * 1024


def test_a_draft_forum_is_not_found(browser, make_forum, make_account):
    draft = make_forum()

    # Signed out, the page asks for a sign-in (its organizers see drafts) …
    asked = browser.get(f"/forums/{draft.slug}?lang=de", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/account/sign-in?next=")
    # … signed in as anyone else, there is no such forum.
    sign_in(browser, make_account())
    response = browser.get(f"/forums/{draft.slug}?lang=de")

    assert response.status_code == 404
    assert page_of(response).find("h1").text == "Nicht gefunden"


# Save the date ----------------------------------------------------------------------------------


def interest_of(client, forum, email: str):
    async def read():
        return (
            await Interest.select(Interest.confirmed_at, Interest.locale)
            .where(Interest.forum == forum.id, Interest.email == email)
            .first()
        )

    return client.blocking_portal.call(read)


def test_interest_from_the_form_through_the_mail_to_the_confirmation_button(
    mail_client, smtp_server, make_forum
):
    forum = make_forum(status="announced", title={"en": "Interest forum", "fr": "Forum d’intérêt"})
    email = f"page-interest-{uuid.uuid4().hex[:10]}@example.org"
    form_url = f"/forums/{forum.slug}/interest?lang=fr"
    form_page = page_of(mail_client.get(form_url))
    # The helper folds white space, the no-break space before the colon included.
    assert form_page.find("h1").text == "Réservez la date : Forum d’intérêt"
    options = form_page.find("select", id="locale").find_all("option")
    assert [option["value"] for option in options if "selected" in option.attrs] == ["fr"]

    sent = submit(
        mail_client,
        form_url,
        given_name="Awa",
        family_name="Traoré",
        email=email,
        country="SN",
        wants_to_present="on",
        presentation_topic="Achats durables à Dakar",
    )

    assert sent.status_code == 200, sent.text
    assert email in page_of(sent).find("main").text
    [mail] = smtp_server.wait_for(to=email)
    assert mail["Content-Language"] == "fr"
    link = link_in(mail, "/interest/confirm")
    assert link.startswith(f"/forums/{forum.slug}/interest/confirm?token=")
    assert "lang=fr" in link

    # Opening the link (as a mail scanner would) confirms nothing: it shows one button.
    mail_client.cookies.clear()
    opened = mail_client.get(link, headers={"Accept-Language": "de"})
    assert opened.status_code == 200
    page = page_of(opened)
    assert page.find("html")["lang"] == "fr"
    buttons = page.find("main").find_all("button")
    assert [button.text for button in buttons] == ["Confirmer mon intérêt"]
    assert interest_of(mail_client, forum, email)["confirmed_at"] is None

    confirmed = submit(mail_client, link)

    assert confirmed.status_code == 200
    assert "Merci, votre intérêt est confirmé." in page_of(confirmed).find("main").text
    assert interest_of(mail_client, forum, email)["confirmed_at"] is not None


def test_the_interest_form_shows_what_is_wrong_next_to_the_fields(browser, make_forum):
    forum = make_forum(status="announced")

    sent = submit(
        browser,
        f"/forums/{forum.slug}/interest?lang=de",
        given_name="Awa",
        family_name="Traoré",
        email="not-an-address",
        country="SN",
    )

    assert sent.status_code == 400
    page = page_of(sent)
    assert page.find("div", class_="problem")
    assert page.find("input", id="email")["aria-invalid"] == "true"
    assert page.find("input", id="given_name")["value"] == "Awa"


def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(browser, make_forum):
    forum = make_forum(status="announced")
    email = f"page-csrf-{uuid.uuid4().hex[:10]}@example.org"
    browser.get(f"/forums/{forum.slug}/interest")

    response = browser.post(
        f"/forums/{forum.slug}/interest?lang=en",
        data={
            "given_name": "A",
            "family_name": "B",
            "email": email,
            "locale": "en",
            "country": "DE",
        },
    )

    assert response.status_code == 403
    assert page_of(response).find("h1").text == "Not allowed"
    assert interest_of(browser, forum, email) is None


def test_an_expired_or_wrong_confirmation_link_is_a_page_that_says_so(browser, make_forum):
    forum = make_forum(status="announced")
    url = f"/forums/{forum.slug}/interest/confirm?token=not-a-token&lang=es"

    response = submit(browser, url)

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("html")["lang"] == "es"
    assert "no es válido" in page.find("main").text


# Registering ------------------------------------------------------------------------------------


def registration_url(forum, lang: str = "en") -> str:
    return f"/forums/{forum.slug}/registration?lang={lang}"


def test_the_registration_page_needs_a_sign_in_and_comes_back(browser, make_forum):
    forum = make_forum(status="registration_open")

    response = browser.get(registration_url(forum, "es"), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/account/sign-in?next=%2Fforums%2F{forum.slug}%2Fregistration%3Flang%3Des"
    )


def test_register_through_the_form_seat_then_waiting_list_then_cancel(
    mail_client, smtp_server, make_forum, make_account
):
    forum = make_forum(status="registration_open", capacity=1)
    first, second = make_account(locale="es"), make_account(locale="en")

    sign_in(mail_client, first)
    form = page_of(mail_client.get(registration_url(forum)))
    assert form.find("section", aria_labelledby="register")
    sent = submit(
        mail_client,
        registration_url(forum),
        form=form.find("section", aria_labelledby="register").find("form"),
        dietary_needs="Vegetarian",
        needs_visa_letter="on",
        consent_pairs=["photo.internal", "video.internal"],
    )
    assert sent.status_code == 303
    # The mail's link opens the registration in the mail's language.
    [mail] = smtp_server.wait_for(to=first.email)
    link = link_in(mail, "/registration")
    assert link == f"/forums/{forum.slug}/registration?lang=es"
    mine = page_of(mail_client.get(link))
    assert mine.find("html")["lang"] == "es"
    assert mine.find("strong", class_="status").text == "Confirmada"
    assert mine.find("dd", class_="badge").text == "1"
    assert not mine.has("section", aria_labelledby="register")
    # The boxes ticked with the registration are its consent: some uses only.
    consent = page_of(mail_client.get(f"/forums/{forum.slug}/consent"))
    assert consent.find("strong", class_="marker")["class"] == "marker yellow"

    mail_client.cookies.clear()
    sign_in(mail_client, second)
    submit(
        mail_client,
        registration_url(forum),
        form=page_of(mail_client.get(registration_url(forum)))
        .find("section", aria_labelledby="register")
        .find("form"),
    )
    waiting = page_of(mail_client.get(registration_url(forum)))
    assert waiting.find("strong", class_="status").text == "On the waiting list"
    assert waiting.find("dd", class_="position").text == "1"

    mail_client.cookies.clear()
    sign_in(mail_client, first)
    cancel_form = page_of(mail_client.get(registration_url(forum))).find(
        "section", aria_labelledby="cancel"
    )
    cancelled = submit(
        mail_client, registration_url(forum), form=cancel_form.find("form"), reason="Illness"
    )
    assert cancelled.status_code == 303
    after = page_of(mail_client.get(registration_url(forum)))
    assert after.find("strong", class_="status").text == "Cancelled"

    mail_client.cookies.clear()
    sign_in(mail_client, second)
    promoted = page_of(mail_client.get(registration_url(forum)))
    assert promoted.find("strong", class_="status").text == "Confirmed"
    assert promoted.find("dd", class_="badge")


def test_workshop_places_are_taken_and_given_back_on_the_registration_page(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open")
    workshop = add_item(browser, forum, capacity=5, title={"en": "Eco labels"})
    person = make_account()
    sign_in(browser, person)
    page_url = registration_url(forum)
    submit(
        browser,
        page_url,
        form=page_of(browser.get(page_url))
        .find("section", aria_labelledby="register")
        .find("form"),
    )

    section = page_of(browser.get(page_url)).find("section", aria_labelledby="workshops")
    assert "Eco labels" in section.text
    assert "5 places left" in section.text
    taken = submit(browser, page_url, form=section.find("form"))
    assert taken.status_code == 303

    section = page_of(browser.get(page_url)).find("section", aria_labelledby="workshops")
    assert "You have a place" in section.text
    assert "4 places left" in section.text
    assert section.find("form")["action"].endswith(f"/workshops/{workshop['id']}/leave")
    submit(browser, page_url, form=section.find("form"))
    section = page_of(browser.get(page_url)).find("section", aria_labelledby="workshops")
    assert "5 places left" in section.text


# Photo and video consent ------------------------------------------------------------------------


def test_consent_choices_recorded_through_the_form_show_the_marker(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open")
    person = make_account()
    sign_in(browser, person)
    url = f"/forums/{forum.slug}/consent?lang=en"

    page = page_of(browser.get(url))
    assert page.find("strong", class_="marker")["class"] == "marker red"
    boxes = page.find("main").find_all("input", type="checkbox")
    assert len(boxes) == 8
    [withdrawal] = [
        a["href"]
        for a in page.find("main").find_all("a")
        if a["href"].startswith("/api/v1/consent/withdrawal?token=")
    ]
    assert browser.get(withdrawal, headers={"Accept": "text/html"}).status_code == 200

    everything = [box["value"] for box in boxes]
    assert submit(browser, url, consent_pairs=everything).status_code == 303
    page = page_of(browser.get(url))
    assert page.find("strong", class_="marker")["class"] == "marker green"
    assert all(
        "checked" in box.attrs for box in page.find("main").find_all("input", type="checkbox")
    )

    submit(browser, url, consent_pairs=["photo.internal"])
    page = page_of(browser.get(url))
    assert page.find("strong", class_="marker")["class"] == "marker yellow"
    ticked = [
        box["value"] for box in page.find_all("input", type="checkbox") if "checked" in box.attrs
    ]
    assert ticked == ["photo.internal"]

    withdraw_form = page.find("main").find_all("form")[1]
    submit(browser, url, form=withdraw_form)
    page = page_of(browser.get(url))
    assert page.find("strong", class_="marker")["class"] == "marker red"
    api = browser.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert api["marker"]["value"] == "red"
    assert {event["channel"]["value"] for event in api["history"]} == {"self_service"}


# Proposals --------------------------------------------------------------------------------------


def test_a_proposal_sent_through_the_form_and_its_decision_from_the_mails_link(
    mail_client, smtp_server, make_forum, make_account
):
    forum = make_forum(status="registration_open")
    author = make_account(locale="fr")
    registered = mail_client.post(
        f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=author.headers
    )
    assert registered.status_code == 201, registered.text
    sign_in(mail_client, author)
    url = f"/forums/{forum.slug}/proposals?lang=fr"
    form = page_of(mail_client.get(url)).find("section", aria_labelledby="propose").find("form")

    sent = submit(
        mail_client,
        url,
        form=form,
        title="Cantines scolaires bio à Ouagadougou",
        abstract="Comment la ville achète local.",
        format="talk",
    )

    assert sent.status_code == 303
    proposal_path = sent.headers["location"]
    assert re.fullmatch(rf"/forums/{forum.slug}/proposals/\d+", proposal_path)
    page = page_of(mail_client.get(proposal_path))
    assert page.find("h1").text == "Cantines scolaires bio à Ouagadougou"
    assert page.find("strong", class_="status").text == "Soumise"
    listed = page_of(mail_client.get(url)).find("ul", class_="proposals")
    assert listed.find("a")["href"] == proposal_path

    proposal_id = proposal_path.rsplit("/", 1)[1]
    decided = mail_client.post(
        f"/api/v1/forums/{forum.slug}/proposals/{proposal_id}/decision",
        json={"outcome": "accept", "message": "Bienvenue au panel du mardi."},
        headers=forum.admin.headers,
    )
    assert decided.status_code == 200, decided.text
    _, mail = smtp_server.wait_for(to=author.email, count=2)  # registration, decision
    link = link_in(mail, "/proposals/")
    assert link == f"{proposal_path}?lang=fr"

    mail_client.cookies.clear()
    assert mail_client.get(link, follow_redirects=False).status_code == 303
    sign_in(mail_client, author)
    decision = page_of(mail_client.get(link, headers={"Accept-Language": "de"}))
    assert decision.find("html")["lang"] == "fr"
    assert decision.find("strong", class_="status").text == "Acceptée"
    assert decision.find("p", class_="decision").text == "Bienvenue au panel du mardi."


def test_a_proposal_without_a_title_comes_back_with_the_field_marked(
    browser, make_forum, make_account
):
    forum = make_forum(status="registration_open")
    author = make_account()
    browser.post(f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=author.headers)
    sign_in(browser, author)
    url = f"/forums/{forum.slug}/proposals?lang=en"
    form = page_of(browser.get(url)).find("section", aria_labelledby="propose").find("form")

    sent = submit(browser, url, form=form, title="", abstract="Something")

    assert sent.status_code == 400
    assert page_of(sent).find("input", id="title")["aria-invalid"] == "true"


def test_someone_elses_proposal_is_not_found(browser, make_forum, make_account):
    forum = make_forum(status="registration_open")
    author, other = make_account(), make_account()
    browser.post(f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=author.headers)
    made = browser.post(
        f"/api/v1/forums/{forum.slug}/proposals",
        json={
            "title": {"en": "Mine"},
            "abstract": {"en": "Abstract"},
            "format": "poster",
            "delivery_language": "en",
        },
        headers=author.headers,
    )
    assert made.status_code == 201, made.text
    sign_in(browser, other)

    response = browser.get(f"/forums/{forum.slug}/proposals/{made.json()['id']}")

    assert response.status_code == 404
