"""The Piccolo apps of the service: one per domain package, each with its tables and its
migrations in ``migrations/<app>/``. ``db`` binds their tables; ``piccolo_conf`` names them to
Piccolo's own tools."""

from __future__ import annotations

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
