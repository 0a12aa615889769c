"""Password rules and argon2id hashing."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mupass_forum.errors import FieldError
from mupass_forum.i18n import N_

MIN_LENGTH = 10
#: Long passphrases are welcome; the bound only keeps hashing time predictable.
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of most common passwords, lower-cased."""
    text = files("mupass_forum.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, pointer: str = "/password") -> FieldError | None:
    """Why ``password`` is not acceptable, or None. Length is checked here as well as in the
    input structs, so that the CLI and services apply the same rules."""
    if len(password) < MIN_LENGTH:
        return FieldError(
            N_("Must be at least {limit} characters long."),
            "too_short",
            pointer=pointer,
            params={"limit": MIN_LENGTH},
        )
    if len(password) > MAX_LENGTH:
        return FieldError(
            N_("Must be at most {limit} characters long."),
            "too_long",
            pointer=pointer,
            params={"limit": MAX_LENGTH},
        )
    if password.lower() in common_passwords():
        return FieldError(
            N_("This password is among the most common ones. Please choose another."),
            "common_password",
            pointer=pointer,
        )
    return None


class Passwords:
    """argon2id (RFC 9106 low-memory profile by default); knows when a hash needs upgrading."""

    def __init__(self, memory_kib: int, time_cost: int) -> None:
        self._hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
