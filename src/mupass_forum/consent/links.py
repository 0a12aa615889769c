"""Signed withdrawal links: one click in any mail about a forum withdraws consent, no sign-in.

A link names a person and a forum and carries an expiry, all signed with HMAC-SHA-256 under a
key derived from ``MUPASS_SECRET_KEY`` for this use only; changing any part breaks the
signature. Nothing is stored: a link stays usable until it expires, as often as it is used. It
can only ever *refuse* (never grant), so a forwarded mail cannot make anyone consent.

Other domains put ``withdrawal_link(user_id, forum_id)`` into every mail about a forum, as a
context value of their ``MailTemplate`` (see ``consent.mails.WITHDRAWAL_NOTE`` for the text).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from mupass_forum.errors import BadRequest, Gone
from mupass_forum.i18n import N_
from mupass_forum.settings import Settings

#: Where a link points: the API serves the page that shows what the link does and its button.
WITHDRAWAL_PATH = "/api/v1/consent/withdrawal"

_TOKEN = re.compile(r"^v1\.(\d{1,18})\.(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True, slots=True)
class WithdrawalGrant:
    """What a valid link allows: withdrawing ``user_id``'s consent for ``forum_id``."""

    user_id: int
    forum_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _Signer:
    key: bytes
    base_url: str
    lifetime: timedelta


_signer: _Signer | None = None


def install(settings: Settings) -> None:
    """Sign with ``settings``'s secret and link to its base URL (done by ``create_app``)."""
    global _signer
    key = hmac.new(
        settings.signing_key.encode(), b"mupass-forum consent withdrawal link", hashlib.sha256
    ).digest()
    _signer = _Signer(key, settings.base_url, timedelta(days=settings.consent_link_days))


def _installed() -> _Signer:
    if _signer is None:
        raise RuntimeError("consent links are not installed; create_app installs them")
    return _signer


def _mac(key: bytes, user_id: int, forum_id: int, expires: int) -> str:
    message = f"withdraw|{user_id}|{forum_id}|{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def withdrawal_token(user_id: int, forum_id: int, *, expires_at: datetime | None = None) -> str:
    """The signed token of a link; valid until ``expires_at`` (default: the configured days)."""
    signer = _installed()
    expiry = expires_at or datetime.now(UTC) + signer.lifetime
    expires = int(expiry.timestamp())
    return f"v1.{user_id}.{forum_id}.{expires}.{_mac(signer.key, user_id, forum_id, expires)}"


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
    query = {"token": token, **({"lang": locale} if locale else {})}
    return f"{_installed().base_url}{WITHDRAWAL_PATH}?{urlencode(query)}"


def read_withdrawal_token(token: str, *, now: datetime | None = None) -> WithdrawalGrant:
    """The person and forum of a link; ``BadRequest`` if it was altered, ``Gone`` if expired."""
    signer = _installed()
    match = _TOKEN.match(token.strip())
    if match is None or not hmac.compare_digest(
        match[4], _mac(signer.key, int(match[1]), int(match[2]), int(match[3]))
    ):
        raise BadRequest(
            "invalid_consent_link",
            N_("This link is not valid. Please use the link from the mail as it was sent."),
        )
    expires_at = datetime.fromtimestamp(int(match[3]), UTC)
    if expires_at <= (now or datetime.now(UTC)):
        raise Gone(
            "consent_link_expired",
            N_(
                "This link has expired. Sign in to change your choice, or tell the organizers "
                "of the forum."
            ),
        )
    return WithdrawalGrant(int(match[1]), int(match[2]), expires_at)
