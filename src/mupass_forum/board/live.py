"""``/api/v1/board/live``: new posts, edits, reactions and translations as they happen.

Every change writes an event row in its own transaction (``events.py``); ids commit in order.
After the commit, a wake-up goes out on the ``board`` channel of Litestar's channels (in
memory, or through Redis or PostgreSQL so that every server process hears it). In each process
one *pump* reads the new rows once (``id > last read``) and hands them to that process's
sockets. A socket replays what its client missed from the table first, then goes on live; it
never sends an id twice or out of order, so a client that reconnects with the last id it saw
gets everything in between, exactly once.

Protocol (JSON text frames):

- client, first (optional): ``{"type": "auth", "token": "<bearer token>"}``: browsers cannot
  send headers with a WebSocket; other clients may send ``Authorization`` instead. The
  service's own pages need neither: their session cookie signs the socket in (the origin
  checked as below).
- client: ``{"type": "subscribe", "threads": [1, 2], "categories": [3], "last_event_id": 41}``
  (once per connection; ``last_event_id`` omitted = from now on).
- server: ``{"type": "event", "id": 42, "kind": "post_created", "category_id": 3,
  "thread_id": 1, "post_id": 7, "data": {...}, "created_at": "..."}``, after the replay
  ``{"type": "ready", "last_event_id": 42}``, and ``{"type": "error", "code": ..., "detail":
  ...}`` before closing on a refused request.

A socket outlives the request that opened it: every ``RECHECK_SECONDS`` (and before an event
when the last look is older) it asks again whether its session holds and what its holder may
read. After a sign-out it closes with 4401 ``session_ended``; events of categories the holder
can no longer read (a seat cancelled) stop, and once none of its subscriptions is readable it
closes with 4404. A close's reason is a stable code (``origin_not_allowed``,
``session_ended``, ``too_far_behind``, ...), never prose: the words for people come in the
reader's language in the ``error`` message before it.

Browsers are held to the allowed origins (``MUPASS_CORS_ORIGINS``, the service's own
``MUPASS_BASE_URL`` and the address the socket was opened on); a connection from another
page's origin is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Litestar, WebSocket, websocket
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.config.app import AppConfig
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.plugins import InitPluginProtocol

from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.accounts.authorization import principal_of
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.app_context import Hooks
from mupass_forum.board import events
from mupass_forum.board.services import BoardService
from mupass_forum.board.sql import query
from mupass_forum.clock import as_utc
from mupass_forum.db import placeholders
from mupass_forum.i18n import N_, gettext
from mupass_forum.settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "board"
BATCH = 500
# i18n: Sent on the live board to a client that read too slowly, before it is disconnected.
BEHIND = N_("Too many new posts came in at once. Reload the page to see them all.")

#: A socket whose client reads slower than this many events behind is closed; the client
#: reconnects with its last id and loses nothing.
MAX_BACKLOG = 2000
MAX_SUBSCRIPTIONS = 200
#: Seconds a new connection has to say what it wants.
HELLO_TIMEOUT = 30.0
#: The pump also looks on its own this often, in case a wake-up was lost on the way.
POLL_SECONDS = 5.0
#: A socket outlives the request that opened it: this often, and before it delivers an event
#: when the last look is older, it asks again whether the session still holds and which
#: categories its holder may read (signed out, seat cancelled, role taken away).
RECHECK_SECONDS = 5.0


@dataclass
class BoardChannelsBackend:
    """The channels backend named by ``MUPASS_BOARD_CHANNELS`` and what it must release."""

    backend: ChannelsBackend
    close: Callable[[], Awaitable[None]] | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Litestar) -> AsyncIterator[None]:
        """An app lifespan, so it ends after the channels plugin has stopped using it."""
        try:
            yield
        finally:
            if self.close is not None:
                await self.close()


def channels_backend(settings: Settings) -> BoardChannelsBackend:
    """The channels backend named by ``MUPASS_BOARD_CHANNELS``."""
    if settings.board_channels == "redis":
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        return BoardChannelsBackend(
            RedisChannelsPubSubBackend(
                redis=redis, key_prefix=f"{settings.redis_key_prefix}channels"
            ),
            redis.aclose,
        )
    if settings.board_channels == "postgres":
        from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

        return BoardChannelsBackend(AsyncPgChannelsBackend(dsn=settings.resolved_database_url))
    from litestar.channels.backends.memory import MemoryChannelsBackend

    return BoardChannelsBackend(MemoryChannelsBackend())


class Event(msgspec.Struct):
    id: int
    kind: str
    category_id: int
    thread_id: int
    post_id: int | None
    data: msgspec.Raw
    created_at: str
    type: str = "event"


async def _events_after(last_id: int, where: str = "", args: tuple[Any, ...] = ()) -> list[Event]:
    rows = await query(
        "SELECT id, kind, category_id, thread_id, post_id, payload, created_at FROM board_event "
        f"WHERE id > {{}}{where} ORDER BY id LIMIT {BATCH}",
        last_id,
        *args,
    )
    return [
        Event(
            id=int(row["id"]),
            kind=str(row["kind"]),
            category_id=int(row["category_id"]),
            thread_id=int(row["thread_id"]),
            post_id=row["post_id"],
            data=msgspec.Raw(str(row["payload"]).encode()),
            created_at=as_utc(row["created_at"]).isoformat(),
        )
        for row in rows
    ]


async def newest_event_id() -> int:
    rows = await query("SELECT coalesce(max(id), 0) AS newest FROM board_event")
    return int(rows[0]["newest"])


class LiveHub(InitPluginProtocol):
    """This process's pump: reads new events once and hands them to every local socket."""

    def __init__(self, channels: ChannelsPlugin, hooks: Hooks) -> None:
        self.channels = channels
        #: The app's hooks, where the hub hears of events written.
        self.hooks = hooks
        self.queues: set[asyncio.Queue[Event | None]] = set()
        self._due = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_id = 0

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.lifespan.append(self.lifespan)
        return app_config

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Litestar) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._due = asyncio.Event()
        stop_hearing = self.hooks.plug(events.EVENTS_WRITTEN, self.wake)
        try:
            yield
        finally:
            stop_hearing()
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None

    def wake(self) -> None:
        """After a commit in this process: tell every process (this one included)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._publish()
        else:
            loop.call_soon_threadsafe(self._publish)

    def _publish(self) -> None:
        try:
            self.channels.publish(b"wake", CHANNEL)
        except RuntimeError:
            # The channels are not running (the app is starting or stopping): sockets of
            # this process catch up on their next poll.
            self._due.set()

    async def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._last_id = await newest_event_id()
            self._task = asyncio.create_task(self._run(), name="board-live-pump")

    async def _run(self) -> None:
        async with self.channels.start_subscription([CHANNEL]) as subscriber:
            listener = asyncio.create_task(self._listen(subscriber))
            try:
                while True:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._due.wait(), POLL_SECONDS)
                    self._due.clear()
                    try:
                        await self._pump()
                    except Exception:
                        log.exception("reading board events failed; trying again")
            finally:
                listener.cancel()

    async def _listen(self, subscriber: Any) -> None:
        async for _ in subscriber.iter_events():
            self._due.set()

    async def _pump(self) -> None:
        while True:
            batch = await _events_after(self._last_id)
            for event in batch:
                for queue in list(self.queues):
                    queue.put_nowait(event)
                self._last_id = event.id
            if len(batch) < BATCH:
                return

    def register(self) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.queues.add(queue)
        return queue

    def unregister(self, queue: asyncio.Queue[Event | None]) -> None:
        self.queues.discard(queue)


class Refused(Exception):
    def __init__(self, close_code: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.close_code, self.code, self.detail = close_code, code, detail


class Subscribe(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    threads: list[int] = msgspec.field(default_factory=list)
    categories: list[int] = msgspec.field(default_factory=list)
    last_event_id: int | None = None


class Auth(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    token: str


def allowed_origins(settings: Settings) -> set[str]:
    base = urlsplit(settings.base_url)
    return {*settings.cors_origins, f"{base.scheme}://{base.netloc}"}


def own_origin(socket: WebSocket[Any, Any, Any]) -> str:
    """The origin of the address the socket was opened on: a page of this service reached by
    another name than ``MUPASS_BASE_URL`` (``localhost`` for ``127.0.0.1``) is the same site."""
    scheme = "https" if socket.url.scheme in ("wss", "https") else "http"
    return f"{scheme}://{socket.headers.get('host', '')}"


@websocket("/board/live", name="board_live")
async def board_live(
    socket: WebSocket[Any, Any, Any],
    settings: NamedDependency[Settings],
    account_service: NamedDependency[AccountService],
    board_service: NamedDependency[BoardService],
    live_hub: NamedDependency[LiveHub],
) -> None:
    """Live board events for the subscribed threads and categories, resumable by event id."""
    origin = socket.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in {
        *allowed_origins(settings),
        own_origin(socket),
    }:
        await socket.close(code=4403, reason="origin_not_allowed")
        return
    await socket.accept()
    try:
        principal = principal_of(socket)
        if origin is not None and not principal.is_authenticated:
            principal = await _page_session(socket, account_service) or principal
        principal, subscribe = await _hello(socket, principal, account_service)
        readable = set(await board_service.readable_category_ids(principal))
        threads, categories = await _check(subscribe, readable, principal)
        access = _Access(principal, readable, account_service, board_service)
        await _stream(socket, live_hub, subscribe.last_event_id, threads, categories, access)
    except Refused as refused:
        await socket.send_json(
            {"type": "error", "code": refused.code, "detail": gettext(refused.detail)}
        )
        await socket.close(code=refused.close_code, reason=refused.code)
    except WebSocketDisconnect:
        return


async def _page_session(
    socket: WebSocket[Any, Any, Any], accounts: AccountService
) -> Principal | None:
    """Who a page of this service is signed in as: its session cookie, which the browser sends
    with the socket. Only pages of the allowed origins get here, so another site's page cannot
    listen in on the visitor's behalf."""
    token = socket.cookies.get(SESSION_COOKIE)
    return await accounts.principal_for_token(token) if token else None


