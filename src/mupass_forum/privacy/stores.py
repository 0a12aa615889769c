"""Stores that hold personal data for a while and then go, each after its own period.

Forums' personal details follow their forums (``retention``); these follow the clock: ended
sign-in sessions (address and browser), used and expired mailed links (the address they went
to), sent and parked mails (their bodies), accounts whose address was never confirmed, and the
board's live events (copies of posts for reconnecting clients). The periods are settings
(``STORE_PERIODS``); ``mupass-forum retention run`` removes what is due, ``--dry-run`` counts it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable
from piccolo.table import Table

from mupass_forum import db
from mupass_forum.accounts.tables import OneTimeToken, Session, User
from mupass_forum.board.tables import Event
from mupass_forum.mail.personal_data import DONE
from mupass_forum.mail.tables import OutboxMail
from mupass_forum.settings import Settings


@dataclass(frozen=True, slots=True)
class StoreWork:
    """What retention removes, or removed, from one store."""

    #: The store, as the command line names it ("ended sessions").
    store: str
    period_days: int
    count: int


def _ended_sessions(cutoff: datetime) -> Combinable:
    return (Session.revoked_at < cutoff) | (Session.expires_at < cutoff)


def _used_links(cutoff: datetime) -> Combinable:
    return (OneTimeToken.used_at < cutoff) | (OneTimeToken.expires_at < cutoff)


def _done_mails(cutoff: datetime) -> Combinable:
    return OutboxMail.status.is_in(list(DONE)) & (OutboxMail.created_at < cutoff)


#: An account named where foreign keys restrict (board posts, the consent ledger) is not a
#: mere unconfirmed sign-up, and stays.
_KEEPS_ACCOUNT = WhereRaw(
    "NOT EXISTS (SELECT 1 FROM board_thread k WHERE k.author = account_user.id) "
    "AND NOT EXISTS (SELECT 1 FROM board_post k WHERE k.author = account_user.id) "
    'AND NOT EXISTS (SELECT 1 FROM consent_event k WHERE k."user" = account_user.id '
    "OR k.actor = account_user.id) "
    "AND NOT EXISTS (SELECT 1 FROM consent_notice k WHERE k.published_by = account_user.id)"
)


def _unconfirmed(cutoff: datetime) -> Combinable:
    return (
        User.email_verified_at.is_null()
        & User.erased_at.is_null()
        & (User.is_platform_admin == False)  # noqa: E712 (a column condition, not a bool)
        & (User.created_at < cutoff)
        & _KEEPS_ACCOUNT
    )


def _old_events(cutoff: datetime) -> Combinable:
    # The newest event stays: live clients resume from its id, which must never be reused.
    return (Event.created_at < cutoff) & WhereRaw("id < (SELECT max(id) FROM board_event)")


async def _remove_unconfirmed(cutoff: datetime) -> int:
    accounts = await User.select(User.id, User.email).where(_unconfirmed(cutoff))
    if not accounts:
        return 0
    ids = [row["id"] for row in accounts]
    await OutboxMail.delete().where(
        OutboxMail.user_id.is_in(ids) | OutboxMail.recipient.is_in([a["email"] for a in accounts])
    )
    # Their sessions and links go with them (foreign keys cascade).
    await User.delete().where(User.id.is_in(ids))
    return len(ids)


@dataclass(frozen=True, slots=True)
class _Store:
    name: str
    setting: str
    table: type[Table]
    condition: Callable[[datetime], Combinable]
    remove: Callable[[datetime], Awaitable[int]] | None = None


STORES = (
    _Store("ended sessions", "ended_session_days", Session, _ended_sessions),
    _Store("used or expired mailed links", "used_link_days", OneTimeToken, _used_links),
    _Store("sent mails", "sent_mail_days", OutboxMail, _done_mails),
    _Store(
        "unconfirmed accounts", "unverified_account_days", User, _unconfirmed, _remove_unconfirmed
    ),
    _Store("board live events", "board_event_days", Event, _old_events),
)


async def plan(settings: Settings, at: datetime) -> list[StoreWork]:
    """How many rows of each store are due; stores with none are left out."""
    work = []
    for store in STORES:
        days = int(getattr(settings, store.setting))
        count = await store.table.count().where(store.condition(at - timedelta(days=days)))
        if count:
            work.append(StoreWork(store.name, days, int(count)))
    return work


async def carry_out(work: StoreWork, at: datetime) -> StoreWork:
    """Remove one store's due rows in one transaction; returns how many went."""
    store = next(store for store in STORES if store.name == work.store)
    cutoff = at - timedelta(days=work.period_days)
    async with db.transaction():
        if store.remove is not None:
            count = await store.remove(cutoff)
        else:
            removed = (
                await store.table.delete()
                .where(store.condition(cutoff))
                .returning(store.table._meta.primary_key)
            )
            count = len(removed)
    await db.scrub()
    return StoreWork(work.store, work.period_days, count)
