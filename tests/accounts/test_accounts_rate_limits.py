"""Failed sign-ins are limited per account and per client address, in process or in Redis."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import redis

from tests.conftest import TEST_REDIS_URL


def fail(client, email, lang="en"):
    return client.post(
        f"/api/v1/auth/login?lang={lang}", json={"email": email, "password": "wrong password!"}
    )


def test_an_account_is_locked_after_its_failures(make_client, make_account):
    client = make_client(login_failures_per_account=3, login_failure_window_seconds=600)
    account = make_account(sign_in=False)

    statuses = [fail(client, account.email).status_code for _ in range(3)]
    locked = client.post(
        "/api/v1/auth/login?lang=de", json={"email": account.email, "password": account.password}
    )

    assert statuses == [401, 401, 401]
    assert locked.status_code == 429
    assert 590 <= int(locked.headers["retry-after"]) <= 600
    problem = locked.json()
    assert problem["code"] == "too_many_failed_logins"
    assert problem["detail"].startswith("Zu viele fehlgeschlagene Login-Versuche.")
    # 590 to 600 seconds, told in minutes as Babel spells a time delta.
    assert "in 10 Minuten erneut" in problem["detail"]
    # Another account from the same address is not affected.
    other = make_account(sign_in=False)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": other.email, "password": other.password}
        ).status_code
        == 200
    )


def test_a_success_clears_the_accounts_failures(make_client, make_account):
    client = make_client(login_failures_per_account=3)
    account = make_account(sign_in=False)
    login = {"email": account.email, "password": account.password}

    fail(client, account.email)
    fail(client, account.email)
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    fail(client, account.email)
    fail(client, account.email)

    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_client_address_is_locked_after_failures_on_many_accounts(make_client, make_account):
    client = make_client(login_failures_per_account=100, login_failures_per_address=4)
    emails = [f"nobody-{uuid.uuid4().hex[:10]}@example.org" for _ in range(4)]

    statuses = [fail(client, email).status_code for email in emails]
    account = make_account(sign_in=False)
    locked = client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )

    assert statuses == [401] * 4
    assert locked.status_code == 429
    assert "retry-after" in locked.headers


def test_each_process_counts_alone_without_redis(make_client, make_account):
    first = make_client(login_failures_per_account=2)
    second = make_client(login_failures_per_account=2)
    account = make_account(sign_in=False)

    fail(first, account.email)
    fail(second, account.email)

    assert fail(first, account.email).status_code == 401


def test_two_processes_sharing_redis_share_one_limit(make_client, make_account, redis_prefix):
    settings = {
        "redis_url": TEST_REDIS_URL,
        "redis_key_prefix": redis_prefix,
        "login_failures_per_account": 3,
    }
    first = make_client(**settings)
    second = make_client(**settings)
    account = make_account(sign_in=False)

    assert fail(first, account.email).status_code == 401
    assert fail(second, account.email).status_code == 401
    assert fail(first, account.email).status_code == 401
    locked = second.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )

    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 900
    keys = list(redis.Redis.from_url(TEST_REDIS_URL).scan_iter(f"{redis_prefix}*"))
    assert keys
    # Addresses and emails are hashed before they become keys.
    assert all(account.email.encode() not in key for key in keys)


def parallel_failures(clients, email, count):
    """``count`` wrong guesses at once, spread over ``clients``; their statuses."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(fail, clients[i % len(clients)], email) for i in range(count)]
        return sorted(future.result().status_code for future in futures)


def test_parallel_guesses_cannot_pass_the_accounts_limit(make_client, make_account):
    client = make_client(login_failures_per_account=5)
    account = make_account(sign_in=False)

    assert parallel_failures([client], account.email, 15) == [401] * 5 + [429] * 10


def test_parallel_guesses_on_two_processes_sharing_redis_cannot_pass_the_limit(
    make_client, make_account, redis_prefix
):
    settings = {
        "redis_url": TEST_REDIS_URL,
        "redis_key_prefix": redis_prefix,
        "login_failures_per_account": 5,
    }
    clients = [make_client(**settings), make_client(**settings)]
    account = make_account(sign_in=False)

    assert parallel_failures(clients, account.email, 20) == [401] * 5 + [429] * 15


def test_successful_sign_ins_do_not_use_up_the_addresss_limit(make_client, make_account):
    client = make_client(login_failures_per_address=3)
    account = make_account(sign_in=False)
    login = {"email": account.email, "password": account.password}

    assert [client.post("/api/v1/auth/login", json=login).status_code for _ in range(6)] == [
        200
    ] * 6


def test_sign_in_answers_503_while_redis_is_down(make_client, make_account):
    client = make_client(redis_url="redis://127.0.0.1:1/0")
    account = make_account(sign_in=False)

    response = client.post(
        "/api/v1/auth/login?lang=de", json={"email": account.email, "password": account.password}
    )

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "rate_limits_unavailable"
    assert problem["title"] == "Dienst nicht verfügbar"
    assert "Redis" not in problem["detail"]
