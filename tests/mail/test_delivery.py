"""The outbox and the relay against a real SMTP server on loopback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.mail.outbox_routes import address, outbox_app


@pytest.fixture
def outbox_client(make_mail_client, mail_settings):
    def make(**changes: Any):
        return make_mail_client(outbox_app(mail_settings.replace(**changes)))

    return make


def queue(client, to: str | list[str], **fields: Any) -> int:
    response = client.post(
        "/api/v1/test-mails", json={"to": [to] if isinstance(to, str) else to, **fields}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def entry(client, outbox_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/test-mails/{outbox_id}")
    assert response.status_code == 200, response.text
    return response.json()


def eventually(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, "condition not met in time"
            return result
        time.sleep(0.05)


def test_a_queued_mail_is_delivered_once(outbox_client, smtp_server):
    client = outbox_client()
    to = address()

    outbox_id = queue(client, to, user_id=42)

    [message] = smtp_server.wait_for(to=to)
    assert message["From"] == "mupass-forum <forum@mupass.test>"
    assert message["Message-ID"].endswith("@mupass.test>")
    stored = eventually(lambda: (e := entry(client, outbox_id))["status"] == "sent" and e)
    assert stored["message_id"] == message["Message-ID"]
    assert stored["attempts"] == 1
    assert stored["user_id"] == 42
    assert stored["template"] == "mail.test"
    smtp_server.exactly(to, 1)


def test_a_rolled_back_change_sends_nothing(outbox_client, smtp_server):
    client = outbox_client()
    rolled_back, committed = address("rolled-back"), address("committed")

    response = client.post("/api/v1/test-mails", json={"to": [rolled_back], "fail": True})
    queue(client, committed)

    assert response.status_code == 409
    smtp_server.wait_for(to=committed)
    assert smtp_server.received(rolled_back) == []


def test_the_relay_is_woken_by_the_commit_not_before_it(outbox_client, smtp_server):
    # Polling alone would take 60 s; a wake-up before the commit would find nothing to send.
    client = outbox_client(mail_poll_seconds=60)
    first = address("first")
    queue(client, first)
    smtp_server.wait_for(to=first, timeout=5)  # the relay is past its first round: it waits
    to = address()

    started = time.monotonic()
    queue(client, to, hold_seconds=0.5)
    smtp_server.wait_for(to=to, timeout=5)

    assert time.monotonic() - started < 5


def test_mail_waits_while_the_server_is_down_and_arrives_once(outbox_client, smtp_server):
    client = outbox_client()
    smtp_server.stop()
    to = address()

    outbox_id = queue(client, to)
    waiting = eventually(lambda: (e := entry(client, outbox_id))["attempts"] >= 3 and e)
    assert waiting["status"] in ("queued", "sending")
    assert waiting["last_error"]
    smtp_server.start()

    [message] = smtp_server.wait_for(to=to)
    assert eventually(lambda: entry(client, outbox_id)["status"] == "sent")
    smtp_server.exactly(to, 1)
    assert message["Message-ID"] == waiting["message_id"]


def test_a_temporary_refusal_is_retried_with_the_same_message_id(outbox_client, smtp_server):
    client = outbox_client()
    to = address()
    smtp_server.fail_next(451, count=2, to=to)

    outbox_id = queue(client, to)

    [delivered] = smtp_server.wait_for(to=to)
    stored = eventually(lambda: (e := entry(client, outbox_id))["status"] == "sent" and e)
    assert stored["attempts"] == 3
    rejected = [m for m in smtp_server.rejected if to in str(m["To"])]
    assert len(rejected) == 2
    assert {m["Message-ID"] for m in rejected} == {delivered["Message-ID"]}


def test_a_permanent_refusal_is_parked_with_its_reason(outbox_client, smtp_server):
    client = outbox_client()
    to = address()
    smtp_server.fail_next(554, to=to, text="Content rejected as spam")

    outbox_id = queue(client, to)

    parked = eventually(lambda: (e := entry(client, outbox_id))["status"] == "parked" and e)
    assert "554" in parked["last_error"]
    assert "Content rejected as spam" in parked["last_error"]
    assert parked["attempts"] == 1
    # A mail queued after it is relayed in a later round, which leaves the parked one alone.
    later = address("later")
    queue(client, later)
    smtp_server.wait_for(to=later)
    assert entry(client, outbox_id)["attempts"] == 1
    assert smtp_server.received(to) == []


def test_a_mail_whose_every_recipient_is_refused_is_parked(outbox_client, smtp_server):
    client = outbox_client()
    to = address()
    smtp_server.refuse(to, 550, "No such user here")

    outbox_id = queue(client, to)

    parked = eventually(lambda: (e := entry(client, outbox_id))["status"] == "parked" and e)
    assert parked["refused_recipients"] == f"{to}: 550 No such user here"
    assert "550" in parked["last_error"]


def test_a_partial_refusal_is_recorded_and_the_rest_delivered(outbox_client, smtp_server):
    client = outbox_client()
    accepted, refused = address("accepted"), address("refused")
    smtp_server.refuse(refused, 550, "Mailbox unavailable")

    outbox_id = queue(client, [accepted, refused])

    smtp_server.wait_for(to=accepted)
    assert smtp_server.envelopes[-1] == [accepted]
    sent = eventually(lambda: (e := entry(client, outbox_id))["status"] == "sent" and e)
    assert sent["refused_recipients"] == f"{refused}: 550 Mailbox unavailable"


def test_a_temporarily_refused_recipient_is_retried(outbox_client, smtp_server):
    client = outbox_client()
    to = address()
    smtp_server.refuse(to, 452, "Mailbox full")

    outbox_id = queue(client, to)
    eventually(lambda: entry(client, outbox_id)["attempts"] >= 2)
    assert entry(client, outbox_id)["status"] in ("queued", "sending")
    smtp_server.accept(to)

    smtp_server.wait_for(to=to)


def test_extra_headers_arrive_as_given_and_every_mail_is_marked_automatic(
    outbox_client, smtp_server
):
    client = outbox_client()
    to, plain = address("headers"), address("plain")
    link = "https://forum.example.org/api/v1/board/unsubscribe?token=42.abcdefghijklmnopqrstuvwx"
    extra = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Forum": "Grüne Beschaffung",
    }

    outbox_id = queue(client, to, headers=extra)
    queue(client, plain)

    [message] = smtp_server.wait_for(to=to)
    # As written on the wire: a long URL folded into encoded words would not be recognized.
    raw = dict(message.raw_items())
    assert raw["List-Unsubscribe"] == f"<{link}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert raw["Auto-Submitted"] == "auto-generated"
    assert message["X-Forum"] == "Grüne Beschaffung"
    assert len(message.get_all("Auto-Submitted")) == 1
    assert entry(client, outbox_id)["headers"] == extra
    [other] = smtp_server.wait_for(to=plain)
    assert other["Auto-Submitted"] == "auto-generated"
    assert other["List-Unsubscribe"] is None


def test_a_header_that_would_inject_another_is_refused_and_nothing_is_sent(
    outbox_client, smtp_server
):
    client = outbox_client()
    to, eve, later = address("injected"), address("eve"), address("later")

    response = client.post(
        "/api/v1/test-mails",
        json={"to": [to], "headers": {"X-Note": f"hello\r\nBcc: {eve}"}},
    )
    owned = client.post("/api/v1/test-mails", json={"to": [to], "headers": {"To": eve}})
    queue(client, later)

    assert (response.status_code, owned.status_code) == (500, 500)
    smtp_server.wait_for(to=later)
    assert smtp_server.received(to) == []
    assert not [envelope for envelope in smtp_server.envelopes if eve in envelope]
