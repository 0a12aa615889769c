"""Signed links: a link in a mail lets its reader do one thing without signing in.

A token names a few fields (a person, a forum, an address) and, where the link expires, its
expiry; it is signed with HMAC-SHA-256 under a key derived from ``MUPASS_SECRET_KEY`` for one
purpose only, so a token made for one kind of link is worthless for any other. Nothing is
stored: a token is valid while its signature holds and its expiry has not passed. Each domain
makes its own ``Signer`` with its purpose and says what a refused token means to its readers.

Token: ``<field>.<field>…<expiry or ->.<signature>``, fields in URL-safe base64, the expiry in
Unix seconds.

A ``LinkKind`` is one kind of link as its readers meet it: the purpose its tokens are signed
for, the page it opens, and the errors a refused token shows them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from mupass_forum.errors import BadRequest, Gone
from mupass_forum.settings import Settings

_NEVER = "-"


class InvalidLink(ValueError):
    """The token was altered, cut short or made for another purpose."""


class ExpiredLink(ValueError):
    """The token is genuine, but its expiry has passed."""


def _encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decoded(text: str) -> str:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidLink(text) from exc


@dataclass(frozen=True, slots=True)
class Signer:
    key: bytes

    @classmethod
    def for_purpose(cls, settings: Settings, purpose: str) -> Signer:
        """The signer of one kind of link (``purpose`` names it, e.g. "consent withdrawal")."""
        key = hmac.new(
            settings.signing_key.encode(), f"mupass-forum link: {purpose}".encode(), hashlib.sha256
        ).digest()
        return cls(key)

    def sign(self, *fields: str, expires_at: datetime | None = None) -> str:
        """The token for ``fields``, valid until ``expires_at`` (``None``: it never expires)."""
        expiry = _NEVER if expires_at is None else str(int(expires_at.timestamp()))
        body = ".".join([*(_encoded(field.encode()) for field in fields), expiry])
        return f"{body}.{self._mac(body)}"

    def read(
        self, token: str, count: int, *, now: datetime | None = None
    ) -> tuple[list[str], datetime | None]:
        """The ``count`` fields of ``token`` and its expiry; ``InvalidLink`` for a token
        altered or of another purpose, ``ExpiredLink`` for one whose expiry has passed."""
        body, _, mac = token.strip().rpartition(".")
        parts = body.split(".")
        if not body or len(parts) != count + 1 or not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidLink(token)
        *encoded, expiry = parts
        fields = [_decoded(part) for part in encoded]
        if expiry == _NEVER:
            return fields, None
        if not expiry.isdigit() or len(expiry) > 12:
            raise InvalidLink(token)
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
        if expires_at <= (now or datetime.now(UTC)):
            raise ExpiredLink(token)
        return fields, expires_at

    def _mac(self, body: str) -> str:
        return _encoded(hmac.new(self.key, body.encode(), hashlib.sha256).digest()[:18])


@dataclass(frozen=True, slots=True)
class LinkKind:
    """One kind of mailed link: its purpose (its signer's), the page it opens, and the error
    codes and messages of a token that was altered (``invalid``) or has expired (``expired``;
    ``None`` for links that never expire)."""

    purpose: str
    path: str
    invalid: tuple[str, str]
    expired: tuple[str, str] | None = None

    def address(self, base_url: str, token: str, locale: str | None = None) -> str:
        """The link to the page for ``token``, in the mail's ``locale`` where it has one."""
        query = {"token": token, **({"lang": locale} if locale else {})}
        return f"{base_url}{self.path}?{urlencode(query)}"

    def refused(self) -> BadRequest:
        """The error of a token that does not name what this kind of link names."""
        code, message = self.invalid
        return BadRequest(code, message)

    def read(
        self, signer: Signer, token: str, count: int, *, now: datetime | None = None
    ) -> tuple[list[str], datetime | None]:
        """``Signer.read``, with a refused token told to its reader: ``BadRequest`` if it was
        altered, ``Gone`` once it expired."""
        try:
            return signer.read(token, count, now=now)
        except ExpiredLink as exc:
            if self.expired is None:
                raise
            code, message = self.expired
            raise Gone(code, message) from exc
        except InvalidLink as exc:
            raise self.refused() from exc
