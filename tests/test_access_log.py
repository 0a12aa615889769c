"""The access log: off unless asked for; then one structured line per request."""

from __future__ import annotations

import json
import logging

import pytest

from mupass_forum import access_log


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def lines():
    handler = Lines()
    logger = logging.getLogger(access_log.LOGGER)
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_requests_are_not_logged_by_default(client, lines):
    assert client.get("/health/live").status_code == 200
    assert lines == []


def test_each_request_is_one_json_line_without_its_query(make_client, lines):
    logged = make_client(access_log=True)
    response = logged.get("/api/v1/forums?lang=fr&series=secret", headers={"X-Request-ID": "r-1"})
    assert response.status_code == 200
    missing = logged.get("/api/v1/nowhere")
    assert missing.status_code == 404
    first, second = (json.loads(access_log.AccessLine().format(record)) for record in lines)
    assert first["request_id"] == "r-1"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/api/v1/forums", 200)
    assert first["duration_ms"] >= 0 and first["time"].endswith("+00:00")
    assert "secret" not in json.dumps(first)
    assert (second["path"], second["status"]) == ("/api/v1/nowhere", 404)
