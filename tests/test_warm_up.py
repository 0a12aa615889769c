"""A server process warms up in its lifespan, before it answers a request."""

from __future__ import annotations

import logging

import pytest

from mupass_forum.db_sqlite import SQLiteEngine
from mupass_forum.warm_up import warm_up


def warm_up_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage() for record in caplog.records if record.name == "mupass_forum.warm_up"
    ]


def test_an_app_warms_up_before_it_answers(make_client, caplog):
    with caplog.at_level(logging.INFO, logger="mupass_forum.warm_up"):
        client = make_client(warm_up=True)
        lines = warm_up_lines(caplog)
    assert len(lines) == 1
    # Every handler's parameters and every struct of the service: hundreds of types.
    types = int(lines[0].split("(")[1].split()[0])
    assert types > 300
    assert client.get("/health/ready").status_code == 200


def test_warming_up_can_be_left_to_the_first_requests(make_client, caplog):
    with caplog.at_level(logging.INFO, logger="mupass_forum.warm_up"):
        make_client(warm_up=False)
    assert warm_up_lines(caplog) == []


async def test_warming_up_opens_the_loops_connections(app, tmp_path, monkeypatch):
    engine = SQLiteEngine(str(tmp_path / "warm.sqlite3"), readers=2)
    monkeypatch.setattr("mupass_forum.db.current_engine", lambda: engine)
    try:
        await warm_up(app)
        connections = await engine.loop_connections()
        assert connections.writer is not None
        assert connections.inline is not None
        assert len(connections.readers) == 2
    finally:
        await engine.stop_all()
