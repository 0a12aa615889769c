"""Password rules, hashing and the upgrade of old hashes."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from mupass_forum.accounts.tables import User


def sign_up(client, password, lang="en"):
    return client.post(
        f"/api/v1/auth/signup?lang={lang}",
        json={
            "email": f"pw-{uuid.uuid4().hex[:10]}@example.org",
            "password": password,
            "display_name": "Pat",
            "locale": "en",
            "timezone": "Europe/Paris",
        },
    )


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short pw1", "too_short"),
        ("Password123", "common_password"),
        ("QWERTYUIOP", "common_password"),
        ("x" * 257, "too_long"),
    ],
)
def test_weak_passwords_are_refused(client, password, code):
    response = sign_up(client, password, lang="es")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["pointer"], error["code"]) == ("/password", code)
    if code == "common_password":
        assert error["detail"] == "Esta contraseña es una de las más comunes. Elija otra."


@pytest.mark.parametrize("length", [10, 64, 256])
def test_long_passphrases_are_welcome(client, length):
    assert sign_up(client, ("Wq7!zr9#Lm correct horse " * 12)[:length]).status_code == 202


@pytest.mark.parametrize(
    "password", [" " * 10, "a" * 10, "abcdefghij", "1234567890", "qwertzuiop", "september2030"]
)
def test_easily_guessed_passwords_are_refused_with_a_hint(client, password):
    german = sign_up(client, password, lang="de")
    french = sign_up(client, password, lang="fr")

    assert german.status_code == french.status_code == 400
    error = german.json()["errors"][0]
    assert (error["pointer"], error["code"]) in {
        ("/password", "weak_password"),
        ("/password", "common_password"),
    }
    if error["code"] == "weak_password":
        assert error["detail"].startswith("Dieses Passwort ist zu leicht zu erraten.")
        assert french.json()["errors"][0]["detail"].startswith("Ce mot de passe")


def test_a_password_made_of_the_accounts_address_or_name_is_refused(client, make_account):
    email = f"kwame.mensah-{uuid.uuid4().hex[:6]}@example.org"
    for password in (
        email,
        email.upper(),
        f"{email.split('@')[0]}!",
        "KwameMensah",
        "Kwame Mensah",
    ):
        response = client.post(
            "/api/v1/auth/signup?lang=es",
            json={
                "email": email,
                "password": password,
                "display_name": "Kwame Mensah",
                "locale": "en",
                "timezone": "Africa/Accra",
            },
        )
        assert response.status_code == 400, password
        error = response.json()["errors"][0]
        assert error["code"] == "personal_password", password
        assert "nombre" in error["detail"]

    account = make_account()
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": account.password, "new_password": account.email},
        headers=account.headers,
    )
    assert changed.json()["errors"][0] == {
        "detail": "Please do not build your password from your name or email address.",
        "code": "personal_password",
        "pointer": "/new_password",
    }


def stored_hash(client, user_id):
    row = client.blocking_portal.call(
        User.select(User.password_hash).where(User.id == user_id).first().run
    )
    return row["password_hash"]


def test_hashes_are_argon2id_and_upgraded_when_the_cost_changes(make_client, make_account):
    account = make_account(sign_in=False)
    before = stored_hash(make_client(), account.id)
    assert before.startswith("$argon2id$")
    assert "m=1024,t=1" in before

    stronger = make_client(password_hash_memory_kib=2048, password_hash_time_cost=2)
    login = {"email": account.email, "password": account.password}
    assert stronger.post("/api/v1/auth/login", json=login).status_code == 200

    after = stored_hash(stronger, account.id)
    assert "m=2048,t=2" in after
    assert stronger.post("/api/v1/auth/login", json=login).status_code == 200
    assert stored_hash(stronger, account.id) == after


def test_the_default_parameters_are_owasps_argon2id_minimum():
    from mupass_forum.accounts.passwords import Passwords
    from mupass_forum.settings import Settings

    defaults = Settings.from_env(environ={})
    passwords = Passwords(defaults.password_hash_memory_kib, defaults.password_hash_time_cost)

    assert "$argon2id$v=19$m=19456,t=2,p=1$" in passwords.hash("correct horse battery staple")
    assert defaults.password_hash_concurrency == 1


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_no_more_hashes_run_at_once_than_allowed(monkeypatch, concurrency):
    import threading

    from mupass_forum.accounts.passwords import Passwords

    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def slow_hash(self, password: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        # Held until every request is waiting: all eight would run at once if nothing bounded them.
        release.wait(timeout=2)
        with lock:
            running -= 1
        return password

    monkeypatch.setattr(Passwords, "hash", slow_hash)
    passwords = Passwords(1024, 1, concurrency=concurrency)

    wave = [asyncio.ensure_future(passwords.hashed(f"password-{n}")) for n in range(8)]
    await asyncio.sleep(0.2)
    release.set()
    await asyncio.gather(*wave)

    assert most == concurrency
