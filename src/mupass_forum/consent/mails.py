"""Mails of the consent domain, and the note every mail about a forum can carry.

Any domain that mails a person about a forum adds ``WITHDRAWAL_NOTE`` to its template's
``paragraphs`` (or ``footer``) and ``consent_link=withdrawal_link(user_id, forum_id)`` to the
context, so that withdrawing consent is always one click away:

    INVITATION = MailTemplate(..., paragraphs=(..., WITHDRAWAL_NOTE))
    await queue_mail(INVITATION, ..., context={..., "consent_link": withdrawal_link(uid, fid)})
"""

from __future__ import annotations

from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

WITHDRAWAL_NOTE = N_(
    "Photos and videos: you can withdraw your consent for this forum at any time, with one "
    "click and without signing in: {consent_link}"
)

#: Sent when a decision was recorded for a person by someone else (an organizer on site) or
#: without signing in (the link), so that nobody's choice changes without their knowing.
CONSENT_RECORDED = MailTemplate(
    name="consent.recorded",
    subject=N_("Your choice about photos and videos at “{forum}”"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "On {recorded_at}, a new choice about photos and videos at “{forum}” was recorded "
            "for you ({channel}). Your badge marker is now: {marker}."
        ),
        N_(
            "If this is not what you want, change it in your account or tell the organizers of "
            "the forum."
        ),
    ),
    action=(N_("Withdraw my consent"), "consent_link"),
    footer=N_(
        "You receive this mail because your consent to photos and videos at “{forum}” changed."
    ),
)
