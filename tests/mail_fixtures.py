"""A real SMTP server on loopback, and clients whose app relays mail to it.

``smtp_server`` records every mail it accepts and can be told to fail: ``fail_next(451)``
answers the next message's DATA with a 4xx/5xx reply, ``refuse("x@example.org", 550)`` refuses
a recipient at RCPT, and ``reply_delay = 0.5`` makes it answer MAIL, RCPT and DATA slowly.
``mail_client`` is a test client whose app relays in process to it, with a short poll interval
and short retry delays.

The database is shared by the whole run, so a relay may also deliver mail that other tests
queued: look mails up by recipient (``wait_for(to=...)``) and give each test its own addresses.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any
from urllib.parse import unquote

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mupass_forum.mail.catcher import parse_message, serve_smtp
from mupass_forum.settings import Settings


@dataclass
class _Failure:
    code: int
    text: str
    remaining: int
    to: str | None


def text_of(message: EmailMessage) -> str:
    """The plain text part of a mail, with plain line ends."""
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage), message
    return str(body.get_content()).replace("\r\n", "\n")


def token_in(message: EmailMessage, path: str) -> str:
    """The ``token`` of the link to ``path`` in a mail's text."""
    found = re.search(rf"{re.escape(path)}\?token=([^\s\"<&]+)", text_of(message))
    assert found, text_of(message)
    return unquote(found.group(1))


def recipients_of(message: EmailMessage) -> list[str]:
    return [address.lower() for _, address in getaddresses(message.get_all("To", []))]


class SmtpServer:
    """An aiosmtpd server in a thread of its own; stops and starts again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        #: Envelope recipients of each accepted message, in the order of ``messages``.
        self.envelopes: list[list[str]] = []
        #: Messages answered with a failure by ``fail_next``.
        self.rejected: list[EmailMessage] = []
        self._failures: list[_Failure] = []
        #: Seconds to wait before answering MAIL, each RCPT and DATA: a slow server.
        self.reply_delay = 0.0
        self._refusals: dict[str, tuple[int, str]] = {}
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._connections: set[Any] = set()
        #: The mails the outbox of the app under test has sent to an address once none is waiting
        #: any more (``None`` while some are); ``make_mail_client`` sets it.
        self.sent_from_outbox: Callable[[str], int | None] | None = None

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def start(self) -> None:
        async def listen() -> asyncio.Server:
            return await serve_smtp(self, "127.0.0.1", self.port, self._connections)

        self._server = self._call(listen())
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """Go down: open connections are cut and connecting is refused until ``start()``."""
        server, self._server = self._server, None
        if server is None:
            return

        async def close() -> None:
            server.close()
            for protocol in self._connections:
                if protocol.transport is not None:
                    protocol.transport.abort()
            self._connections.clear()
            pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await server.wait_closed()

        self._call(close())

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def fail_next(
        self, code: int, count: int = 1, *, to: str | None = None, text: str = ""
    ) -> None:
        """Answer DATA with ``code`` for the next ``count`` messages (only those to ``to``)."""
        reply = text or ("Try again later" if code < 500 else "Message rejected")
        with self._changed:
            self._failures.append(_Failure(code, reply, count, to.lower() if to else None))

    def refuse(self, address: str, code: int = 550, text: str = "") -> None:
        """Refuse ``address`` at RCPT with ``code`` from now on."""
        reply = text or ("Mailbox busy" if code < 500 else "No such user")
        with self._changed:
            self._refusals[address.lower()] = (code, reply)

    def accept(self, address: str) -> None:
        """Take back ``refuse(address)``."""
        with self._changed:
            self._refusals.pop(address.lower(), None)

    # aiosmtpd handler hooks, called in the server's thread

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(self.reply_delay)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(self.reply_delay)
        with self._changed:
            refusal = self._refusals.get(address.lower())
        if refusal is not None:
            return f"{refusal[0]} {refusal[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.reply_delay)
        recipients = [address.lower() for address in envelope.rcpt_tos]
        message = parse_message(envelope.original_content or envelope.content)
        with self._changed:
            for failure in self._failures:
                if failure.remaining > 0 and (failure.to is None or failure.to in recipients):
                    failure.remaining -= 1
                    self.rejected.append(message)
                    return f"{failure.code} {failure.text}"
            self.messages.append(message)
            self.envelopes.append(recipients)
            self._changed.notify_all()
        return "250 Message accepted"

    def received(self, to: str | None = None) -> list[EmailMessage]:
        with self._changed:
            return [
                message
                for message, envelope in zip(self.messages, self.envelopes, strict=True)
                if to is None or to.lower() in envelope or to.lower() in recipients_of(message)
            ]

    def wait_for(
        self, to: str | None = None, count: int = 1, timeout: float = 10
    ) -> list[EmailMessage]:
        """The messages for ``to`` once there are at least ``count``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.received(to)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} mail(s) to {to or 'anyone'} within {timeout} s, "
                        f"got {len(found)}"
                    )
                self._changed.wait(left)
        return found

    def exactly(self, to: str, count: int, timeout: float = 10) -> list[EmailMessage]:
        """The messages for ``to``, which must be ``count``: once the outbox has relayed every mail
        queued for ``to``, it holds exactly ``count`` sent ones and this server has them all. A
        duplicate shows as an outbox row at once; no time is spent waiting for one."""
        assert self.sent_from_outbox is not None, "exactly() needs a client of make_mail_client"
        deadline = time.monotonic() + timeout
        while (sent := self.sent_from_outbox(to)) is None:
            assert time.monotonic() < deadline, f"mail to {to} still waits in the outbox"
            time.sleep(0.02)
        found = self.wait_for(to, sent, timeout)
        assert (sent, len(found)) == (count, count), [message["Subject"] for message in found]
        return found


