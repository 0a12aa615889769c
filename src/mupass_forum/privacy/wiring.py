"""Every domain's share of personal data, registered; ``create_app`` calls this once per app."""

from __future__ import annotations

from mupass_forum.accounts import personal_data as accounts
from mupass_forum.app_context import Hooks
from mupass_forum.board import personal_data as board
from mupass_forum.consent import personal_data as consent
from mupass_forum.consent.stats import on_photo_list
from mupass_forum.documents import personal_data as documents
from mupass_forum.forums import personal_data as forums
from mupass_forum.mail import personal_data as mail
from mupass_forum.outreach import personal_data as outreach
from mupass_forum.participants import personal_data as participants
from mupass_forum.privacy import registry, retention
from mupass_forum.privacy.tables import Erasure, ForumRetention
from mupass_forum.proposals import personal_data as proposals
from mupass_forum.registrations import personal_data as registrations
from mupass_forum.translations import personal_data as translations


def wire_privacy(hooks: Hooks) -> None:
    """Register the domains' exporters and erasers; refuse photo lists retention shredded."""
    registry.register(
        hooks,
        accounts.PERSONAL_DATA,
        accounts.NO_PERSONAL_DATA,
        forums.PERSONAL_DATA,
        forums.NO_PERSONAL_DATA,
        participants.PERSONAL_DATA,
        registrations.PERSONAL_DATA,
        registrations.NO_PERSONAL_DATA,
        consent.PERSONAL_DATA,
        consent.NO_PERSONAL_DATA,
        proposals.PERSONAL_DATA,
        mail.PERSONAL_DATA,
        board.PERSONAL_DATA,
        board.NO_PERSONAL_DATA,
        translations.PERSONAL_DATA,
        outreach.PERSONAL_DATA,
        documents.PERSONAL_DATA,
        documents.NO_PERSONAL_DATA,
        documents.VISA_DETAILS_EXPIRY,
        registry.NoPersonalData(
            (Erasure, ForumRetention),
            "the erasure log keeps pseudonymous account ids only; retention keeps forum dates",
        ),
    )
    on_photo_list(hooks, retention.refuse_shredded_photo_list)
