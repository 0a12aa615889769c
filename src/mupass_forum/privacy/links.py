"""Signed links for people without an account: whoever can read mail at an address may
download and erase what the service holds under that address (expressions of interest, mails).

A link names the address and an expiry, signed for this use only (``signed_links``). Nothing
is stored; the link works until it expires. It opens a page (``ADDRESS_DATA_PATH``) with one
button to download and one to erase; only the buttons' POSTs act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from mupass_forum.app_context import current
from mupass_forum.errors import BadRequest, Gone
from mupass_forum.i18n import N_
from mupass_forum.signed_links import ExpiredLink, InvalidLink, Signer

#: The page the mailed link opens.
ADDRESS_DATA_PATH = "/privacy/my-data"


@dataclass(frozen=True, slots=True)
class AddressGrant:
    email: str
    expires_at: datetime


def _signer() -> Signer:
    return current().signer("address data")


def address_token(email: str, *, now: datetime | None = None) -> str:
    lifetime = timedelta(hours=current().settings.address_link_hours)
    return _signer().sign(email, expires_at=(now or datetime.now(UTC)) + lifetime)


def address_link(email: str, locale: str) -> str:
    """The page's address for ``email``, in the mail's language."""
    query = urlencode({"token": address_token(email), "lang": locale})
    return f"{current().base_url}{ADDRESS_DATA_PATH}?{query}"


def read_address_token(token: str, *, now: datetime | None = None) -> AddressGrant:
    """The address of a link; ``BadRequest`` if it was altered, ``Gone`` once it expired."""
    invalid = BadRequest(
        "invalid_address_link",
        N_("This link is not valid. Please use the link from the mail as it was sent."),
    )
    try:
        (email,), expires_at = _signer().read(token, 1, now=now)
    except ExpiredLink as exc:
        raise Gone(
            "address_link_expired",
            N_("This link has expired. Please ask for a new one with your address."),
        ) from exc
    except InvalidLink as exc:
        raise invalid from exc
    if expires_at is None:
        raise invalid
    return AddressGrant(email, expires_at)
