"""The relay: delivers due outbox mail over SMTP, at least once.

Temporary failures (no connection, timeouts, 4xx replies, a misconfigured relay account) are
retried with exponential backoff and jitter; a mail the server refuses for good (5xx for every
recipient, or for its content) is parked with the reason. A relay that dies while ``sending``
leaves its claim behind; after ``MUPASS_MAIL_CLAIM_TIMEOUT_SECONDS`` another relay takes the mail
again. A relay claims one mail at a time and gives up on a conversation after
``MUPASS_SMTP_TIMEOUT_SECONDS`` (shorter than the claim), so a live relay never loses a mail it
is still sending. Every attempt carries the same Message-ID, so a receiver can drop a duplicate
delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formatdate
from typing import Any

import aiosmtplib

from mupass_forum.app_context import current
from mupass_forum.clock import now
from mupass_forum.mail import headers, services
from mupass_forum.mail.services import ClaimedMail
from mupass_forum.request_context import without_addresses
from mupass_forum.settings import Settings

log = logging.getLogger(__name__)

#: How long a stopping relay may finish the mail in hand before it is cancelled (the claim then
#: expires and the mail is sent again later).
STOP_GRACE_SECONDS = 10.0


def build_message(mail: ClaimedMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at) if mail.created_at else formatdate()
    message["Message-ID"] = mail.message_id
    # RFC 3834: every mail of the service is automatic, so out-of-office replies leave it alone.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        message[name] = headers.header(name, value)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    # After the body: setting content clears every Content-* header.
    message["Content-Language"] = mail.locale
    return message


@dataclass(frozen=True)
class Outcome:
    #: ``sent``, ``retry`` or ``parked``.
    kind: str
    error: str = ""
    refused_recipients: str = ""


def _refusals(refused: dict[str, Any]) -> str:
    return "\n".join(
        f"{address}: {response.code} {response.message}" for address, response in refused.items()
    )


def classify(exc: BaseException) -> Outcome:
    """Whether an SMTP failure is worth retrying."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = {r.recipient: r for r in exc.recipients}
        lines = _refusals(refused)
        if all(500 <= r.code < 600 for r in exc.recipients):
            return Outcome("parked", f"every recipient was refused: {lines}", lines)
        return Outcome("retry", f"recipients refused for now: {lines}", lines)
    if isinstance(exc, aiosmtplib.SMTPDataError) and 500 <= exc.code < 600:
        return Outcome("parked", f"message refused: {exc.code} {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        # 4xx, and 5xx refusals of our HELO, sender or login: the relay's configuration is at
        # fault, not the mail, so it waits until an operator fixes it.
        return Outcome("retry", f"{type(exc).__name__}: {exc.code} {exc.message}")
    return Outcome("retry", f"{type(exc).__name__}: {exc}".rstrip(": "))


class MailRelay:
    """Delivers due mail in rounds; ``run`` loops until ``request_stop``."""

    def __init__(self, settings: Settings, *, batch_size: int = 20) -> None:
        self.settings = settings
        self.batch_size = batch_size
        self._stopping = False
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def retry_delay(self, attempts: int) -> dt.timedelta:
        """Exponential in the attempts so far, capped, with jitter so that a backlog spreads out."""
        base = self.settings.mail_retry_base_seconds
        ceiling = min(self.settings.mail_retry_cap_seconds, base * 2 ** min(attempts - 1, 30))
        return dt.timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311

    async def send(self, mail: ClaimedMail) -> Outcome:
        settings = self.settings
        try:
            # aiosmtplib's timeout bounds each reply; the conversation as a whole (connect,
            # greeting, login, envelope, data) gets the same bound, so a server that answers
            # slowly cannot hold a mail past its claim.
            async with asyncio.timeout(settings.smtp_timeout_seconds):
                refused, _ = await aiosmtplib.send(
                    build_message(mail, settings.mail_from),
                    recipients=mail.recipients,
                    hostname=settings.smtp_host,
                    port=settings.smtp_port,
                    username=settings.smtp_user or None,
                    password=settings.smtp_password or None,
                    use_tls=settings.smtp_tls == "tls",
                    start_tls=settings.smtp_tls == "starttls",
                    timeout=settings.smtp_timeout_seconds,
                )
        except aiosmtplib.SMTPException as exc:
            return classify(exc)
        except TimeoutError:
            seconds = settings.smtp_timeout_seconds
            return Outcome("retry", f"the SMTP conversation took longer than {seconds:g} s")
        except OSError as exc:
            return classify(exc)
        return Outcome("sent", refused_recipients=_refusals(refused))

    async def deliver(self, mail: ClaimedMail) -> Outcome:
        outcome = await self.send(mail)
        give_up_at = mail.created_at + dt.timedelta(hours=self.settings.mail_give_up_hours)
        if outcome.kind == "retry" and now() >= give_up_at:
            outcome = Outcome(
                "parked",
                f"still failing after {mail.attempts} attempts: {outcome.error}",
                outcome.refused_recipients,
            )
        if outcome.kind == "sent":
            recorded = await services.mark_sent(mail, outcome.refused_recipients)
            # Logs name mails by id: the outbox row says to whom (and erasure can remove it).
            log.info("mail %s sent (%s recipients)", mail.id, len(mail.recipients))
            if outcome.refused_recipients:
                log.warning(
                    "mail %s: some recipients refused: %s",
                    mail.id,
                    without_addresses(outcome.error or ""),
                )
        elif outcome.kind == "retry":
            delay = self.retry_delay(mail.attempts)
            recorded = await services.mark_retry(mail, outcome.error, delay)
            log.warning(
                "mail %s not sent (attempt %s), retrying in %.0f s: %s",
                mail.id,
                mail.attempts,
                delay.total_seconds(),
                without_addresses(outcome.error or ""),
            )
        else:
            recorded = await services.mark_parked(mail, outcome.error, outcome.refused_recipients)
            log.error("mail %s parked: %s", mail.id, without_addresses(outcome.error or ""))
        if not recorded:
            log.warning("mail %s was claimed again by another relay meanwhile", mail.id)
        return outcome

    async def deliver_due(self) -> int:
        """One round: up to ``batch_size`` due mails, each claimed only when its turn comes;
        returns how many were tried."""
        claim_timeout = dt.timedelta(seconds=self.settings.mail_claim_timeout_seconds)
        tried = 0
        while tried < self.batch_size and not self._stopping:
            mail = await services.claim_next(claim_timeout)
            if mail is None:
                break
            await self.deliver(mail)
            tried += 1
        return tried

    def wake(self) -> None:
        """Start the next round now; safe to call from any thread or event loop."""
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None:
            return
        with contextlib.suppress(RuntimeError):  # the relay's loop has closed
            loop.call_soon_threadsafe(wakeup.set)

    def request_stop(self) -> None:
        self._stopping = True
        self.wake()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        stop_waking = current().hooks.plug(services.RELAY_WAKERS, self.wake)
        log.info(
            "mail relay started: SMTP %s:%s, polling every %s s",
            self.settings.smtp_host,
            self.settings.smtp_port,
            self.settings.mail_poll_seconds,
        )
        try:
            while not self._stopping:
                self._wakeup.clear()
                try:
                    tried = await self.deliver_due()
                except Exception:
                    # The database may be down; mail waits in the outbox until it is back.
                    log.exception("mail relay round failed")
                    tried = 0
                if tried >= self.batch_size or self._stopping:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.settings.mail_poll_seconds)
        finally:
            stop_waking()
            log.info("mail relay stopped")


async def stop_relay(relay: MailRelay, task: asyncio.Task[None]) -> None:
    relay.request_stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def relay_lifespan(settings: Settings) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The lifespan part running the relay as a task when ``MUPASS_MAIL_RELAY=inprocess``."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        if settings.mail_relay != "inprocess":
            yield
            return
        relay = MailRelay(settings)
        task = asyncio.create_task(relay.run(), name="mail-relay")
        try:
            yield
        finally:
            await stop_relay(relay, task)

    return lifespan
