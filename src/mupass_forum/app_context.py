"""The application's context: what ``create_app`` builds once per app and every service reads.

One frozen ``AppContext`` per app holds its settings, its catalogs and its hooks (what the
domains above plug into the ones below: listeners, sources of facts, wake-up calls). Nothing
of it is kept in module variables, so two apps in one process never see each other's base
URL, secret or listeners.

Services reach the context of the app they serve with ``current()``. It is bound once at each
edge, never looked up per call: the request wrapper binds its app's context for every request
(``RequestContext``), an app's lifespan binds it for the background work it starts (the relay,
the live hub), and code outside any app (CLI commands, scheduled jobs, tests) binds the context
it built with ``bound(context)``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, Generic, TypeVar

from mupass_forum.i18n.locale import Catalogs, catalogs_in_use
from mupass_forum.settings import Settings
from mupass_forum.signed_links import Signer

T = TypeVar("T")


class Hook(Generic[T]):
    """A point where a domain lets the domains above it plug in something of type ``T``.

    A domain names its hooks as module constants; ``create_app`` plugs each app's values into
    that app's ``Hooks``.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"


class Hooks:
    """One app's plugged values, by hook, in the order plugged (each value once)."""

    def __init__(self) -> None:
        # Tuples, replaced whole: whoever is iterating goes on with the ones it has.
        self._plugged: dict[Hook[Any], tuple[Any, ...]] = {}

    def plug(self, hook: Hook[T], value: T) -> Callable[[], None]:
        """Add ``value`` at ``hook``; returns the function that takes it out again."""
        if value not in self._plugged.get(hook, ()):
            self._plugged[hook] = (*self._plugged.get(hook, ()), value)

        def remove() -> None:
            self._plugged[hook] = tuple(v for v in self._plugged.get(hook, ()) if v != value)

        return remove

    def plugged(self, hook: Hook[T]) -> tuple[T, ...]:
        return self._plugged.get(hook, ())

    def last(self, hook: Hook[T], default: T) -> T:
        """The value plugged last at ``hook`` (it replaces those before), or ``default``."""
        values = self._plugged.get(hook, ())
        return values[-1] if values else default


@dataclass(frozen=True, eq=False)
class AppContext:
    """What an app is made of, beyond its routes: built once by ``create_app``."""

    settings: Settings
    catalogs: Catalogs
    hooks: Hooks = field(default_factory=Hooks)
    _signers: dict[str, Signer] = field(default_factory=dict, repr=False)

    @property
    def base_url(self) -> str:
        """Where the links the service mails point (``MUPASS_BASE_URL``)."""
        return self.settings.base_url

    def signer(self, purpose: str) -> Signer:
        """The signer of the links made for ``purpose``, with this app's key."""
        signer = self._signers.get(purpose)
        if signer is None:
            signer = self._signers[purpose] = Signer.for_purpose(self.settings, purpose)
        return signer

    @property
    def message_id_domain(self) -> str:
        """The domain of the Message-IDs of queued mail: ``MUPASS_MAIL_FROM``'s."""
        return parseaddr(self.settings.mail_from)[1].rpartition("@")[2] or "localhost"


_current: ContextVar[AppContext] = ContextVar("mupass_app_context")


def current() -> AppContext:
    """The context of the app this code runs for; an error where no edge bound one."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError(
            "no application context is bound: create_app binds one for its requests and "
            "lifespan; code outside an app runs inside `app_context.bound(context)`"
        ) from None


def bind_for_task(context: AppContext) -> None:
    """Bind ``context`` for good in the running ``contextvars.Context``: for a task given a
    context of its own (``Context().run(bind_for_task, current())``), which ends with it."""
    _current.set(context)
    catalogs_in_use.set(context.catalogs)


class bound:
    """Run the block for ``context``'s app (its settings, catalogs and hooks).

    A class rather than a generator: the request wrapper enters one for every request, and
    this costs about half of what ``contextlib.contextmanager`` does.
    """

    __slots__ = ("_catalogs_token", "_token", "context")

    def __init__(self, context: AppContext) -> None:
        self.context = context

    def __enter__(self) -> AppContext:
        self._token = _current.set(self.context)
        self._catalogs_token = catalogs_in_use.set(self.context.catalogs)
        return self.context

    def __exit__(self, *_: object) -> None:
        catalogs_in_use.reset(self._catalogs_token)
        _current.reset(self._token)
