"""Sign-in attempts counted per account and per client address, in the process or in Redis.

Counters are fixed windows: the first attempt opens a window of ``window_seconds``; an attempt
is counted before its password is checked and taken back when it succeeds, so what stays are
the failures. Once a counter is past its limit, sign-ins for that account (or from that
address) are refused with 429 until the window ends. With Redis, every server process shares
the same counters.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from mupass_forum.errors import TooManyRequests, Unavailable
from mupass_forum.i18n import N_

log = logging.getLogger(__name__)


class Counters(Protocol):
    async def read(self, key: str) -> tuple[int, int]:
        """The count under ``key`` and the seconds until its window ends (0 when none)."""

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one more, opening a window when there is none, and return the new count and
        the seconds until its window ends, in one step: concurrent hits never see the same
        count."""

    async def undo(self, key: str) -> None:
        """Take back one hit of the current window (none when it has ended)."""

    async def clear(self, key: str) -> None: ...

    async def ping(self) -> None:
        """Raise ``Unavailable`` unless the counters' store answers."""

    async def close(self) -> None: ...


class MemoryCounters:
    """Counters of this process only."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    def _current(self, key: str) -> tuple[int, float] | None:
        window = self._windows.get(key)
        if window is not None and window[1] <= time.monotonic():
            del self._windows[key]
            return None
        return window

    async def read(self, key: str) -> tuple[int, int]:
        window = self._current(key)
        if window is None:
            return 0, 0
        return window[0], max(1, round(window[1] - time.monotonic()))

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        # No await from reading to writing: atomic within the event loop.
        window = self._current(key)
        if window is None:
            window = (1, time.monotonic() + window_seconds)
        else:
            window = (window[0] + 1, window[1])
        self._windows[key] = window
        return window[0], max(1, round(window[1] - time.monotonic()))

    async def undo(self, key: str) -> None:
        window = self._current(key)
        if window is not None:
            self._windows[key] = (max(0, window[0] - 1), window[1])

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    async def ping(self) -> None:
        """Always answers: the counters are in this process."""

    async def close(self) -> None:
        self._windows.clear()


#: Seconds a Redis command may take before the request is answered 503.
REDIS_TIMEOUT_SECONDS = 3.0


@contextlib.contextmanager
def _redis_answers() -> Iterator[None]:
    """Turn Redis being down into a 503 problem: without the counters nobody may sign in,
    and a 500 would say the service is broken rather than waiting for a neighbour."""
    from redis.exceptions import RedisError

    try:
        yield
    except RedisError as exc:
        log.warning("Redis does not answer: %s", exc)
        raise Unavailable(
            "rate_limits_unavailable",
            N_(
                "Signing in and mail about your account are not possible at the moment. "
                "Please try again in a few minutes."
            ),
        ) from exc


class RedisCounters:
    """Counters in Redis, shared by every process that uses the same URL and prefix.

    While Redis does not answer, every method raises ``Unavailable`` (503).
    """

    def __init__(self, url: str, prefix: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._prefix = prefix

    async def ping(self) -> None:
        with _redis_answers():
            await self._redis.ping()

    async def read(self, key: str) -> tuple[int, int]:
        with _redis_answers():
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(self._prefix + key)
                pipe.ttl(self._prefix + key)
                count, ttl = await pipe.execute()
        if count is None:
            return 0, 0
        return int(count), max(1, int(ttl))

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        with _redis_answers():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(self._prefix + key)
                # NX: only the first hit of a window sets its end.
                pipe.expire(self._prefix + key, window_seconds, nx=True)
                pipe.ttl(self._prefix + key)
                count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def undo(self, key: str) -> None:
        with _redis_answers():
            left = await self._redis.decr(self._prefix + key)
            if left <= 0:
                # Nothing left to count, or the window ended meanwhile and DECR made a key
                # without expiry: either way, no window.
                await self._redis.delete(self._prefix + key)

    async def clear(self, key: str) -> None:
        with _redis_answers():
            await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


def _key(kind: str, value: str) -> str:
    # Hashed, so that addresses of people do not sit in Redis in clear.
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


@dataclass
class LoginThrottle:
    """Sign-in attempts per account and per client address.

    An attempt is counted before its password is checked, in one atomic step per counter, so
    that parallel guesses cannot all pass a check made before any of them was counted; a
    successful attempt is taken back again.
    """

    counters: Counters
    per_account: int
    per_address: int
    window_seconds: int

    def _keys(self, email: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
        return (
            (_key("login-failures:account", email), self.per_account),
            (_key("login-failures:address", address), self.per_address),
        )

    async def attempt(self, email: str, address: str) -> None:
        """Count an attempt; raise ``TooManyRequests`` when it is one too many for the account
        or the address."""
        waits = []
        for key, limit in self._keys(email, address):
            count, seconds_left = await self.counters.hit(key, self.window_seconds)
            if count > limit:
                waits.append(seconds_left)
        if waits:
            raise TooManyRequests(
                max(waits),
                "too_many_failed_logins",
                N_("Too many failed sign-in attempts. Please try again in {duration}."),
            )

    async def succeeded(self, email: str, address: str) -> None:
        """The attempt was right: the account starts afresh and the address is not charged."""
        (account_key, _), (address_key, _) = self._keys(email, address)
        await self.counters.clear(account_key)
        await self.counters.undo(address_key)


@dataclass
class MailThrottle:
    """At most ``per_recipient`` mails of one kind to one address per window.

    Sign-up and password reset send mail to any address they are given; without a bound they
    would let anyone flood a stranger's mailbox. Over the bound no mail is sent, and the
    answer stays the same, so that it still reveals nothing about the address.
    """

    counters: Counters
    per_recipient: int = 3
    window_seconds: int = 3600

    async def allow(self, kind: str, email: str) -> bool:
        count, _ = await self.counters.hit(_key(f"mails:{kind}", email), self.window_seconds)
        return count <= self.per_recipient


@dataclass
class ClientThrottle:
    """At most ``limit`` requests of one kind per client address and hour, for forms that
    anyone may send without an account (the interest form)."""

    counters: Counters
    window_seconds: int = 3600

    async def hit(self, kind: str, address: str, limit: int) -> None:
        count, seconds_left = await self.counters.hit(
            _key(f"requests:{kind}", address), self.window_seconds
        )
        if count > limit:
            raise TooManyRequests(
                seconds_left,
                "too_many_requests",
                N_("Too many requests from your network. Please try again in {duration}."),
            )
