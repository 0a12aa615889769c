"""The outbox itself: transactions, claims, and mail abandoned by a crashed relay."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from mupass_forum import db
from mupass_forum.mail import MailOutsideTransaction, queue_mail, services
from mupass_forum.mail.mails import TEST_MAIL
from mupass_forum.mail.tables import OutboxMail
from tests.mail.outbox_routes import address

CLAIM_TIMEOUT = dt.timedelta(minutes=10)
CONTEXT = {
    "site": "forum.example.org",
    "site_url": "https://forum.example.org/",
    "queued_at": dt.datetime.now(dt.UTC),
}


@pytest.fixture
async def test_loop_database(app):
    """The app's database used from the test's own event loop; its connections closed after."""
    yield
    await db.current_engine().stop()


async def queue_one(to: str) -> int:
    async with db.transaction():
        return await queue_mail(TEST_MAIL, to=to, locale="en", context=CONTEXT)


async def claim_only(outbox_id: int, claim_timeout: dt.timedelta = CLAIM_TIMEOUT):
    """Claim what is due, one at a time, keep ``outbox_id`` and put back what other tests
    queued."""
    claimed: dict[int, services.ClaimedMail] = {}
    # With a claim timeout of zero a mail just claimed is due again: stop at the first repeat,
    # keeping its latest claim.
    while (mail := await services.claim_next(claim_timeout)) is not None:
        repeat = mail.id in claimed
        claimed[mail.id] = mail
        if repeat or mail.id == outbox_id:
            break
    for other in claimed.values():
        if other.id != outbox_id:
            await services.mark_retry(other, "", dt.timedelta(0))
    return [mail for mail in claimed.values() if mail.id == outbox_id]


async def test_queueing_outside_a_transaction_is_refused(test_loop_database):
    with pytest.raises(MailOutsideTransaction, match=r"db\.transaction"):
        await queue_mail(TEST_MAIL, to=address(), locale="en", context=CONTEXT)


async def test_an_address_with_a_line_break_is_refused(test_loop_database):
    with pytest.raises(ValueError):
        await queue_one("ada@example.org\r\nBcc: eve@example.org")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Note": "fine\r\nBcc: eve@example.org"},
        {"X-Note": "fine\nBcc: eve@example.org"},
        {"X-Note\r\nBcc": "eve@example.org"},
        {"X Note": "a space in the name"},
        {"X-Note:": "a colon in the name"},
        {"From": "eve@example.org"},
        {"to": "eve@example.org"},
        {"Subject": "another subject"},
        {"Message-ID": "<forged@example.org>"},
        {"Date": "Thu, 1 Jan 1970 00:00:00 +0000"},
        {"Auto-Submitted": "no"},
        {"MIME-Version": "1.0"},
        {"Content-Type": "text/html"},
        {"content-transfer-encoding": "base64"},
        {"Bcc": "eve@example.org"},
        {"X-Note": "once", "x-note": "twice"},
        {"X-Note": "x" * 1000},
    ],
)
async def test_headers_the_mail_package_owns_or_malformed_ones_are_refused(
    test_loop_database, headers
):
    to = address()
    with pytest.raises(ValueError, match="mail header"):
        async with db.transaction():
            await queue_mail(TEST_MAIL, to=to, locale="en", context=CONTEXT, headers=headers)

    assert not await OutboxMail.exists().where(OutboxMail.recipient == to)


async def test_after_commit_hooks_run_only_after_a_commit(test_loop_database):
    calls: list[str] = []

    async with db.transaction():
        db.after_commit(lambda: calls.append("committed"))
        async with db.transaction():
            db.after_commit(lambda: calls.append("nested"))
        assert calls == []
    with pytest.raises(RuntimeError, match="roll back"):
        async with db.transaction():
            db.after_commit(lambda: calls.append("rolled back"))
            raise RuntimeError("roll back")

    assert calls == ["committed", "nested"]


async def test_two_relays_never_claim_the_same_mail(test_loop_database):
    outbox_id = await queue_one(address())

    first, second = await asyncio.gather(claim_only(outbox_id), claim_only(outbox_id))

    assert len(first) + len(second) == 1
    [mail] = first or second
    assert mail.attempts == 1
    assert await services.mark_sent(mail)
    assert (await services.get_outbox_entry(outbox_id)).status == "sent"


async def test_a_mail_abandoned_while_sending_is_claimed_again(test_loop_database):
    outbox_id = await queue_one(address())
    [crashed] = await claim_only(outbox_id)
    assert await claim_only(outbox_id) == []  # still held within the claim timeout

    [taken_over] = await claim_only(outbox_id, claim_timeout=dt.timedelta(0))

    assert taken_over.message_id == crashed.message_id
    assert taken_over.attempts == 2
    # The crashed relay's late report does not overwrite the new holder's claim.
    assert not await services.mark_parked(crashed, "late")
    assert await services.mark_sent(taken_over)
    entry = await services.get_outbox_entry(outbox_id)
    assert entry.status == "sent"
    assert entry.last_error == ""


async def test_a_parked_mail_can_be_queued_again(test_loop_database):
    outbox_id = await queue_one(address())
    [mail] = await claim_only(outbox_id)
    await services.mark_parked(mail, "550 no such user")

    assert await services.requeue_parked(outbox_id)
    assert not await services.requeue_parked(outbox_id)
    [again] = await claim_only(outbox_id)
    assert again.message_id == mail.message_id
    await services.mark_sent(again)


async def test_erasure_removes_a_person_from_the_headers_of_mails_to_others(test_loop_database):
    from mupass_forum.mail import personal_data
    from mupass_forum.privacy.registry import ErasureRequest, Subject

    erased, other = address("erased"), address("other")
    async with db.transaction():
        outbox_id = await queue_mail(
            TEST_MAIL,
            to=other,
            locale="de",
            context=CONTEXT,
            headers={"Reply-To": f"Zoë Qx <{erased}>", "X-Note": "kept"},
        )
    subject = Subject(user_id=-1, email=erased, names=("Zoë Qx",))

    async with db.transaction():
        await personal_data.erase(ErasureRequest(subject, False, None, dt.datetime.now(dt.UTC)))

    former = "ehemalige teilnehmende Person"
    entry = await services.get_outbox_entry(outbox_id)
    assert entry.headers == {"Reply-To": f"{former} <{former}>", "X-Note": "kept"}
