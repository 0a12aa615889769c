"""Mails rendered in the recipient's language and time zone, with safe HTML."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from mupass_forum.mail.templates import MailTemplate, fill_in, render
from tests.mail.outbox_routes import address, outbox_app


def bodies(message):
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


def test_recipients_in_de_and_fr_get_their_language_and_time_zone(
    make_mail_client, mail_settings, smtp_server
):
    client = make_mail_client(outbox_app(mail_settings))
    german, french = address("de"), address("fr")
    queued_at = "2030-05-04T10:30:00Z"

    for to, locale, zone in ((german, "de", "Europe/Berlin"), (french, "fr", "Africa/Ouagadougou")):
        response = client.post(
            "/api/v1/test-mails",
            json={"to": [to], "locale": locale, "timezone": zone, "queued_at": queued_at},
        )
        assert response.status_code == 201

    [de_mail] = smtp_server.wait_for(to=german)
    [fr_mail] = smtp_server.wait_for(to=french)
    de_text, de_html = bodies(de_mail)
    fr_text, fr_html = bodies(fr_mail)
    assert de_mail["Subject"] == "Testnachricht von forum.example.org"
    assert fr_mail["Subject"] == "Message de test de forum.example.org"
    assert de_mail["Content-Language"] == "de"
    assert fr_mail["Content-Language"] == "fr"
    # 10:30 UTC is 12:30 in Berlin (summer time) and 10:30 in Ouagadougou: to the minute, with
    # the zone named, since readers are spread over several.
    assert "am 04.05.2030, 12:30 (Mitteleuropäische Sommerzeit) zum Versand eingereiht" in de_text
    assert "le 4 mai 2030, 10:30 (heure moyenne de Greenwich)" in fr_text
    assert "12:30 (Mitteleuropäische Sommerzeit)" in de_html
    assert "10:30:00" not in fr_html and "10:30 (heure moyenne de Greenwich)" in fr_html
    assert '<html lang="de">' in de_html
    assert '<html lang="fr">' in fr_html
    assert de_text != fr_text


def test_the_action_is_a_button_in_html_and_a_bare_line_in_text(
    make_mail_client, mail_settings, smtp_server
):
    client = make_mail_client(outbox_app(mail_settings))
    to = address()

    client.post("/api/v1/test-mails", json={"to": [to], "locale": "es"})

    [message] = smtp_server.wait_for(to=to)
    text, html = bodies(message)
    assert "Abrir forum.example.org:\nhttps://forum.example.org/?lang=es\n" in text
    assert '<a href="https://forum.example.org/?lang=es" style="' in html
    assert "Si el botón no funciona, copie esta dirección en su navegador:" in html


def test_html_escapes_context_values(make_mail_client, mail_settings, smtp_server):
    client = make_mail_client(outbox_app(mail_settings))
    to = address()
    hostile = 'https://x.example/?a=1&b="><script>alert(1)</script>'

    client.post("/api/v1/test-mails", json={"to": [to], "site": hostile})

    [message] = smtp_server.wait_for(to=to)
    text, html = bodies(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # A value the caller gave is text, never a link: only the service's own links are.
    assert 'href="https://x.example' not in html
    assert hostile in text


NUMBERS = MailTemplate(
    name="tests.numbers",
    subject="Seats",
    paragraphs=("{seats} seats, from {day}", "{site}"),
)


def test_numbers_and_dates_are_formatted_for_the_reader(app):
    context = {"seats": 1234567, "day": dt.date(2030, 5, 4), "site": Decimal("0.5")}

    german = render(NUMBERS, "de", "Europe/Berlin", context)
    spanish = render(NUMBERS, "es", "America/Bogota", context)

    assert german.text.startswith("1.234.567 seats, from Samstag, 4. Mai 2030\n\n0,5\n")
    assert spanish.text.startswith("1.234.567 seats, from sábado, 4 de mayo de 2030\n")


IDENTIFIERS = MailTemplate(
    name="tests.identifiers",
    subject="Badge",
    paragraphs=("Badge {badge_number}, {edition_year}, {seats} seats",),
    action=("Open", "link"),
)


@pytest.mark.parametrize(
    ("locale", "seats"), [("de", "1.234"), ("fr", "1\u202f234"), ("es", "1234"), ("en", "1,234")]
)
def test_identifiers_are_written_as_they_are_and_counts_grouped(app, locale, seats):
    context = {"badge_number": 1234, "edition_year": 2030, "seats": 1234, "link": ""}

    mail = render(IDENTIFIERS, locale, None, context)

    assert mail.text.startswith(f"Badge 1234, 2030, {seats} seats")


@pytest.mark.parametrize(("locale", "line"), [("fr", "Open\u00a0:"), ("de", "Open:")])
def test_the_buttons_line_in_text_mails_has_the_languages_colon(app, locale, line):
    context = {"badge_number": 1, "edition_year": 2030, "seats": 1, "link": "https://x.test/"}

    mail = render(IDENTIFIERS, locale, None, context)

    assert f"\n\n{line}\nhttps://x.test/?lang={locale}\n" in mail.text


def test_a_naive_datetime_is_refused(app):
    with pytest.raises(ValueError, match="aware"):
        render(NUMBERS, "de", None, {"seats": 1, "day": dt.datetime(2030, 5, 4), "site": ""})


LINKS = MailTemplate(
    name="test.links",
    subject="Links",
    paragraphs=("Withdraw at {consent_link}. Not a link of ours: {homepage}",),
    action=("Open", "link"),
)


def test_the_services_links_open_pages_in_the_mails_language(app):
    context = {
        "link": "https://forum.example.org/account/verify?token=a%2Bb&lang=en",
        "consent_link": "https://forum.example.org/consent/withdrawal?token=xyz",
        "homepage": "https://city.example.org/?q=1",
    }

    mail = render(LINKS, "fr", "Africa/Dakar", context)

    verify = "https://forum.example.org/account/verify?token=a%2Bb&lang=fr"
    assert f"Open\u00a0:\n{verify}\n" in mail.text
    assert f'href="{verify.replace("&", "&amp;")}"' in mail.html
    assert "withdrawal?token=xyz&lang=fr." in mail.text
    # Only the service's own links (``link``, ``url``, ``*_link``, ``*_url``) are changed.
    assert "https://city.example.org/?q=1\n" in mail.text


GREETING = MailTemplate(
    name="test.greeting",
    subject="Hello {display_name}",
    paragraphs=(
        "Hello {display_name}, {organizer} wrote: {note}",
        "Withdraw at {consent_link}.",
    ),
    action=("Confirm", "link"),
)


def test_only_the_services_own_links_become_links_in_html(app):
    context = {
        "display_name": "confirm at https://evil.example/confirm?x=1 now",
        "organizer": "http://also-evil.example",
        "note": "see https://forum.example.org.evil.example/",
        "link": "https://forum.example.org/account/verify?token=abc",
        "consent_link": "https://forum.example.org/consent/withdrawal?token=xyz",
    }

    mail = render(GREETING, "en", None, context)

    assert "evil.example" in mail.html
    hrefs = re.findall(r'href="([^"]+)"', mail.html)
    assert hrefs and all(href.startswith("https://forum.example.org/") for href in hrefs)
    assert not any("evil" in href for href in hrefs)
    assert ">https://forum.example.org/consent/withdrawal?token=xyz&amp;lang=en</a>." in mail.html


def test_every_place_a_link_of_the_service_stands_becomes_an_anchor() -> None:
    template = MailTemplate(
        name="test.links", subject="Links", paragraphs=("{a_link}, {b_link}, {a_link}.",)
    )
    a, b = "https://forum.example.org/x", "https://forum.example.org/x/y"

    mail = render(template, "en", None, {"a_link": a, "b_link": b})

    anchors = re.findall(r'<a href="([^"]+)">([^<]+)</a>', mail.html)
    assert [href for href, _ in anchors] == [f"{a}?lang=en", f"{b}?lang=en", f"{a}?lang=en"]
    assert all(href == text for href, text in anchors)


def test_fields_rendered_later_are_written_as_render_writes_them() -> None:
    template = MailTemplate(
        name="test.later", subject="Badge {badge_number}", paragraphs=("Place {position}.",)
    )
    context = {"badge_number": "", "position": ""}

    early = render(template, "de", None, context, later=("badge_number", "position"))
    filled = fill_in(early, "de", None, {"badge_number": 12345, "position": 12345})

    assert filled == render(template, "de", None, {"badge_number": 12345, "position": 12345})
    assert "12345" in filled.subject
    assert "12.345" in filled.text
