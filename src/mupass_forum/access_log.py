"""One structured line per request (``MUPASS_ACCESS_LOG=1``), written off the request's path.

uvicorn's own access log formats and writes a line in the event loop for every request, which
cost a fifth of the board's thread page throughput. Here a request only puts a small record on
a queue; a thread turns it into one JSON line on stderr: time, request id, method, path,
status, duration in milliseconds and the client's address. The query string is left out
(it may carry tokens, e.g. the unsubscribe link's).
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import time
from datetime import UTC, datetime

import msgspec

LOGGER = "mupass_forum.access"


class AccessLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = record.args if isinstance(record.args, dict) else {}
        return msgspec.json.encode(
            {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), **fields}
        ).decode()


class _Enqueue(logging.handlers.QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the listener's thread, not the request's


def access_logger() -> logging.Logger:
    """The access logger, with its queue and writing thread: made once per process, like every
    logger (it writes to the process's stderr, whichever app asks for it)."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(handler, _Enqueue) for handler in logger.handlers):
        lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        writer = logging.StreamHandler()
        writer.setFormatter(AccessLine())
        listener = logging.handlers.QueueListener(lines, writer)
        listener.start()
        atexit.register(listener.stop)
        logger.addHandler(_Enqueue(lines))
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_request(
    logger: logging.Logger,
    request_id: str,
    method: str,
    path: str,
    status: int,
    started: float,
    client: str | None,
) -> None:
    logger.info(
        "%(method)s %(path)s %(status)s",
        {
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": client,
        },
    )