async def _hello(
    socket: WebSocket[Any, Any, Any], principal: Principal, accounts: AccountService
) -> tuple[Principal, Subscribe]:
    message = await _receive(socket)
    if message.get("type") == "auth":
        try:
            auth = msgspec.convert(message, Auth)
        except msgspec.ValidationError as exc:
            raise Refused(4400, "bad_message", N_("This message is not understood.")) from exc
        found = await accounts.principal_for_token(auth.token)
        if found is None:
            raise Refused(
                4401,
                "invalid_token",
                N_("Your sign-in is not valid or has expired. Please sign in again."),
            )
        principal = found
        message = await _receive(socket)
    if message.get("type") != "subscribe":
        raise Refused(4400, "bad_message", N_("This message is not understood."))
    try:
        subscribe = msgspec.convert(message, Subscribe)
    except msgspec.ValidationError as exc:
        raise Refused(4400, "bad_message", N_("This message is not understood.")) from exc
    if not subscribe.threads and not subscribe.categories:
        raise Refused(4400, "nothing_subscribed", N_("Subscribe to a thread or a category."))
    if len(subscribe.threads) + len(subscribe.categories) > MAX_SUBSCRIPTIONS:
        raise Refused(4400, "too_many_subscriptions", N_("This subscribes to too much at once."))
    return principal, subscribe


