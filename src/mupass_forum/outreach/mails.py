"""The outreach mails: organizers' messages (their own words) and the reminder before a forum,
rendered in the recipient's language."""

from __future__ import annotations

from mupass_forum.consent.mails import WITHDRAWAL_NOTE
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

#: Where the forum's page (with its programme) is, and its calendar file.
FORUM_PATH = "/forums/{slug}"
CALENDAR_PATH = "/api/v1/forums/{slug}/calendar.ics"

_FROM_ORGANIZERS = N_(
    "You receive this mail from the organizers of “{forum}” because you registered for it or "
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


REMINDER = MailTemplate(
    name="outreach.reminder",
    subject=N_("{forum} begins on {starts}"),
    paragraphs=(
        N_("Hello {name},"),
        N_(
            "We look forward to welcoming you at “{forum}”: it begins on {starts} and ends on "
            "{ends}."
        ),
        N_("Venue: {venue}"),
        N_("The programme: {link}"),
        N_("Add the forum to your calendar: {calendar_link}"),
        N_("Please bring your badge number, {badge_number}, to the check-in."),
        WITHDRAWAL_NOTE,
    ),
    action=(N_("View the programme"), "link"),
    footer=N_("You receive this mail because you hold a seat at “{forum}”."),
)
