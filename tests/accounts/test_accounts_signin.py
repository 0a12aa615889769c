"""Signing up, in and out; tokens; the caller's account and sessions."""

from __future__ import annotations

import uuid

from mupass_forum.accounts.services import token_hash


def unique_email() -> str:
    return f"Person.{uuid.uuid4().hex[:12]}@Example.ORG"


def sign_up(client, email, **fields):
    body = {
        "email": email,
        "password": "correct horse battery",
        "display_name": "Amina Diallo",
        "locale": "fr",
        "timezone": "Africa/Dakar",
        **fields,
    }
    return client.post("/api/v1/auth/signup", json=body)


def test_sign_up_answers_the_same_for_known_and_unknown_addresses(client):
    email = unique_email()

    first = sign_up(client, email)
    again = sign_up(client, email.lower())

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()


def test_an_unverified_account_cannot_sign_in_yet(client):
    email = unique_email()
    sign_up(client, email)

    response = client.post(
        "/api/v1/auth/login",
        json={"email": email.upper(), "password": "correct horse battery"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


def test_login_returns_a_new_opaque_token_each_time(client, make_account):
    account = make_account(sign_in=False)
    login = {"email": account.email.upper(), "password": account.password}

    first = client.post("/api/v1/auth/login", json=login)
    second = client.post("/api/v1/auth/login", json=login)

    assert first.status_code == second.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    tokens = {first.json()["token"], second.json()["token"]}
    assert len(tokens) == 2
    # 32 random bytes, URL-safe base64: 256 bits.
    assert all(len(token) >= 43 for token in tokens)
    assert first.json()["token_type"] == "Bearer"
    assert first.json()["account"]["email"] == account.email


def test_tokens_are_stored_only_as_hashes(client, make_account):
    from mupass_forum.accounts.tables import Session

    account = make_account()

    rows = client.blocking_portal.call(
        Session.select(Session.token_hash).where(Session.user == account.id).run
    )
    assert [row["token_hash"] for row in rows] == [token_hash(account.token)]
    assert account.token not in rows[0]["token_hash"]


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_account):
    account = make_account(sign_in=False)

    wrong = client.post(
        "/api/v1/auth/login?lang=de", json={"email": account.email, "password": "x" * 12}
    )
    unknown = client.post(
        "/api/v1/auth/login?lang=de", json={"email": unique_email(), "password": "x" * 12}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["detail"] == "Die E-Mail-Adresse oder das Passwort ist nicht korrekt."


def test_me_then_logout_then_the_token_is_rejected(client, make_account):
    account = make_account(display_name="Carlos Pérez", locale="es", timezone="America/Bogota")

    me = client.get("/api/v1/me", headers=account.headers)
    assert me.status_code == 200
    assert me.json()["display_name"] == "Carlos Pérez"
    assert me.json()["email_verified"] is True
    assert me.headers["content-language"] == "es"

    assert client.post("/api/v1/auth/logout", headers=account.headers).status_code == 204

    rejected = client.get("/api/v1/me", headers=account.headers)
    assert rejected.status_code == 401
    assert rejected.json()["code"] == "invalid_token"
    assert rejected.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_no_token_is_anonymous_and_a_bad_token_is_refused(client):
    assert client.get("/api/v1/organizations").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").json()["code"] == "not_authenticated"

    bad = client.get("/api/v1/organizations", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_token"


def test_expired_tokens_are_refused(client, make_account):
    from datetime import UTC, datetime, timedelta

    from mupass_forum.accounts.tables import Session

    account = make_account()
    client.blocking_portal.call(
        Session.update({Session.expires_at: datetime.now(UTC) - timedelta(seconds=1)})
        .where(Session.user == account.id)
        .run
    )

    assert client.get("/api/v1/me", headers=account.headers).status_code == 401


def test_the_stored_locale_becomes_the_request_locale_unless_lang_is_given(client, make_account):
    account = make_account(locale="de")

    response = client.post(
        "/api/v1/organizations", json={}, headers={**account.headers, "Accept-Language": "fr"}
    )
    assert response.headers["content-language"] == "de"
    assert response.json()["title"] == "Nicht erlaubt"

    explicit = client.get("/api/v1/me?lang=es", headers=account.headers)
    assert explicit.headers["content-language"] == "es"


def test_patch_me_changes_locale_and_the_answer_follows(client, make_account):
    account = make_account(locale="en")

    response = client.patch(
        "/api/v1/me",
        json={"locale": "fr", "timezone": "Africa/Abidjan", "display_name": " Awa "},
        headers=account.headers,
    )

    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    assert response.json()["display_name"] == "Awa"
    assert response.json()["timezone"] == "Africa/Abidjan"
    problem = client.get("/api/v1/organizations/0", headers=account.headers).json()
    assert problem["title"] == "Introuvable"


def test_patch_me_validates_every_field(client, make_account):
    account = make_account()

    response = client.patch(
        "/api/v1/me",
        json={"locale": "pt", "timezone": "Mars/Olympus", "display_name": "  "},
        headers=account.headers,
    )

    assert response.status_code == 400
    pointers = {error["pointer"]: error["code"] for error in response.json()["errors"]}
    assert pointers == {
        "/locale": "unsupported_locale",
        "/timezone": "unknown_timezone",
        "/display_name": "required",
    }


def test_sessions_can_be_listed_and_revoked(client, make_account):
    account = make_account()
    other = client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": account.password},
        headers={"User-Agent": "phone browser"},
    ).json()["token"]

    sessions = client.get("/api/v1/me/sessions", headers=account.headers).json()
    assert len(sessions) == 2
    assert [session["current"] for session in sessions] == [False, True]
    assert sessions[0]["user_agent"] == "phone browser"
    assert "token" not in sessions[0]

    revoked = client.delete(f"/api/v1/me/sessions/{sessions[0]['id']}", headers=account.headers)
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200


def test_nobody_can_revoke_someone_elses_session(client, make_account):
    owner = make_account()
    intruder = make_account()
    session_id = client.get("/api/v1/me/sessions", headers=owner.headers).json()[0]["id"]

    response = client.delete(f"/api/v1/me/sessions/{session_id}", headers=intruder.headers)

    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=owner.headers).status_code == 200


def test_password_change_signs_out_the_other_sessions(client, make_account):
    account = make_account()
    other = client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    ).json()["token"]

    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "not the password", "new_password": "a brand new secret"},
        headers=account.headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["pointer"] == "/current_password"

    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": account.password, "new_password": "a brand new secret"},
        headers=account.headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    relogin = client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "a brand new secret"}
    )
    assert relogin.status_code == 200
