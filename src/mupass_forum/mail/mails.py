"""Mails of the mail package itself."""

from __future__ import annotations

from mupass_forum.i18n import N_
from mupass_forum.mail.templates import MailTemplate

#: Sent by ``mupass-forum mail-test`` so that an operator can see the whole path work.
TEST_MAIL = MailTemplate(
    name="mail.test",
    subject=N_("Test message from {site}"),
    paragraphs=(
        N_("Hello,"),
        N_(
            "This test message was queued on {queued_at}. If you can read it, mail from {site} "
            "reaches this address."
        ),
        N_("No action is needed."),
    ),
    action=(N_("Open {site}"), "site_url"),
    footer=N_(
        "You receive this message because an administrator of {site} sent a test to this address."
    ),
)
