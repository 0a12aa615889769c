"""A server process works on a bounded number of HTTP requests at once, in arrival order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mupass_forum.admission import Admission
from mupass_forum.settings import Settings, SettingsError


class Recorder:
    """An inner ASGI app that notes which requests run at the same time."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        self.started.append(scope["path"])
        try:
            await self.release.wait()
        finally:
            self.running -= 1


async def noop(*_: Any) -> Any:
    return None


def http(path: str) -> dict[str, Any]:
    return {"type": "http", "path": path}


async def until(condition: Any) -> None:
    """Let the loop turn until ``condition()`` holds (a thousand turns at most)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_at_most_the_limit_run_at_once_and_the_rest_in_arrival_order() -> None:
    inner = Recorder()
    admission = Admission(inner, limit=2)
    paths = [f"/api/v1/forums/{n}" for n in range(6)]
    tasks = [asyncio.create_task(admission(http(path), noop, noop)) for path in paths]
    await until(lambda: len(inner.started) == 2)
    for _ in range(20):  # the others stay waiting however often the loop turns
        await asyncio.sleep(0)
    assert inner.started == paths[:2]
    inner.release.set()
    await asyncio.gather(*tasks)
    assert inner.started == paths
    assert inner.most == 2


async def test_health_checks_and_websockets_are_not_counted() -> None:
    inner = Recorder()
    admission = Admission(inner, limit=1)
    busy = asyncio.create_task(admission(http("/forums"), noop, noop))
    await until(lambda: inner.running == 1)
    health = asyncio.create_task(admission(http("/health/ready"), noop, noop))
    live = asyncio.create_task(admission({"type": "websocket", "path": "/live"}, noop, noop))
    await until(lambda: inner.running == 3)
    assert inner.started == ["/forums", "/health/ready", "/live"]
    inner.release.set()
    await asyncio.gather(busy, health, live)


def test_the_limit_is_a_setting_of_at_least_one() -> None:
    assert Settings.from_env({"MUPASS_REQUESTS_AT_ONCE": "8"}).requests_at_once == 8
    with pytest.raises(SettingsError, match="MUPASS_REQUESTS_AT_ONCE"):
        Settings.from_env({"MUPASS_REQUESTS_AT_ONCE": "0"})
