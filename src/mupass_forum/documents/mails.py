"""The mails about documents, each written in the person's language. They carry a link to the
person's documents page, never the document: passport details stay out of the outbox.

Templates name ``{forum}``, ``{dates}``, ``{display_name}``, ``{reference}`` and ``{link}``.
"""

from __future__ import annotations

from mupass_forum.consent.mails import WITHDRAWAL_NOTE
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

#: The person's documents page (``documents.pages``).
DOCUMENTS_PATH = "/forums/{slug}/documents"

_FOOTER = N_("You receive this mail because you registered for “{forum}”.")

LETTER_ISSUED = MailTemplate(
    name="documents.visa_letter_issued",
    subject=N_("Your visa invitation letter for “{forum}”"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "The organizers of “{forum}” ({dates}) have issued your visa invitation letter "
            "(reference {reference}). Download it from your documents page and take it to "
            "your embassy or consulate with your passport."
        ),
        WITHDRAWAL_NOTE,
    ),
    action=(N_("Download my letter"), "link"),
    footer=_FOOTER,
)

CERTIFICATE_LINK = MailTemplate(
    name="documents.certificate",
    subject=N_("Your certificate of attendance for “{forum}”"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "As you asked, here is the way to your certificate of attendance for “{forum}” "
            "({dates}), reference {reference}."
        ),
        WITHDRAWAL_NOTE,
    ),
    action=(N_("Download my certificate"), "link"),
    footer=_FOOTER,
)
