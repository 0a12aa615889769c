"""`mupass-forum serve` as people and operators meet it: ready, mailing, live, stopping."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import TEST_REDIS_URL, on_postgres, referenced_urls
from tests.mail_fixtures import SmtpServer, text_of
from tests.smoke.conftest import Server, run_command, sign_in, sign_up

pytestmark = pytest.mark.smoke

BOARD = "/api/v1/board"


@pytest.fixture(scope="module")
def server(start_server) -> Server:
    return start_server()


@pytest.fixture(scope="module")
def admin(server: Server, smtp: SmtpServer) -> dict[str, str]:
    """Sign-in headers of a platform admin: signed up by mail, promoted by the command line."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.org"
    password = sign_up(server.url, smtp, email)
    promoted = run_command("create-admin", email, env=server.env)
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    return sign_in(server.url, email, password)


@pytest.fixture(scope="module")
def thread(server: Server, admin: dict[str, str]) -> dict[str, Any]:
    category = httpx.post(
        f"{server.url}{BOARD}/categories",
        json={
            "slug": f"smoke-{uuid.uuid4().hex[:10]}",
            "name": {"en": "Smoke", "de": "Rauch"},
            "original_locale": "en",
        },
        headers=admin,
        timeout=10,
    )
    assert category.status_code == 201, category.text
    made = httpx.post(
        f"{server.url}{BOARD}/threads",
        json={
            "category_id": category.json()["id"],
            "title": "School meals",
            "language": "en",
            "body": "Organic criteria?",
        },
        headers=admin,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_ready_names_the_database(server: Server):
    response = httpx.get(f"{server.url}/health/ready", timeout=5)

    assert response.status_code == 200
    assert response.json()["database"] == ("postgres" if on_postgres() else "sqlite")


def test_a_sign_up_mails_its_confirmation_link(server: Server, smtp: SmtpServer):
    email = f"person-{uuid.uuid4().hex[:10]}@example.org"

    password = sign_up(server.url, smtp, email)

    mail = smtp.received(to=email)[0]
    assert mail["Content-Language"] == "fr"
    assert f"{server.url}/account/verify?token=" in text_of(mail)
    assert sign_in(server.url, email, password)


def session_addresses(base_url: str, email: str, password: str, forwarded_for: str) -> set[str]:
    """Sign in claiming to come from ``forwarded_for``; the addresses the sessions record."""
    signed_in = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    sessions = httpx.get(f"{base_url}/api/v1/me/sessions", headers=headers, timeout=10).json()
    return {session["client_address"] for session in sessions}


def test_forwarded_headers_count_only_from_the_proxies_named(
    server: Server, start_server, smtp: SmtpServer
):
    email = f"person-{uuid.uuid4().hex[:10]}@example.org"
    password = sign_up(server.url, smtp, email)

    # By default nobody is a proxy, loopback included: the header cannot choose the address.
    assert session_addresses(server.url, email, password, "203.0.113.9") == {"127.0.0.1"}
    behind_proxy = start_server(MUPASS_TRUSTED_PROXIES="127.0.0.1/32, ::1")
    assert "203.0.113.9" in session_addresses(behind_proxy.url, email, password, "203.0.113.9")


def test_the_documentation_page_loads_nothing_from_elsewhere(server: Server):
    page = httpx.get(f"{server.url}/schema", timeout=10)

    assert page.status_code == 200
    urls = referenced_urls(page.text)
    assert urls
    for url in urls:
        assert not urlsplit(url).netloc, url
        assert httpx.get(f"{server.url}{url}", timeout=10).status_code == 200, url


def live(server: Server) -> ClientConnection:
    socket_url = f"ws://127.0.0.1:{server.port}{BOARD}/live"
    return connect(socket_url, open_timeout=10, close_timeout=5)


def subscribe(connection: ClientConnection, thread: dict[str, Any]) -> None:
    connection.send(json.dumps({"type": "subscribe", "threads": [thread["id"]]}))
    assert json.loads(connection.recv(timeout=10))["type"] == "ready"


def post_reply(server: Server, admin: dict[str, str], thread: dict[str, Any], body: str) -> int:
    response = httpx.post(
        f"{server.url}{BOARD}/threads/{thread['id']}/posts",
        json={"body": body, "language": "en"},
        headers=admin,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def next_post_event(connection: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(connection.recv(timeout=10))
        if message.get("kind") == "post_created":
            return dict(message)


def test_the_live_board_upgrades_and_delivers_a_post(server, admin, thread):
    with live(server) as connection:
        assert connection.response is not None
        assert connection.response.status_code == 101
        subscribe(connection, thread)

        post_id = post_reply(server, admin, thread, "A reply over HTTP")

        event = next_post_event(connection)
    assert (event["thread_id"], event["post_id"]) == (thread["id"], post_id)


def test_sigterm_lets_a_request_in_flight_finish(start_server):
    server = start_server()
    body = json.dumps(
        {
            "email": f"late-{uuid.uuid4().hex[:10]}@example.org",
            "password": "a good passphrase",
            "display_name": "Late Comer",
            "locale": "es",
            "timezone": "America/Bogota",
        }
    ).encode()
    head = (
        f"POST /api/v1/auth/signup HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(head + body[:10])
        # The request has begun; the server is told to stop while it waits for the rest.
        assert httpx.get(f"{server.url}/health/live", timeout=5).status_code == 200
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            server.process.wait(timeout=0.5)
        client.sendall(body[10:])
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 202"), answer[:200]
    assert server.process.wait(timeout=20) in (0, -signal.SIGTERM)
    assert "mail relay stopped" in server.log
    assert "Traceback" not in server.log
    assert "ERROR" not in server.log


def test_an_event_reaches_a_socket_on_the_other_worker(start_server, admin, thread, redis_prefix):
    # On SQLite the workers share the secret key kept in the data directory; PostgreSQL
    # needs one set.
    secret = {"MUPASS_SECRET_KEY": "smoke-secret-key-of-the-workers"} if on_postgres() else {}
    server = start_server(
        "--workers",
        "2",
        MUPASS_BOARD_CHANNELS="redis",
        MUPASS_REDIS_URL=TEST_REDIS_URL,
        MUPASS_REDIS_KEY_PREFIX=redis_prefix,
        **secret,
    )
    # The workers, and multiprocessing's resource tracker, which holds no connection.
    workers = server.worker_pids()

    connections: dict[int, ClientConnection] = {}
    with contextlib.ExitStack() as opened:
        for _ in range(40):
            connection = opened.enter_context(live(server))
            connections.setdefault(worker_of(connection, server.port, workers), connection)
            if len(connections) == 2:
                break
        assert len(connections) == 2, "every connection went to one worker"
        for connection in connections.values():
            subscribe(connection, thread)

        post_id = post_reply(server, admin, thread, "Heard by both workers")

        # Whichever worker took the post, the other one's socket hears it through Redis.
        for connection in connections.values():
            assert next_post_event(connection)["post_id"] == post_id


def worker_of(connection: ClientConnection, server_port: int, workers: list[int]) -> int:
    """The worker process that holds the server's end of ``connection`` (from /proc)."""
    client_port = connection.socket.getsockname()[1]
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local, remote = fields[1], fields[2]
                if (
                    int(local.rsplit(":", 1)[1], 16) == server_port
                    and int(remote.rsplit(":", 1)[1], 16) == client_port
                ):
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in workers:
        descriptors = f"/proc/{pid}/fd"
        for name in os.listdir(descriptors):
            try:
                if os.readlink(f"{descriptors}/{name}") in inodes:
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds the connection from port {client_port}")
