"""Signed withdrawal links: one click in any mail about a forum withdraws consent, no sign-in.

A link names a person and a forum and carries an expiry, all signed for this use only
(``signed_links``); changing any part breaks the signature. Nothing is stored: a link stays
usable until it expires, as often as it is used. It can only ever *refuse* (never grant), so
a forwarded mail cannot make anyone consent.

Other domains put ``withdrawal_link(user_id, forum_id)`` into every mail about a forum, as a
context value of their ``MailTemplate`` (see ``consent.mails.WITHDRAWAL_NOTE`` for the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mupass_forum.app_context import current
from mupass_forum.i18n import N_
from mupass_forum.signed_links import LinkKind

#: Where a link points: the API serves the page that shows what the link does and its button.
WITHDRAWAL_PATH = "/api/v1/consent/withdrawal"

WITHDRAWAL = LinkKind(
    "consent withdrawal",
    WITHDRAWAL_PATH,
    invalid=(
        "invalid_consent_link",
        N_("This link is not valid. Please use the link from the mail as it was sent."),
    ),
    expired=(
        "consent_link_expired",
        N_(
            "This link has expired. Sign in to change your choice, or tell the organizers "
            "of the forum."
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class WithdrawalGrant:
    """What a valid link allows: withdrawing ``user_id``'s consent for ``forum_id``."""

    user_id: int
    forum_id: int
    expires_at: datetime


def withdrawal_token(user_id: int, forum_id: int, *, expires_at: datetime | None = None) -> str:
    """The signed token of a link; valid until ``expires_at`` (default: the configured days)."""
    context = current()
    lifetime = timedelta(days=context.settings.consent_link_days)
    expiry = expires_at or datetime.now(UTC) + lifetime
    return context.signer(WITHDRAWAL.purpose).sign(str(user_id), str(forum_id), expires_at=expiry)


def withdrawal_link(
    user_id: int,
    forum_id: int,
    *,
    expires_at: datetime | None = None,
    locale: str | None = None,
) -> str:
    """The address to put into any mail about the forum (see the module's docstring), in the
    mail's ``locale``: the page, and so the ledger, speak the language the mail was read in."""
    token = withdrawal_token(user_id, forum_id, expires_at=expires_at)
    return WITHDRAWAL.address(current().base_url, token, locale)


def read_withdrawal_token(token: str, *, now: datetime | None = None) -> WithdrawalGrant:
    """The person and forum of a link; ``BadRequest`` if it was altered, ``Gone`` if expired."""
    signer = current().signer(WITHDRAWAL.purpose)
    (user_id, forum_id), expires_at = WITHDRAWAL.read(signer, token, 2, now=now)
    if not (user_id.isdigit() and forum_id.isdigit()) or expires_at is None:
        raise WITHDRAWAL.refused()
    return WithdrawalGrant(int(user_id), int(forum_id), expires_at)
