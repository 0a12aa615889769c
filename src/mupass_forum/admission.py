"""How many HTTP requests a server process works on at once; the others wait their turn.

An event loop shares itself among every request it has accepted: with a thousand people
registering at the same moment, each request's steps (reading the session, the forum, the desk)
take turns with everyone else's, and the first answer leaves only when nearly all of them have
been taken through nearly all their steps. Admitting a bounded number at a time, in arrival
order, lets the first ones finish (and be decided together at the seat desk) while the rest
wait for a turn at no cost: answers flow from the start of a crowd instead of at its end, and
the total work is the same.

WebSocket connections (the live board) and health checks are not counted: one lasts as long as
a reader stays, the other must answer however busy the process is.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send


class Admission:
    """ASGI wrapper admitting at most ``limit`` HTTP requests at once, first come first served."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        # One per event loop: a semaphore belongs to the loop it is first used on.
        self._turns: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            self._turns = {
                other: turns for other, turns in self._turns.items() if not other.is_closed()
            }
            turns = self._turns[loop] = asyncio.Semaphore(self.limit)
        return turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/health/"):
            await self.app(scope, receive, send)
            return
        async with self._semaphore():
            await self.app(scope, receive, send)
