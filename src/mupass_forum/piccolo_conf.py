"""Piccolo's configuration: the app registry, and the engine Piccolo's own tools use.

The service binds its engine with ``mupass_forum.db.use_engine``; ``DB`` is built from the
environment only when Piccolo's command line asks for it (``piccolo migrations new APP --auto``
with ``PICCOLO_CONF=mupass_forum.piccolo_conf``).
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

#: One Piccolo app per domain package; each keeps its migrations in ``migrations/<app>/``.
APP_REGISTRY = AppRegistry(
    apps=[
        "mupass_forum.mail.piccolo_app",
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
        "mupass_forum.participants.piccolo_app",
        "mupass_forum.registrations.piccolo_app",
        "mupass_forum.consent.piccolo_app",
        "mupass_forum.proposals.piccolo_app",
        "mupass_forum.privacy.piccolo_app",
        "mupass_forum.board.piccolo_app",
        "mupass_forum.translations.piccolo_app",
        "mupass_forum.outreach.piccolo_app",
        "mupass_forum.documents.piccolo_app",
    ]
)


def __getattr__(name: str) -> Any:
    if name == "DB":
        from mupass_forum.db import engine_for
        from mupass_forum.settings import Settings

        engine = engine_for(Settings.from_env())
        globals()["DB"] = engine
        return engine
    raise AttributeError(name)
