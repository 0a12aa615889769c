"""Sign-up, confirmation, password reset and change, with mail through a real SMTP server."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mupass_forum.accounts.services import AccountService
from mupass_forum.accounts.tables import OneTimeToken
from mupass_forum.mail.tables import OutboxMail
from tests.mail_fixtures import text_of, token_in


def new_email() -> str:
    return f"mail-{uuid.uuid4().hex[:12]}@example.org"


def sign_up(client, email, **changes):
    response = client.post(
        "/api/v1/auth/signup",
        json={
            "email": email,
            "password": "a good passphrase",
            "display_name": "Kwame Mensah",
            "locale": "en",
            "timezone": "Europe/Berlin",
            **changes,
        },
    )
    assert response.status_code == 202, response.text
    return response


def test_sign_up_verify_login_me_logout(mail_client, smtp_server):
    email = new_email()

    sign_up(mail_client, email.upper(), locale="fr", timezone="Africa/Accra")
    [message] = smtp_server.wait_for(to=email)
    assert message["Subject"] == "Veuillez confirmer votre adresse e-mail"
    assert "Bonjour Kwame Mensah," in text_of(message)
    token = token_in(message, "http://127.0.0.1:8000/account/verify")

    assert mail_client.post("/api/v1/auth/verify", json={"token": token}).status_code == 204
    again = mail_client.post("/api/v1/auth/verify?lang=de", json={"token": token})
    assert again.status_code == 400
    assert again.json()["errors"][0] == {
        "pointer": "/token",
        "code": "invalid_token",
        "detail": "Dieser Link ist ungültig oder wurde bereits verwendet.",
    }

    login = mail_client.post(
        "/api/v1/auth/login", json={"email": email, "password": "a good passphrase"}
    )
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    me = mail_client.get("/api/v1/me", headers=headers)
    assert me.json()["email"] == email
    assert me.json()["email_verified"] is True
    assert me.headers["content-language"] == "fr"

    assert mail_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    rejected = mail_client.get("/api/v1/me", headers=headers)
    assert rejected.status_code == 401
    assert rejected.json()["code"] == "invalid_token"


def test_the_verification_mail_states_its_expiry_in_the_readers_time_zone(mail_client, smtp_server):
    email = new_email()

    sign_up(mail_client, email, locale="de", timezone="America/Bogota")

    [message] = smtp_server.wait_for(to=email)
    assert message["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    text = text_of(message)
    assert "Hallo Kwame Mensah," in text
    # Bogotá is UTC-5 all year; the mail names the local date of the expiry.
    local = (datetime.now(UTC) + timedelta(hours=48) - timedelta(hours=5)).date()
    assert f"{local.day:02d}.{local.month:02d}.{local.year}" in text, text


def test_an_expired_verification_link_is_refused(mail_client, smtp_server):
    email = new_email()
    sign_up(mail_client, email)
    token = token_in(smtp_server.wait_for(to=email)[0], "/account/verify")
    mail_client.blocking_portal.call(
        OneTimeToken.update({OneTimeToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)})
        .where(OneTimeToken.email == email)
        .run
    )

    response = mail_client.post("/api/v1/auth/verify?lang=es", json={"token": token})

    assert response.status_code == 410
    assert response.json()["code"] == "token_expired"
    assert response.json()["detail"] == "Este enlace ha caducado. Solicite uno nuevo."


def test_signing_up_again_mails_the_owner_and_reveals_nothing(mail_client, smtp_server):
    email = new_email()
    first = sign_up(mail_client, email)
    token_in(smtp_server.wait_for(to=email)[0], "/account/verify")

    # Unconfirmed: a second sign-up sends a fresh link.
    second = sign_up(mail_client, email, password="some other passphrase")
    assert second.json() == first.json()
    resent = smtp_server.wait_for(to=email, count=2)[1]
    assert (
        mail_client.post(
            "/api/v1/auth/verify", json={"token": token_in(resent, "/account/verify")}
        ).status_code
        == 204
    )

    # Confirmed: the owner is told that the account exists; the password stays.
    third = sign_up(mail_client, email, password="yet another passphrase")
    assert third.json() == first.json()
    note = smtp_server.wait_for(to=email, count=3)[2]
    assert note["Subject"] == "You already have an account"
    assert "/account/reset-password" in text_of(note)
    login = {"email": email, "password": "a good passphrase"}
    assert mail_client.post("/api/v1/auth/login", json=login).status_code == 200


def test_password_reset_by_mail(mail_client, smtp_server, make_account):
    account = make_account(locale="de")
    old_session = {"Authorization": f"Bearer {account.token}"}
    unknown = new_email()

    known_answer = mail_client.post("/api/v1/auth/password-reset", json={"email": account.email})
    unknown_answer = mail_client.post("/api/v1/auth/password-reset", json={"email": unknown})
    assert known_answer.status_code == unknown_answer.status_code == 202
    assert known_answer.json() == unknown_answer.json()

    [message] = smtp_server.wait_for(to=account.email)
    assert message["Subject"] == "Wählen Sie ein neues Passwort"
    token = token_in(message, "/account/reset-password")

    weak = mail_client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "qwertyuiop"}
    )
    assert weak.status_code == 400
    assert weak.json()["errors"][0]["pointer"] == "/new_password"

    done = mail_client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "reset and renewed"},
    )
    assert done.status_code == 204
    assert mail_client.get("/api/v1/me", headers=old_session).status_code == 401
    reused = mail_client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "another new secret"},
    )
    assert reused.status_code == 400
    login = {"email": account.email, "password": "reset and renewed"}
    assert mail_client.post("/api/v1/auth/login", json=login).status_code == 200
    assert not smtp_server.received(to=unknown)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("request_password_reset", "/api/v1/auth/password-reset", {"email": new_email()}),
        (
            "sign_up",
            "/api/v1/auth/signup",
            {
                "email": new_email(),
                "password": "a good passphrase",
                "display_name": "Ama",
                "locale": "en",
                "timezone": "Africa/Accra",
            },
        ),
    ],
)
async def test_sign_up_and_reset_are_answered_before_the_address_is_looked_up(
    app, monkeypatch, method, path, body
):
    """A known address costs a token and a mail (or a reminder instead of an account):
    answering after that would take a different time for known and unknown addresses, and
    so tell them apart."""
    answered = asyncio.Event()
    looked_up: list[bool] = []

    async def look_up(service, data):
        looked_up.append(answered.is_set())

    monkeypatch.setattr(AccountService, method, look_up)
    content = json.dumps(body).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "state": {},
    }  # fmt: skip
    requests = [{"type": "http.request", "body": content, "more_body": False}]
    statuses: list[int] = []

    async def receive():
        return requests.pop(0) if requests else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
        elif not message.get("more_body"):
            answered.set()

    await app(scope, receive, send)
    assert statuses == [202]
    assert looked_up == [True]


def outbox_count(client, email: str, template: str) -> int:
    return client.blocking_portal.call(
        OutboxMail.count().where(OutboxMail.recipient == email, OutboxMail.template == template).run
    )


def test_reset_mails_to_one_address_are_bounded(client, make_account):
    account = make_account()

    answers = {
        client.post("/api/v1/auth/password-reset", json={"email": account.email}).status_code
        for _ in range(5)
    }

    assert answers == {202}
    assert outbox_count(client, account.email, "accounts.password_reset") == 3


def test_a_password_change_is_announced_in_the_accounts_language(
    mail_client, smtp_server, make_account
):
    account = make_account(locale="en")
    headers = {"Authorization": f"Bearer {account.token}"}
    assert (
        mail_client.patch("/api/v1/me", json={"locale": "es"}, headers=headers).headers[
            "content-language"
        ]
        == "es"
    )

    wrong = mail_client.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": "una frase más larga"},
        headers=headers,
    )
    assert wrong.json()["errors"][0]["detail"] == "Esta no es su contraseña actual."
    changed = mail_client.post(
        "/api/v1/me/password",
        json={"current_password": account.password, "new_password": "una frase más larga"},
        headers=headers,
    )
    assert changed.status_code == 204

    [message] = smtp_server.wait_for(to=account.email)
    assert message["Subject"] == "Se ha cambiado su contraseña"
    assert "Hola, Test Person:" in text_of(message)


def reset_tokens(client, email):
    """The tokens of the reset links mailed to ``email``, oldest first."""
    texts = client.blocking_portal.call(
        OutboxMail.select(OutboxMail.text)
        .where(OutboxMail.recipient == email, OutboxMail.template == "accounts.password_reset")
        .order_by(OutboxMail.id)
        .run
    )
    return [re.search(r"reset-password\?token=([\w-]+)", row["text"])[1] for row in texts]


FRESH_PASSPHRASE = "a fresh passphrase"


def confirm_reset(client, token, new_password=FRESH_PASSPHRASE):
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": new_password}
    )


def test_a_newer_reset_link_voids_the_older_ones(client, make_account):
    account = make_account()
    for _ in range(2):
        client.post("/api/v1/auth/password-reset", json={"email": account.email})
    older, newer = reset_tokens(client, account.email)

    refused = confirm_reset(client, older)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "invalid_token"
    assert confirm_reset(client, newer).status_code == 204


def test_a_password_change_voids_the_reset_links(client, make_account):
    account = make_account()
    client.post("/api/v1/auth/password-reset", json={"email": account.email})
    [token] = reset_tokens(client, account.email)

    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": account.password, "new_password": "changed in between"},
        headers=account.headers,
    )
    assert changed.status_code == 204
    assert confirm_reset(client, token).status_code == 400
    login = {"email": account.email, "password": "changed in between"}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_reset_voids_the_other_reset_links(client, make_account, migrated):
    account = make_account()
    service = AccountService.from_settings(migrated)
    client.post("/api/v1/auth/password-reset", json={"email": account.email})
    [mailed] = reset_tokens(client, account.email)
    # A second link issued outside the mail throttle, as an older one would still be around.
    other, _ = client.blocking_portal.call(
        service._issue_token, account.id, "password_reset", account.email, timedelta(hours=1)
    )

    assert confirm_reset(client, mailed).status_code == 204
    assert confirm_reset(client, other, "yet another passphrase").status_code == 400
