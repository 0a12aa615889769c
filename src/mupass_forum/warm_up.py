"""A server process does its first-time work before it says it is ready, not in a crowd.

The first request a process answers pays for what every later one finds done: the database
connections opened, the CLDR data of the four languages read (Babel unpickles and merges it
on first use), the types of every handler's parameters and schemas evaluated (msgspec
resolves annotations on a type's first conversion). Measured in one process, a first
registration took 70–80 ms and the next ones 5–9 ms; in a crowd, the first answers of a
process wait for that work while everyone else's requests take turns with it. The warm-up
runs in the app's lifespan, before uvicorn accepts a connection, so ``/health/ready`` answers
only once it is done. ``MUPASS_WARM_UP=0`` leaves it to the first requests (the test suite
builds a hundred apps and warms none).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec

from mupass_forum import db
from mupass_forum.db_sqlite import SQLiteEngine
from mupass_forum.i18n import (
    format_date,
    format_date_interval,
    format_datetime_with_zone,
    format_number,
)
from mupass_forum.i18n.locale import supported_locales, use_locale

if TYPE_CHECKING:
    from litestar import Litestar

log = logging.getLogger(__name__)

#: A moment to format in every language: any will do, the data read is what counts.
_SAMPLE = dt.datetime(2030, 5, 4, 12, 30, tzinfo=dt.UTC)


async def warm_up(app: Litestar) -> None:
    began = time.perf_counter()
    await _open_connections()
    _read_locale_data()
    types = _evaluate_types(app)
    log.info(
        "warmed up in %.0f ms (%d types evaluated)", (time.perf_counter() - began) * 1000, types
    )


async def _open_connections() -> None:
    """Every connection of the pool (PostgreSQL) or of the loop (SQLite), opened now."""
    engine = db.current_engine()
    if isinstance(engine, SQLiteEngine):
        await engine.open_all()
        return
    if engine.pool is None:
        return  # the database is not reachable: /health/ready says so
    held = [await engine.pool.acquire() for _ in range(engine.pool_size)]
    await asyncio.gather(*(engine.pool.release(connection) for connection in held))


def _read_locale_data() -> None:
    for locale in supported_locales():
        with use_locale(locale, "Europe/Berlin"):
            format_date(_SAMPLE)
            format_date_interval(_SAMPLE.date(), _SAMPLE.date() + dt.timedelta(days=2))
            format_datetime_with_zone(_SAMPLE)
            format_number(1234.5)


def _evaluate_types(app: Litestar) -> int:
    """Evaluate the annotations of every handler's parameters and of every struct of the
    service (rows, schemas), as their first conversion would."""
    types = 0
    for model in _handler_models(app):
        msgspec.json.Decoder(model)
        types += 1
    for struct in _structs(msgspec.Struct):
        if struct.__module__.startswith("mupass_forum.") and not getattr(
            struct, "__parameters__", ()
        ):
            msgspec.json.Decoder(struct)
            types += 1
    return types


def _handler_models(app: Litestar) -> Iterator[Any]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            yield handler.signature_model


def _structs(base: type[msgspec.Struct]) -> Iterator[type[msgspec.Struct]]:
    for struct in base.__subclasses__():
        yield struct
        yield from _structs(struct)
