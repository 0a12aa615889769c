"""Signed links for people without an account: whoever can read mail at an address may
download and erase what the service holds under that address (expressions of interest, mails).

A link names the address and an expiry, signed for this use only (``signed_links``). Nothing
is stored; the link works until it expires. It opens a page (``ADDRESS_DATA_PATH``) with one
button to download and one to erase; only the buttons' POSTs act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mupass_forum.app_context import current
from mupass_forum.i18n import N_
from mupass_forum.signed_links import LinkKind

#: The page the mailed link opens.
ADDRESS_DATA_PATH = "/privacy/my-data"

ADDRESS_DATA = LinkKind(
    "address data",
    ADDRESS_DATA_PATH,
    invalid=(
        "invalid_address_link",
        N_("This link is not valid. Please use the link from the mail as it was sent."),
    ),
    expired=(
        "address_link_expired",
        N_("This link has expired. Please ask for a new one with your address."),
    ),
)


@dataclass(frozen=True, slots=True)
class AddressGrant:
    email: str
    expires_at: datetime


def address_token(email: str, *, now: datetime | None = None) -> str:
    context = current()
    lifetime = timedelta(hours=context.settings.address_link_hours)
    expiry = (now or datetime.now(UTC)) + lifetime
    return context.signer(ADDRESS_DATA.purpose).sign(email, expires_at=expiry)


def address_link(email: str, locale: str) -> str:
    """The page's address for ``email``, in the mail's language."""
    return ADDRESS_DATA.address(current().base_url, address_token(email), locale)


def read_address_token(token: str, *, now: datetime | None = None) -> AddressGrant:
    """The address of a link; ``BadRequest`` if it was altered, ``Gone`` once it expired."""
    signer = current().signer(ADDRESS_DATA.purpose)
    (email,), expires_at = ADDRESS_DATA.read(signer, token, 1, now=now)
    if expires_at is None:
        raise ADDRESS_DATA.refused()
    return AddressGrant(email, expires_at)
