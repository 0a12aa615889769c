"""Signed links: a token holds for its purpose only, refuses any change, and ends at its expiry."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from mupass_forum.settings import Settings
from mupass_forum.signed_links import ExpiredLink, InvalidLink, Signer

SETTINGS = Settings(secret_key="a secret of some length for the tests")
NOW = datetime(2027, 5, 4, 9, 30, tzinfo=UTC)


def test_a_token_gives_back_its_fields_and_expiry() -> None:
    signer = Signer.for_purpose(SETTINGS, "consent withdrawal")
    token = signer.sign("17", "façade@example.org", expires_at=NOW + timedelta(days=3))

    fields, expires_at = signer.read(token, 2, now=NOW)

    assert fields == ["17", "façade@example.org"]
    assert expires_at == NOW + timedelta(days=3)


def test_a_token_without_expiry_never_expires() -> None:
    signer = Signer.for_purpose(SETTINGS, "board unsubscribe")

    assert signer.read(signer.sign("17"), 1, now=NOW + timedelta(days=3650)) == (["17"], None)


def test_a_token_ends_at_its_expiry() -> None:
    signer = Signer.for_purpose(SETTINGS, "address data")
    token = signer.sign("a@example.org", expires_at=NOW)

    with pytest.raises(ExpiredLink):
        signer.read(token, 1, now=NOW)


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token.replace("MTc", "MTg", 1),  # another person ("17" → "18")
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: token.rsplit(".", 2)[0] + ".9999999999." + token.rsplit(".", 1)[1],
        lambda token: token.split(".", 1)[1],  # a field cut off
        lambda token: "",
    ],
)
def test_any_change_breaks_the_token(change) -> None:
    signer = Signer.for_purpose(SETTINGS, "consent withdrawal")
    token = signer.sign("17", "4", expires_at=NOW + timedelta(days=1))
    assert change(token) != token

    with pytest.raises(InvalidLink):
        signer.read(change(token), 2, now=NOW)


def test_a_token_is_worth_nothing_for_another_purpose_or_another_secret() -> None:
    token = Signer.for_purpose(SETTINGS, "board unsubscribe").sign("17")
    other_secret = Settings(secret_key="another secret of some length for tests")

    with pytest.raises(InvalidLink):
        Signer.for_purpose(SETTINGS, "address data").read(token, 1)
    with pytest.raises(InvalidLink):
        Signer.for_purpose(other_secret, "board unsubscribe").read(token, 1)


def test_links_are_signed_with_the_kept_secret_when_none_is_configured(tmp_path) -> None:
    """Without MUPASS_SECRET_KEY the signing key is the one kept in the data directory, never
    an empty key anyone could sign with."""
    kept = Settings(data_dir=tmp_path)
    empty_key = Signer(hmac.new(b"", b"mupass-forum link: address data", hashlib.sha256).digest())
    token = Signer.for_purpose(kept, "address data").sign("a@example.org")

    assert kept.signing_key
    with pytest.raises(InvalidLink):
        empty_key.read(token, 1)
