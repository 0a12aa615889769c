"""Save the date: interest without an account, double opt-in, and one invitation per person."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from mupass_forum.registrations.tables import Interest


def new_email() -> str:
    return f"interest-{uuid.uuid4().hex[:12]}@example.org"


def interest(client, forum, email: str, **fields):
    body = {
        "given_name": "Moussa",
        "family_name": "Ouédraogo",
        "email": email,
        "locale": "fr",
        "country": "BF",
        **fields,
    }
    return client.post(f"/api/v1/forums/{forum.slug}/interest", json=body)


def token_of(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"/interest/confirm\?token=([^\s\"<&]+)", text)
    assert found, text
    return unquote(found.group(1))


def confirm(client, forum, token: str):
    return client.post(f"/api/v1/forums/{forum.slug}/interest/confirm", json={"token": token})


def set_status(client, forum, status: str) -> None:
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status", json={"status": status}, headers=forum.admin.headers
    )
    assert response.status_code == 200, response.text


def test_confirmed_interest_is_invited_once_in_its_language(
    mail_client, smtp_server, make_forum
) -> None:
    forum = make_forum(status="announced", capacity=50)
    confirmed, repeated, unconfirmed = new_email(), new_email(), new_email()

    response = interest(
        mail_client, forum, confirmed, wants_to_present=True, presentation_topic="Achats verts"
    )
    assert response.status_code == 202, response.text
    assert confirmed in response.json()["message"]
    [mail] = smtp_server.wait_for(to=confirmed)
    assert mail["Content-Language"] == "fr"
    assert mail["Subject"] == "Veuillez confirmer votre intérêt pour le forum « Test forum »"
    assert confirm(mail_client, forum, token_of(mail)).status_code == 200
    # The link works again without harm.
    assert confirm(mail_client, forum, token_of(mail)).status_code == 200

    # Repeating interest is harmless: one entry, a fresh link, the newest details.
    for locale in ("en", "es"):
        assert interest(mail_client, forum, repeated.upper(), locale=locale).status_code == 202
    first, second = smtp_server.wait_for(to=repeated, count=2)
    assert first["Content-Language"] == "en"
    assert token_of(first) != token_of(second)
    assert second["Content-Language"] == "es"
    assert confirm(mail_client, forum, token_of(second)).status_code == 200
    assert interest(mail_client, forum, unconfirmed, locale="de").status_code == 202
    smtp_server.wait_for(to=unconfirmed)

    wrong = confirm(mail_client, forum, "not-a-token")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid_input")

    set_status(mail_client, forum, "registration_open")
    set_status(mail_client, forum, "registration_closed")
    set_status(mail_client, forum, "registration_open")

    invitations = smtp_server.wait_for(to=confirmed, count=2)
    assert invitations[1]["Subject"] == "Les inscriptions au forum « Test forum » sont ouvertes"
    assert f"/forums/{forum.slug}/registration" in invitations[1].get_body(("plain",)).get_content()
    smtp_server.exactly(confirmed, 2)  # confirmation, one invitation
    smtp_server.exactly(repeated, 3)  # two confirmations, one invitation
    assert smtp_server.received(repeated)[2]["Content-Language"] == "es"
    smtp_server.exactly(unconfirmed, 1)  # never confirmed, never invited


def test_confirming_after_registration_opened_invites_at_once(
    mail_client, smtp_server, make_forum
) -> None:
    forum = make_forum(status="announced")
    email = new_email()
    assert interest(mail_client, forum, email, locale="es").status_code == 202
    [mail] = smtp_server.wait_for(to=email)
    set_status(mail_client, forum, "registration_open")
    assert confirm(mail_client, forum, token_of(mail)).status_code == 200
    _, invitation = smtp_server.wait_for(to=email, count=2)
    assert invitation["Subject"] == "Las inscripciones para el foro «Test forum» están abiertas"


def test_interest_needs_an_announced_forum_and_valid_details(client, make_forum) -> None:
    draft = make_forum()
    assert interest(client, draft, new_email()).status_code == 404
    open_forum = make_forum(status="registration_open")
    closed = interest(client, open_forum, new_email())
    assert (closed.status_code, closed.json()["code"]) == (409, "interest_closed")

    forum = make_forum(status="announced")
    bad = interest(client, forum, "no-address", locale="pt", country="XX", wants_to_present=True)
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json()["errors"]} == {
        "/email",
        "/locale",
        "/country",
        "/presentation_topic",
    }


def age_link(client, email: str, days: float) -> None:
    """Make the link last mailed to ``email`` look ``days`` old."""

    async def run() -> None:
        sent = datetime.now(UTC) - timedelta(days=days)
        await Interest.update({Interest.link_sent_at: sent}).where(Interest.email == email)

    client.blocking_portal.call(run)


def test_a_confirmation_link_expires_and_asking_again_sends_a_fresh_one(
    mail_client, smtp_server, make_forum
) -> None:
    forum = make_forum(status="announced")
    email = new_email()
    assert interest(mail_client, forum, email, locale="de").status_code == 202
    [first] = smtp_server.wait_for(to=email)

    age_link(mail_client, email, 7.5)
    expired = mail_client.post(
        f"/api/v1/forums/{forum.slug}/interest/confirm?lang=de", json={"token": token_of(first)}
    )
    assert (expired.status_code, expired.json()["code"]) == (410, "interest_link_expired")
    assert expired.headers["Content-Language"] == "de"
    assert expired.json()["detail"].startswith("Dieser Bestätigungslink ist abgelaufen.")

    assert interest(mail_client, forum, email, locale="de").status_code == 202
    _, fresh = smtp_server.wait_for(to=email, count=2)
    age_link(mail_client, email, 6.5)
    assert confirm(mail_client, forum, token_of(fresh)).status_code == 200
    # Once confirmed, the link stays harmless however old it gets; the replaced one is void.
    age_link(mail_client, email, 30)
    assert confirm(mail_client, forum, token_of(fresh)).status_code == 200
    assert confirm(mail_client, forum, token_of(first)).status_code == 400


def test_links_live_as_long_as_the_setting_says(make_mail_client, smtp_server, make_forum) -> None:
    client = make_mail_client(interest_link_days=1)
    forum = make_forum(status="announced")
    email = new_email()
    assert interest(client, forum, email).status_code == 202
    [mail] = smtp_server.wait_for(to=email)
    age_link(client, email, 1.5)
    expired = confirm(client, forum, token_of(mail))
    assert (expired.status_code, expired.json()["code"]) == (410, "interest_link_expired")


def interest_mails(client, email: str) -> int:
    from mupass_forum.mail.tables import OutboxMail

    return client.blocking_portal.call(OutboxMail.count().where(OutboxMail.recipient == email).run)


def test_interest_mails_to_one_address_are_bounded(client, make_forum) -> None:
    forum = make_forum(status="announced")
    email = new_email()

    answers = [interest(client, forum, email) for _ in range(20)]

    assert {answer.status_code for answer in answers} == {202}
    assert len({answer.text for answer in answers}) == 1
    assert interest_mails(client, email) == 3


def test_interest_forms_from_one_client_are_bounded(make_client, make_forum) -> None:
    client = make_client(interest_per_client_per_hour=4)
    forum = make_forum(status="announced")

    statuses = [interest(client, forum, new_email()).status_code for _ in range(6)]

    assert statuses == [202] * 4 + [429] * 2
    refused = interest(client, forum, new_email())
    assert refused.json()["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
