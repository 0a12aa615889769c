"""Signed links for people without an account: whoever can read mail at an address may
download and erase what the service holds under that address (expressions of interest, mails).

A link names the address and an expiry, signed with HMAC-SHA-256 under a key derived from
``MUPASS_SECRET_KEY`` for this use only. Nothing is stored; the link works until it expires.
It opens a page (``ADDRESS_DATA_PATH``) with one button to download and one to erase; only
the buttons' POSTs act.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from mupass_forum.errors import BadRequest, Gone
from mupass_forum.i18n import N_
from mupass_forum.settings import Settings

#: The page the mailed link opens.
ADDRESS_DATA_PATH = "/privacy/my-data"


@dataclass(frozen=True, slots=True)
class AddressGrant:
    email: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _Keys:
    key: bytes
    base_url: str
    lifetime: timedelta


_keys: _Keys | None = None


def install(settings: Settings) -> None:
    global _keys
    key = hmac.new(
        settings.secret_key.encode(), b"mupass-forum address data link", hashlib.sha256
    ).digest()
    _keys = _Keys(key, settings.base_url, timedelta(hours=settings.address_link_hours))


def _installed() -> _Keys:
    if _keys is None:
        raise RuntimeError("address links are not installed; create_app installs them")
    return _keys


def _encoded(email: str) -> str:
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def _signature(key: bytes, encoded: str, expires: int) -> str:
    digest = hmac.new(key, f"address|{encoded}|{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def address_token(email: str, *, now: datetime | None = None) -> str:
    keys = _installed()
    expires = int(((now or datetime.now(UTC)) + keys.lifetime).timestamp())
    encoded = _encoded(email)
    return f"{encoded}.{expires}.{_signature(keys.key, encoded, expires)}"


def address_link(email: str, locale: str) -> str:
    """The page's address for ``email``, in the mail's language."""
    query = urlencode({"token": address_token(email), "lang": locale})
    return f"{_installed().base_url}{ADDRESS_DATA_PATH}?{query}"


def read_address_token(token: str, *, now: datetime | None = None) -> AddressGrant:
    """The address of a link; ``BadRequest`` if it was altered, ``Gone`` once it expired."""
    keys = _installed()
    encoded, _, rest = token.strip().partition(".")
    expires, _, signature = rest.partition(".")
    invalid = BadRequest(
        "invalid_address_link",
        N_("This link is not valid. Please use the link from the mail as it was sent."),
    )
    if not expires.isdigit() or not hmac.compare_digest(
        signature, _signature(keys.key, encoded, int(expires))
    ):
        raise invalid
    try:
        email = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if expires_at <= (now or datetime.now(UTC)):
        raise Gone(
            "address_link_expired",
            N_("This link has expired. Please ask for a new one with your address."),
        )
    return AddressGrant(email, expires_at)
