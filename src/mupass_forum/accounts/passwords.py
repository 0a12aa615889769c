"""Password rules and argon2id hashing."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from mupass_forum.errors import FieldError
from mupass_forum.i18n import N_, NP_

MIN_LENGTH = 10
#: Long passphrases are welcome; the bound only keeps hashing time predictable.
MAX_LENGTH = 256
#: zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable", about 10^8 guesses
#: and more, out of reach of online guessing and costly offline against argon2id.
MIN_STRENGTH = 3
#: zxcvbn refuses longer input; a weak start makes a weak password anyway.
STRENGTH_CHECKED_LENGTH = 72


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of most common passwords, lower-cased."""
    text = files("mupass_forum.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(
    password: str, pointer: str = "/password", *, personal: Sequence[str] = ()
) -> FieldError | None:
    """Why ``password`` is not acceptable, or None. Length is checked here as well as in the
    input structs, so that the CLI and services apply the same rules; ``personal`` are the
    account's own details (address, name), which make a password easy to guess."""
    if len(password) < MIN_LENGTH:
        return FieldError(
            NP_("Must be at least {n} character long.", "Must be at least {n} characters long."),
            "too_short",
            pointer=pointer,
            params={"n": MIN_LENGTH},
        )
    if len(password) > MAX_LENGTH:
        return FieldError(
            NP_("Must be at most {n} character long.", "Must be at most {n} characters long."),
            "too_long",
            pointer=pointer,
            params={"n": MAX_LENGTH},
        )
    if password.lower() in common_passwords():
        return FieldError(
            N_("This password is among the most common ones. Please choose another."),
            "common_password",
            pointer=pointer,
        )
    return _strength_problem(password, pointer, personal)


def _personal_words(personal: Sequence[str]) -> list[str]:
    """The details and their parts: an address, its name before the @, each word of a name."""
    words = []
    for detail in personal:
        detail = detail.strip().lower()
        if not detail:
            continue
        words.append(detail)
        if "@" in detail:
            words.append(detail.split("@", 1)[0])
        words.extend(part for part in re.split(r"[@.\s_+-]+", detail) if len(part) >= 3)
    return words


def _strength_problem(password: str, pointer: str, personal: Sequence[str]) -> FieldError | None:
    """zxcvbn's estimate: repeats, sequences, keyboard walks, dates, common words and the
    account's own details all count as few guesses."""
    words = _personal_words(personal)
    estimate = zxcvbn(password[:STRENGTH_CHECKED_LENGTH], user_inputs=words)
    if estimate["score"] >= MIN_STRENGTH:
        return None
    uses_personal = any(
        match.get("dictionary_name") == "user_inputs" for match in estimate["sequence"]
    ) or any(word in password.lower() for word in words)
    if uses_personal:
        return FieldError(
            N_("Please do not build your password from your name or email address."),
            "personal_password",
            pointer=pointer,
        )
    return FieldError(
        N_(
            "This password is too easy to guess. A few unusual words, or a longer password "
            "without repeats, sequences or dates, are much harder."
        ),
        "weak_password",
        pointer=pointer,
    )


#: Threads that hash passwords, one pool per size, shared by every app of the process.
_hashing: dict[int, ThreadPoolExecutor] = {}
_hashing_lock = threading.Lock()


def _hashing_threads(size: int) -> ThreadPoolExecutor:
    with _hashing_lock:
        if size not in _hashing:
            _hashing[size] = ThreadPoolExecutor(size, thread_name_prefix="argon2")
        return _hashing[size]


class Passwords:
    """argon2id with OWASP's minimum by default (m=19 MiB, t=2, p=1); knows when a hash needs
    upgrading.

    At most ``concurrency`` hashes run at once in the process, on threads of their own, and the
    rest wait their turn: each takes ``memory_kib`` of memory and a core for its whole run, so a
    wave of sign-ins otherwise takes every core and hundreds of megabytes from the pages.
    """

    def __init__(self, memory_kib: int, time_cost: int, concurrency: int = 1) -> None:
        self._hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1)
        self._threads = _hashing_threads(concurrency)

    async def hashed(self, password: str) -> str:
        """``hash`` in its turn, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, self.hash, password)

    async def verified(self, stored_hash: str, password: str) -> bool:
        """``verify`` in its turn, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, self.verify, stored_hash, password
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
