"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import logging

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from mupass_forum import __version__, db, db_migrations
from mupass_forum.accounts.services import AccountService
from mupass_forum.errors import Unavailable
from mupass_forum.i18n import N_
from mupass_forum.settings import Settings

log = logging.getLogger(__name__)


class Health(msgspec.Struct):
    status: str
    version: str
    database: str | None = None
    #: ``ok`` when ``MUPASS_REDIS_URL`` is set (and Redis answers).
    redis: str | None = None


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", operation_id="health_live", summary="Liveness")
    async def live(self) -> Health:
        """The process is up and answering."""
        return Health(status="ok", version=__version__)

    @get("/ready", operation_id="health_ready", summary="Readiness")
    async def ready(
        self,
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> Health:
        """The database (and Redis, when configured) answers and the schema is up to date;
        503 otherwise."""
        try:
            await db.ping()
            pending = await db_migrations.pending_migrations()
        except Exception as exc:
            log.warning("readiness check failed: %s", exc)
            raise Unavailable("database_unavailable", N_("The database does not answer.")) from exc
        if pending:
            raise Unavailable(
                "schema_outdated",
                N_("The database schema is not up to date; pending migrations: {count}."),
                count=len(pending),
            )
        if settings.redis_url:
            try:
                await account_service.throttle.counters.ping()
            except Unavailable as exc:
                raise Unavailable("redis_unavailable", N_("Redis does not answer.")) from exc
        return Health(
            status="ok",
            version=__version__,
            database=db.current_engine().engine_type,
            redis="ok" if settings.redis_url else None,
        )
