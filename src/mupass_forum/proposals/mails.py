"""The mails about decisions on proposals, each written in the author's language.

Templates name ``{forum}``, ``{dates}``, ``{display_name}`` and ``{proposal}`` (the proposal's
title in the recipient's language, or its original one); those with a message name
``{message}``.
"""

from __future__ import annotations

from dataclasses import replace

from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

#: The page of one's own proposal (``proposals.pages``).
PROPOSAL_PATH = "/forums/{slug}/proposals/{id}"

_FOOTER = N_("You receive this mail because you proposed a contribution to “{forum}”.")
_MESSAGE = N_("Message from the organizers: {message}")

PROPOSAL_ACCEPTED = MailTemplate(
    name="proposals.accepted",
    subject=N_("Your proposal for “{forum}” is accepted"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "Thank you for your proposal “{proposal}”. The organizers of “{forum}” ({dates}) "
            "have accepted it and will tell you where it fits into the programme."
        ),
    ),
    action=(N_("View my proposal"), "link"),
    footer=_FOOTER,
)

PROPOSAL_REJECTED = MailTemplate(
    name="proposals.rejected",
    subject=N_("Your proposal for “{forum}”"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "Thank you for your proposal “{proposal}”. We are sorry: the organizers of “{forum}” "
            "({dates}) could not include it in the programme."
        ),
    ),
    action=(N_("View my proposal"), "link"),
    footer=_FOOTER,
)


def decision_mail(accepted: bool, message: str) -> MailTemplate:
    """The mail for a decision; the organizers' message is its last paragraph, if they wrote one."""
    template = PROPOSAL_ACCEPTED if accepted else PROPOSAL_REJECTED
    if not message:
        return template
    return replace(template, paragraphs=(*template.paragraphs, _MESSAGE))
