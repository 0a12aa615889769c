"""Mail to participants: written once per language, to the people chosen, each in their own
language or the fallback, sent once however often the send is repeated, with its history."""

from __future__ import annotations

from tests.desk.conftest import sign_in
from tests.mail_fixtures import text_of
from tests.pages.conftest import submit
from tests.pages.html import page_of
from tests.registrations.conftest import mails_to, register


def test_a_message_in_each_persons_language_sent_once(
    mail_client, smtp_server, make_forum, make_person
) -> None:
    forum = make_forum(status="registration_open", capacity=3)
    german = make_person(locale="de", country="DE")
    french = make_person(locale="fr", country="SN")
    spanish = make_person(locale="es", country="PE")
    waiting = make_person(locale="de", country="SN")
    for person in (german, french, spanish, waiting):
        register(mail_client, forum, person)
    sign_in(mail_client, forum.admin)
    here = f"/desk/forums/{forum.slug}/mail"

    form = page_of(mail_client.get(here)).find("main").find("form")
    written = submit(
        mail_client,
        here,
        form=form,
        audiences="confirmed",
        fallback_locale="en",
        subject_en="Travel information",
        body_en="Dear all,\n\nthe shuttle leaves at 8.",
        subject_de="Reiseinformationen",
        body_de="Liebe Teilnehmende,\n\nder Bus fährt um 8 Uhr.",
        region="",
        need="",
    )
    assert written.status_code == 303, written.text
    message_url = written.headers["location"]

    preview = page_of(mail_client.get(message_url))
    assert preview.find(id="preview-de").find("p", class_="subject").text == "Reiseinformationen"
    french_preview = preview.find(id="preview-fr")
    assert french_preview.find("p", class_="subject").text == "Travel information"
    assert "fallback" in french_preview.text
    assert "3 people" in preview.find("p", class_="status").text

    sent = submit(mail_client, message_url, form=preview.find("form"))
    assert sent.status_code == 303, sent.text
    # The same form sent again (a retry, a second click) sends nothing more.
    again = submit(mail_client, message_url, form=preview.find("form"))
    assert again.status_code == 303, again.text

    [to_german] = mails_to(smtp_server, german, 2)[1:]
    assert to_german["Subject"] == "Reiseinformationen"
    assert "der Bus fährt um 8 Uhr." in text_of(to_german)
    [_, to_french] = mails_to(smtp_server, french, 2)
    assert (to_french["Subject"], to_french["Content-Language"]) == ("Travel information", "fr")
    assert "the shuttle leaves at 8." in text_of(to_french)
    mails_to(smtp_server, spanish, 2)
    # Waitlisted: only the registration's own mail.
    mails_to(smtp_server, waiting, 1)

    history = page_of(mail_client.get(message_url))
    rows = history.find("table", class_="deliveries").find("tbody").find_all("tr")
    assert sorted(row.find_all("td")[1].text for row in rows) == sorted(
        [german.email, french.email, spanish.email]
    )
    listed = mail_client.get(
        f"/api/v1/forums/{forum.slug}/messages", headers=forum.admin.headers
    ).json()
    assert [(m["recipient_count"], m["sent_at"] is not None) for m in listed] == [(3, True)]


def test_recipients_by_status_and_region_and_the_form_checks(
    client, make_forum, make_person, make_account
):
    forum = make_forum(status="registration_open", capacity=1)
    seated = make_person(country="DE")
    waiting_africa = make_person(country="SN")
    waiting_europe = make_person(country="FR")
    for person in (seated, waiting_africa, waiting_europe):
        register(client, forum, person)
    url = f"/api/v1/forums/{forum.slug}/messages"
    body = {
        "subject": {"en": "Hello"},
        "body": {"en": "A seat may come free."},
        "fallback_locale": "en",
        "recipients": {"audiences": ["waitlisted"], "region": "202"},
    }
    made = client.post(url, json=body, headers=forum.admin.headers)
    assert made.status_code == 201, made.text
    preview = client.get(f"{url}/{made.json()['id']}", headers=forum.admin.headers).json()
    assert preview["recipient_total"] == 1
    sent = client.post(f"{url}/{made.json()['id']}/send", headers=forum.admin.headers).json()
    assert sent["recipient_count"] == 1
    deliveries = client.get(
        f"{url}/{made.json()['id']}/deliveries", headers=forum.admin.headers
    ).json()
    assert [d["email"] for d in deliveries] == [waiting_africa.email]

    missing_fallback = client.post(
        url, json={**body, "fallback_locale": "de"}, headers=forum.admin.headers
    )
    assert missing_fallback.status_code == 400
    assert missing_fallback.json()["errors"][0]["code"] == "fallback_missing"
    unknown = client.post(url, json={**body, "subject": {"xx": "?"}}, headers=forum.admin.headers)
    assert unknown.status_code == 400

    outsider = make_account()
    assert client.get(url, headers=outsider.headers).status_code == 404
    assert client.post(url, json=body, headers=outsider.headers).status_code == 404
    assert client.get(url).status_code == 401


def test_the_mail_pages_are_hidden_from_participants(browser, make_forum, make_account):
    forum = make_forum(status="registration_open")
    here = f"/desk/forums/{forum.slug}/mail"
    assert browser.get(here, follow_redirects=False).status_code == 303
    sign_in(browser, make_account())
    assert browser.get(here).status_code == 404
    assert browser.get(f"{here}/history").status_code == 404
    sign_in(browser, forum.admin)
    page = page_of(browser.get(f"{here}?lang=es"))
    assert page.find("html")["lang"] == "es"
