"""Two relays and an SMTP server that answers slowly: every mail arrives exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter

import pytest

from mupass_forum import db
from mupass_forum.mail import queue_mail, services
from mupass_forum.mail.mails import TEST_MAIL
from mupass_forum.mail.relay import MailRelay, stop_relay
from mupass_forum.mail.tables import MailStatus, OutboxMail
from tests.mail.outbox_routes import address
from tests.mail.test_outbox import CONTEXT


@pytest.fixture
async def test_loop_database(app):
    yield
    await db.current_engine().stop()


async def park_earlier_mail() -> None:
    await OutboxMail.update(
        {OutboxMail.status: MailStatus.parked, OutboxMail.last_error: "queued by an earlier test"}
    ).where(OutboxMail.status == MailStatus.queued)


async def wait_until_sent(outbox_ids: list[int]) -> None:
    while True:
        rows = await OutboxMail.select(OutboxMail.status).where(OutboxMail.id.is_in(outbox_ids))
        if all(row["status"] == MailStatus.sent for row in rows):
            return
        await asyncio.sleep(0.1)


async def test_two_relays_and_a_slow_server_deliver_every_mail_once(
    test_loop_database, mail_settings, smtp_server
):
    # Each conversation takes about 0.75 s (MAIL, RCPT and DATA answered after 0.25 s each):
    # a relay that claimed all six mails at once would still hold the last ones when their
    # 3 s claim ran out, and the other relay would send them a second time.
    smtp_server.reply_delay = 0.25
    settings = mail_settings.replace(smtp_timeout_seconds=2.5, mail_claim_timeout_seconds=3.0)
    await park_earlier_mail()
    recipients = [address("slow") for _ in range(6)]
    async with db.transaction():
        outbox_ids = [
            await queue_mail(TEST_MAIL, to=to, locale="en", context=CONTEXT) for to in recipients
        ]

    relays = [MailRelay(settings), MailRelay(settings)]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        async with asyncio.timeout(30):
            await wait_until_sent(outbox_ids)
        # Past the claim timeout: a relay that lost track of a claim would send again now.
        await asyncio.sleep(settings.mail_claim_timeout_seconds + 0.5)
    finally:
        for relay, task in zip(relays, tasks, strict=True):
            await stop_relay(relay, task)

    received = [m for to in recipients for m in smtp_server.received(to)]
    arrivals = Counter(message["Message-ID"] for message in received)
    assert len(arrivals) == len(recipients)
    assert set(arrivals.values()) == {1}, arrivals
    entries = [await services.get_outbox_entry(outbox_id) for outbox_id in outbox_ids]
    assert [entry.attempts for entry in entries] == [1] * len(recipients)


async def test_a_conversation_longer_than_the_smtp_timeout_is_retried_later(
    test_loop_database, mail_settings, smtp_server
):
    # Every reply comes within the timeout, the conversation as a whole does not.
    smtp_server.reply_delay = 0.4
    settings = mail_settings.replace(smtp_timeout_seconds=1.0)
    await park_earlier_mail()
    async with db.transaction():
        outbox_id = await queue_mail(
            TEST_MAIL, to=address("too-slow"), locale="en", context=CONTEXT
        )
    mail = await services.claim_next(dt.timedelta(seconds=settings.mail_claim_timeout_seconds))
    assert mail is not None
    assert mail.id == outbox_id

    started = time.monotonic()
    outcome = await MailRelay(settings).deliver(mail)

    assert time.monotonic() - started < 1.5
    assert outcome.kind == "retry"
    assert "longer than 1 s" in outcome.error
    entry = await services.get_outbox_entry(outbox_id)
    assert entry.status == "queued"
    assert entry.last_error == outcome.error
