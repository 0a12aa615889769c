"""The mails of retention: organizers hear when their forum's dates, not its status, ended it.

Templates name ``{forum}`` (the forum's title in the recipient's language, or its original
one), ``{dates}`` and ``{display_name}``.
"""

from __future__ import annotations

from mupass_forum.i18n import N_, NP_
from mupass_forum.mail import MailTemplate

#: The forum's page on the organizers' desk, where its status is seen and changed.
DESK_PATH = "/desk/forums/{slug}"

FORUM_SHREDDED_UNCLOSED = MailTemplate(
    name="privacy.forum_shredded_unclosed",
    subject=N_("Personal details of “{forum}” were deleted"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "{forum} ({dates}) ended longer ago than its retention period, although nobody "
            "marked it as held. Its registration closed when it ended, and the personal details "
            "of its registrations and expressions of interest have now been deleted. Its "
            "figures remain."
        ),
        N_("Please mark the forum as held, archived or cancelled, so that its status says so."),
    ),
    action=(N_("Open the forum on the desk"), "link"),
    footer=N_("You receive this mail because you organize “{forum}”."),
)

ADDRESS_DATA_LINK = MailTemplate(
    name="privacy.address_data_link",
    subject=N_("Your data at the dialogue forum service"),
    paragraphs=(
        N_("Hello,"),
        NP_(
            "Someone asked, with this address, to see or delete what the dialogue forum service "
            "holds under it (such as your interest in a forum). The link below opens a page "
            "where you can download it or delete it. It is valid for {n} hour.",
            "Someone asked, with this address, to see or delete what the dialogue forum service "
            "holds under it (such as your interest in a forum). The link below opens a page "
            "where you can download it or delete it. It is valid for {n} hours.",
        ),
    ),
    action=(N_("Open my data"), "link"),
    footer=N_(
        "You receive this mail because someone entered this address to see its data. If it "
        "was not you, ignore it: nothing happens without the link."
    ),
)
