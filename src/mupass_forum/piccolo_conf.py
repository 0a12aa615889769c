"""Piccolo's configuration: the app registry, and the engine Piccolo's own tools use.

The service binds its engine with ``mupass_forum.db.use_engine``; ``DB`` is built from the
environment only when Piccolo's command line asks for it (``piccolo migrations new APP --auto``
with ``PICCOLO_CONF=mupass_forum.piccolo_conf``).
"""

from __future__ import annotations

import functools
from typing import Any

from mupass_forum import db, db_postgres, db_sqlite
from mupass_forum.piccolo_apps import APP_REGISTRY
from mupass_forum.settings import Settings


def __getattr__(name: str) -> Any:
    if name == "DB":
        return db.engine_in_use() or _engine_from_environment()
    raise AttributeError(name)


@functools.cache
def _engine_from_environment() -> db_sqlite.SQLiteEngine | db_postgres.PostgresEngine:
    return db.engine_for(Settings.from_env())


__all__ = ["APP_REGISTRY"]
