"""Bytes over the wire for the pages people on slow, metered connections open most, plain and
gzip-compressed.

Starts ``mupass-forum serve --demo`` on a free loopback port with a fresh SQLite database (the
demonstration's forums, registrations and board), signs in the demonstration's participant and
organizer through the API, and loads each page twice: with ``Accept-Encoding: identity`` (what
every client got before the service compressed anything) and with ``Accept-Encoding: gzip``.
Prints the body's bytes as sent and the share saved; stops the server and removes its database.

    .venv/bin/python benchmarks/page_sizes.py
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
from board import free_port, running

SESSION_COOKIE = "mupass_session"
PARTICIPANT = ("participant@demo.example.org", "quinoa tender bus 2030")
ORGANIZER = ("organizer@demo.example.org", "green tender river Accra")


@contextlib.contextmanager
def demo_server(workdir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "MUPASS_DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "MUPASS_DATA_DIR": str(workdir),
        "MUPASS_MAIL_RELAY": "off",
        "MUPASS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "mupass_forum", "serve", "--demo", "--port", str(port)]
    with running(command, env, port, "/health/live", workdir / "server.log", 120) as base:
        yield base


def signed_in(base: str, email: str, password: str) -> httpx.Client:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    client = httpx.Client(base_url=base, timeout=30)
    client.cookies.set(SESSION_COOKIE, answer.json()["token"])
    return client


def sent_bytes(client: httpx.Client, path: str, encoding: str) -> int:
    """The body's bytes as they came over the wire."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers.get("content-encoding", "identity") == encoding, path
        return sum(len(chunk) for chunk in response.iter_raw())


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir, demo_server(Path(workdir)) as base:
        participant = signed_in(base, *PARTICIPANT)
        organizer = signed_in(base, *ORGANIZER)
        forums = participant.get("/api/v1/forums").json()["items"]
        open_forum = next(f for f in forums if f["status"]["value"] == "registration_open")
        slug = open_forum["slug"]
        categories = participant.get("/api/v1/board/categories").json()
        threads = [
            thread
            for category in categories
            for thread in participant.get(
                f"/api/v1/board/categories/{category['id']}/threads"
            ).json()["items"]
        ]
        thread = max(threads, key=lambda item: int(item["reply_count"]))
        forum_page = participant.get(f"/forums/{slug}").text
        style_sheet = re.search(r'href="(/static/[^"]+\.css)"', forum_page)
        assert style_sheet, "the forum page links no style sheet"
        pages = [
            ("board thread page", participant, f"/board/threads/{thread['id']}"),
            ("forum page", participant, f"/forums/{slug}"),
            ("registration form", organizer, f"/forums/{slug}/registration"),
            ("desk: registrations", organizer, f"/desk/forums/{slug}/registrations"),
            ("style sheet", participant, style_sheet.group(1)),
            ("API: the forums as JSON", participant, "/api/v1/forums"),
        ]
        print("| page | plain | gzip | saved |")
        print("|---|---|---|---|")
        for name, client, path in pages:
            plain = sent_bytes(client, path, "identity")
            packed = sent_bytes(client, path, "gzip")
            print(f"| {name} | {plain:,} B | {packed:,} B | {1 - packed / plain:.0%} |")


if __name__ == "__main__":
    main()
