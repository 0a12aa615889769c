"""``create_app(settings)``: the one place where the service is wired together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Tag

from mupass_forum import (
    __version__,
    access_log,
    api_contract,
    api_docs,
    db,
    pages,
)
from mupass_forum.accounts.authentication import (
    authentication_middleware,
    forget_stale_session,
    provide_after_principal,
    provide_principal,
)
from mupass_forum.accounts.controllers import (
    AuthController,
    MeController,
    OrganizationController,
    TranslatorRoleController,
)
from mupass_forum.accounts.pages import AccountPages
from mupass_forum.accounts.services import AccountService
from mupass_forum.admission import Admission
from mupass_forum.api_requests import JSONRequestGuard
from mupass_forum.app_context import AppContext, bound
from mupass_forum.board.controllers import (
    CategoryController,
    ModerationController,
    NotificationController,
    PostController,
    SearchController,
    ThreadController,
)
from mupass_forum.board.live import LiveHub, board_live, channels_backend
from mupass_forum.board.pages import page_handlers as board_pages
from mupass_forum.board.services import BoardService
from mupass_forum.compression import compression_config
from mupass_forum.consent import pages as consent_pages
from mupass_forum.consent.controllers import (
    ConsentLinkController,
    ForumConsentController,
    MyConsentHistoryController,
)
from mupass_forum.desk import door as door_pages
from mupass_forum.desk import forums as desk_forum_pages
from mupass_forum.desk import mailing as mailing_pages
from mupass_forum.desk import notifications as notification_pages
from mupass_forum.desk import pages as desk_pages
from mupass_forum.desk import photos as photo_pages
from mupass_forum.desk import programme as desk_programme_pages
from mupass_forum.desk import registrations as desk_registration_pages
from mupass_forum.documents import pages as document_pages
from mupass_forum.documents.controllers import (
    DocumentController,
    ForumDocumentController,
    MyVisaDetailsController,
)
from mupass_forum.errors import exception_handlers
from mupass_forum.forums import pages as forum_pages
from mupass_forum.forums.controllers import ForumController, SeriesController
from mupass_forum.health import HealthController
from mupass_forum.i18n.locale import load_catalogs
from mupass_forum.mail.relay import relay_lifespan
from mupass_forum.outreach.controllers import MessageController, OrganizerMailController
from mupass_forum.outreach.organizers import hear_registrations
from mupass_forum.participants import pages as participant_pages
from mupass_forum.participants.controllers import (
    MyProfileController,
    ParticipantController,
    RegionController,
    VocabularyController,
)
from mupass_forum.privacy import pages as privacy_pages
from mupass_forum.privacy.controllers import (
    AddressDataController,
    ErasureController,
    ForumRetentionController,
    MyDataController,
)
from mupass_forum.privacy.wiring import wire_privacy
from mupass_forum.proposals import pages as proposal_pages
from mupass_forum.proposals.controllers import ProposalController
from mupass_forum.registrations import change_page as registration_change_page
from mupass_forum.registrations import pages as registration_pages
from mupass_forum.registrations.controllers import (
    DoorController,
    InterestController,
    RegistrationController,
    WorkshopController,
)
from mupass_forum.registrations.wiring import wire_registrations
from mupass_forum.request_context import (
    AccessLogRedaction,
    RequestContext,
    RequestIdLogFilter,
)
from mupass_forum.security import (
    API_HEADERS,
    HTTPS_HEADERS,
    PAGE_HEADERS,
    SECURITY_HEADERS,
    cors_config,
)
from mupass_forum.settings import Settings
from mupass_forum.translations.controllers import (
    ForumTranslationController,
    TranslationController,
)
from mupass_forum.warm_up import warm_up

API_PREFIX = "/api/v1"


def configure_logging(settings: Settings) -> None:
    logger = logging.getLogger("mupass_forum")
    logger.setLevel(settings.log_level)
    if not any(getattr(h, "mupass", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.mupass = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdLogFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
        logger.addHandler(handler)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogRedaction) for f in access.filters):
        access.addFilter(AccessLogRedaction())


def build_context(settings: Settings) -> AppContext:
    """The context of an app for ``settings``: its catalogs, and the domains plugged into the
    hooks of the domains below them. ``create_app`` builds one per app; a command outside an
    app builds its own and binds it (``app_context.bound``)."""
    context = AppContext(settings, load_catalogs(settings))
    wire_registrations(context.hooks)
    hear_registrations(context.hooks)
    wire_privacy(context.hooks)
    return context


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> Litestar:
    """Build the service for ``settings`` (read from the environment when not given), or for
    a ``context`` built before (``build_context``)."""
    if context is None:
        context = build_context(settings or Settings.from_env())
    settings = context.settings
    configure_logging(settings)
    engine = db.engine_for(settings)

    @asynccontextmanager
    async def context_lifespan(_: Litestar) -> AsyncIterator[None]:
        # What the lifespan starts (the relay, the live hub) works for this app; the requests
        # get the context from ``RequestContext``.
        with bound(context):
            yield

    @asynccontextmanager
    async def database_lifespan(_: Litestar) -> AsyncIterator[None]:
        with db.bound_to(engine):
            try:
                await engine.start()
            except Exception as exc:
                # Serve anyway: /health/ready reports the outage and connecting is retried.
                logging.getLogger(__name__).error("the database is not reachable: %s", exc)
            try:
                yield
            finally:
                await engine.stop()

    @asynccontextmanager
    async def warm_up_lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.warm_up:
            try:
                await warm_up(app)
            except Exception:
                # Cold is slower, not wrong: serve anyway.
                logging.getLogger(__name__).exception("warming up failed")
        yield

    account_service = AccountService.from_settings(settings)

    @asynccontextmanager
    async def accounts_lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await account_service.close()

    api = Router(
        path=API_PREFIX,
        route_handlers=[
            AuthController,
            MeController,
            OrganizationController,
            TranslatorRoleController,
            RegionController,
            SeriesController,
            ForumController,
            VocabularyController,
            MyProfileController,
            ParticipantController,
            InterestController,
            RegistrationController,
            DoorController,
            MessageController,
            OrganizerMailController,
            ForumConsentController,
            ConsentLinkController,
            MyConsentHistoryController,
            WorkshopController,
            ProposalController,
            MyDataController,
            ErasureController,
            ForumRetentionController,
            AddressDataController,
            CategoryController,
            ThreadController,
            PostController,
            ModerationController,
            SearchController,
            NotificationController,
            TranslationController,
            ForumTranslationController,
            MyVisaDetailsController,
            ForumDocumentController,
            DocumentController,
            board_live,
        ],
        middleware=[JSONRequestGuard()],
    )
    board_service = BoardService(settings)
    board_backend = channels_backend(settings)
    board_channels = ChannelsPlugin(backend=board_backend.backend, channels=["board"])
    live_hub = LiveHub(board_channels, context.hooks)

    # Pages for people: outside /api/v1, not part of the API's description.
    site = Router(
        path="/",
        route_handlers=[
            pages.start_page,
            pages.static_file,
            AccountPages,
            *board_pages(),
            *forum_pages.PAGES,
            *registration_pages.PAGES,
            *registration_change_page.PAGES,
            *consent_pages.PAGES,
            *proposal_pages.PAGES,
            *participant_pages.PAGES,
            *privacy_pages.PAGES,
            *desk_pages.PAGES,
            *desk_forum_pages.PAGES,
            *desk_programme_pages.PAGES,
            *door_pages.PAGES,
            *photo_pages.PAGES,
            *mailing_pages.PAGES,
            *desk_registration_pages.PAGES,
            *notification_pages.PAGES,
            *document_pages.PAGES,
        ],
        include_in_schema=False,
    )

    app = Litestar(
        route_handlers=[HealthController, api, site, *api_docs.routers(settings)],
        exception_handlers=exception_handlers(page=pages.error_page),
        lifespan=[
            context_lifespan,
            database_lifespan,
            warm_up_lifespan,
            accounts_lifespan,
            relay_lifespan(settings),
            board_backend.lifespan,
        ],
        state=State({"settings": settings, "context": context}),
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "settings": provide_after_principal(settings),
            "account_service": provide_after_principal(account_service),
            "board_service": provide_after_principal(board_service),
            "live_hub": provide_after_principal(live_hub),
        },
        middleware=[authentication_middleware(account_service)],
        before_send=[forget_stale_session(settings)],
        cors_config=cors_config(settings),
        compression_config=compression_config(),
        csrf_config=pages.csrf_config(settings),
        template_config=pages.template_config(),
        # The hub after the channels: it starts once they run and stops before they do.
        plugins=[board_channels, live_hub],
        openapi_config=OpenAPIConfig(
            title="mupass-forum",
            version=__version__,
            description=(
                "Multilingual, cross-border dialogue forums on sustainable public procurement. "
                "Send `Accept-Language` or `?lang=` (de, en, fr, es) to choose the language of "
                "texts and errors; errors are RFC 9457 problems with a stable `code`."
            ),
            path="/schema",
            render_plugins=api_docs.render_plugins(),
            use_handler_docstrings=True,
            tags=[
                Tag(name="health", description="Liveness and readiness"),
                Tag(name="accounts", description="Signing up and in, your account, roles"),
                Tag(name="organizations", description="Partner institutes and their members"),
                Tag(name="forums", description="Forums, their series, roles and programme"),
                Tag(name="participants", description="Profiles, the directory, topics"),
                Tag(
                    name="registrations",
                    description="Interest, registration, the waiting list, statistics",
                ),
                Tag(name="consent", description="Photo and video consent, photo lists"),
                Tag(name="proposals", description="Best-practice proposals and their review"),
                Tag(
                    name="outreach",
                    description="Organizers' mail to participants, and mail to organizers",
                ),
                Tag(name="privacy", description="Your data: export, erasure, retention"),
                Tag(name="board", description="The dialogue board between forums"),
                Tag(
                    name="documents",
                    description="Visa invitation letters, badges, certificates of attendance",
                ),
                Tag(
                    name="translations",
                    description="Catalog and content translation, the translators' queue",
                ),
            ],
        )
        if settings.openapi
        else None,
        logging_config=None,
        debug=False,
    )
    api_contract.fix_options_answers(app)
    # Around the routing, so that unknown routes and 405s get the request's locale and id as well.
    app.asgi_handler = RequestContext(
        app.asgi_handler,
        context,
        extra_headers=SECURITY_HEADERS,
        https_headers=HTTPS_HEADERS,
        page_headers=PAGE_HEADERS,
        api_headers=API_HEADERS,
        access_log=access_log.access_logger() if settings.access_log else None,
    )
    # Around it all, a request first waits for its turn (health checks and WebSockets do not).
    app.asgi_handler = Admission(app.asgi_handler, limit=settings.requests_at_once)
    return app