async def _receive(socket: WebSocket[Any, Any, Any]) -> dict[str, Any]:
    try:
        raw = await asyncio.wait_for(socket.receive_text(), HELLO_TIMEOUT)
    except TimeoutError as exc:
        raise Refused(4408, "timeout", N_("Nothing was asked for in time.")) from exc
    try:
        message = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise Refused(4400, "bad_message", N_("This message is not understood.")) from exc
    if not isinstance(message, dict):
        raise Refused(4400, "bad_message", N_("This message is not understood."))
    return message


async def _check(
    subscribe: Subscribe, readable: set[int], principal: Principal
) -> tuple[set[int], set[int]]:
    """Every subscription must be readable by the caller; unknown and unreadable look alike."""
    refused = Refused(
        4401 if not principal.is_authenticated else 4404,
        "not_found",
        N_("This does not exist or is not visible to you."),
    )
    categories = set(subscribe.categories)
    if not categories <= readable:
        raise refused
    threads = set(subscribe.threads)
    if threads:
        ids = sorted(threads)
        rows = await query(
            f"SELECT id, category FROM board_thread WHERE id IN ({placeholders(ids)})", *ids
        )
        if len(rows) != len(threads) or any(int(r["category"]) not in readable for r in rows):
            raise refused
    return threads, categories


