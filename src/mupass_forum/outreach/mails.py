"""The outreach mails: organizers' messages (their own words), rendered in the recipient's
language."""

from __future__ import annotations

from mupass_forum.consent.mails import WITHDRAWAL_NOTE
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

#: Where the forum's page (with its programme) is.
FORUM_PATH = "/forums/{slug}"

_FROM_ORGANIZERS = N_(
    "You receive this mail from the organizers of {forum} because you registered for it or "
    "told them of your interest."
)


def message_template(paragraphs: int, *, registered: bool) -> MailTemplate:
    """An organizer's message: their subject, a greeting, their ``paragraphs`` (``{p0}`` …)."""
    return MailTemplate(
        name="outreach.message",
        subject="{subject}",
        paragraphs=(
            N_("Hello {name},"),
            *(f"{{p{index}}}" for index in range(paragraphs)),
            *((WITHDRAWAL_NOTE,) if registered else ()),
        ),
        action=(N_("Open the forum's page"), "link"),
        footer=_FROM_ORGANIZERS,
    )
