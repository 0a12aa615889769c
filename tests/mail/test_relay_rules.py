"""Which SMTP failures are retried, and how long the relay waits."""

from __future__ import annotations

import aiosmtplib
import pytest

from mupass_forum.mail.relay import MailRelay, classify
from mupass_forum.settings import Settings


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (aiosmtplib.SMTPConnectError("refused"), "retry"),
        (aiosmtplib.SMTPReadTimeoutError("slow"), "retry"),
        (ConnectionResetError("reset"), "retry"),
        (aiosmtplib.SMTPDataError(451, "try later"), "retry"),
        (aiosmtplib.SMTPDataError(554, "spam"), "parked"),
        (aiosmtplib.SMTPAuthenticationError(535, "bad login"), "retry"),
        (aiosmtplib.SMTPSenderRefused(550, "not ours", "forum@x.org"), "retry"),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@x.org")]
            ),
            "parked",
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [
                    aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@x.org"),
                    aiosmtplib.SMTPRecipientRefused(452, "full", "b@x.org"),
                ]
            ),
            "retry",
        ),
    ],
)
def test_failures_are_classified(failure, kind):
    assert classify(failure).kind == kind


def test_retry_delays_grow_exponentially_with_jitter_up_to_the_cap():
    relay = MailRelay(
        Settings.from_env(environ={}, mail_retry_base_seconds=10.0, mail_retry_cap_seconds=300.0)
    )

    for attempts, ceiling in ((1, 10), (2, 20), (3, 40), (6, 300), (40, 300)):
        delays = {relay.retry_delay(attempts).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1