class _Access:
    """What the socket's holder may read, asked again while the socket stays open."""

    def __init__(
        self,
        principal: Principal,
        readable: set[int],
        accounts: AccountService,
        board: BoardService,
    ) -> None:
        self.principal = principal
        self.readable = readable
        self._accounts = accounts
        self._board = board
        self._checked_at = asyncio.get_running_loop().time()

    @property
    def stale(self) -> bool:
        return asyncio.get_running_loop().time() - self._checked_at >= RECHECK_SECONDS

    async def recheck(self) -> None:
        """Refresh ``readable``; ``Refused`` once the session has ended."""
        session_id = self.principal.session_id
        if session_id is not None:
            principal = await self._accounts.principal_for_session(session_id)
            if principal is None:
                raise Refused(
                    4401,
                    "session_ended",
                    N_("Your sign-in has ended. Please sign in again."),
                )
            self.principal = principal
        self.readable = set(await self._board.readable_category_ids(self.principal))
        self._checked_at = asyncio.get_running_loop().time()


async def _stream(
    socket: WebSocket[Any, Any, Any],
    hub: LiveHub,
    last_event_id: int | None,
    threads: set[int],
    categories: set[int],
    access: _Access,
) -> None:
    await hub.ensure_running()
    queue = hub.register()
    try:
        last = await newest_event_id() if last_event_id is None else last_event_id
        thread_categories = await _categories_of(threads)

        def wanted(event: Event) -> bool:
            return event.category_id in access.readable and (
                event.thread_id in threads or event.category_id in categories
            )

        async def recheck() -> None:
            await access.recheck()
            subscribed = categories | thread_categories
            if not subscribed & access.readable:
                raise Refused(
                    4404, "not_found", N_("This does not exist or is not visible to you.")
                )

        scope, args = _scope_sql(threads, categories, access.readable)
        while True:
            batch = await _events_after(last, scope, args)
            for event in batch:
                await socket.send_text(msgspec.json.encode(event).decode())
                last = event.id
            if len(batch) < BATCH:
                break
        await socket.send_json({"type": "ready", "last_event_id": last})
        reader = asyncio.create_task(_drain_client(socket))
        try:
            while not reader.done():
                getter = asyncio.create_task(queue.get())
                await asyncio.wait(
                    {getter, reader}, timeout=RECHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if reader.done():
                    getter.cancel()
                    break
                if not getter.done():
                    getter.cancel()
                    await recheck()
                    continue
                if access.stale:
                    await recheck()
                pending = getter.result()
                if pending is None or queue.qsize() > MAX_BACKLOG:
                    await socket.send_json(
                        {"type": "error", "code": "too_far_behind", "detail": gettext(BEHIND)}
                    )
                    await socket.close(code=4408, reason="too_far_behind")
                    return
                if pending.id <= last:
                    continue
                last = pending.id
                if wanted(pending):
                    await socket.send_text(msgspec.json.encode(pending).decode())
        finally:
            reader.cancel()
    finally:
        hub.unregister(queue)


async def _categories_of(threads: set[int]) -> set[int]:
    if not threads:
        return set()
    ids = sorted(threads)
    rows = await query(f"SELECT category FROM board_thread WHERE id IN ({placeholders(ids)})", *ids)
    return {int(row["category"]) for row in rows}


def _scope_sql(
    threads: set[int], categories: set[int], readable: set[int]
) -> tuple[str, tuple[Any, ...]]:
    parts: list[str] = []
    args: list[Any] = []
    if threads:
        parts.append(f"thread_id IN ({placeholders(sorted(threads))})")
        args += sorted(threads)
    if categories:
        parts.append(f"category_id IN ({placeholders(sorted(categories))})")
        args += sorted(categories)
    allowed = sorted(readable) or [0]
    args += allowed
    return (
        f" AND ({' OR '.join(parts)}) AND category_id IN ({placeholders(allowed)})",
        tuple(args),
    )


async def _drain_client(socket: WebSocket[Any, Any, Any]) -> None:
    """Read (and ignore) what the client sends after subscribing, until it goes away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await socket.receive_data(mode="text")