async def _sent_from_outbox(address: str) -> int | None:
    from mupass_forum.mail.tables import MailStatus, OutboxMail

    rows = await OutboxMail.select(OutboxMail.status).where(OutboxMail.recipient == address)
    statuses = [row["status"] for row in rows]
    if MailStatus.queued in statuses or MailStatus.sending in statuses:
        return None
    return statuses.count(MailStatus.sent)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def mail_settings(migrated: Settings, smtp_server: SmtpServer) -> Settings:
    """Settings that relay in process to ``smtp_server``, quickly."""
    return migrated.replace(
        mail_relay="inprocess",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_tls="none",
        smtp_timeout_seconds=5.0,
        mail_poll_seconds=0.1,
        mail_retry_base_seconds=0.2,
        mail_retry_cap_seconds=0.5,
        mail_from="mupass-forum <forum@mupass.test>",
    )


async def _set_aside_earlier_mail() -> None:
    """Park what earlier tests queued through clients that never relay.

    The run shares one database; without this a relay would first deliver every mail the
    suite queued before (hundreds after the capacity test) and a test's own mail would wait.
    """
    from mupass_forum.mail.tables import MailStatus, OutboxMail

    await OutboxMail.update(
        {OutboxMail.status: MailStatus.parked, OutboxMail.last_error: "queued by an earlier test"}
    ).where(OutboxMail.status == MailStatus.queued)


@pytest.fixture
def make_mail_client(
    client: TestClient[Litestar],
    make_client: Callable[..., TestClient[Litestar]],
    mail_settings: Settings,
    smtp_server: SmtpServer,
) -> Callable[..., TestClient[Litestar]]:
    """``make_mail_client(app=None, **settings changes)``: a client relaying to ``smtp_server``."""
    from mupass_forum.app import create_app

    def make(app: Litestar | None = None, **changes: Any) -> TestClient[Litestar]:
        client.blocking_portal.call(_set_aside_earlier_mail)
        made = make_client(app or create_app(mail_settings.replace(**changes)))
        smtp_server.sent_from_outbox = lambda address: made.blocking_portal.call(
            _sent_from_outbox, address
        )
        return made

    return make


@pytest.fixture
def mail_client(make_mail_client: Callable[..., TestClient[Litestar]]) -> TestClient[Litestar]:
    return make_mail_client()
