"""Decisions on registrations: approve, decline, cancel, check in; a cancelled or larger forum."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.errors import Conflict
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import editable_forum
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.services import ForumChange
from mupass_forum.i18n import N_, format_date, gettext
from mupass_forum.privacy.shredding import refuse_if_shredded
from mupass_forum.registrations import mails, schemas
from mupass_forum.registrations.desk import (
    fill_free_seats,
    free_seat,
    lock_desk,
    move,
    seat_or_ticket,
)
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.registrations.interest import invite, tell_interest_of_cancellation
from mupass_forum.registrations.queries import ROW_COLUMNS, RegistrationRow, registration_view
from mupass_forum.registrations.registering import own_registration
from mupass_forum.registrations.status import ACTIVE, Status, status_name
from mupass_forum.registrations.tables import Interest, Registration
from mupass_forum.rows import forum_row, row_as, rows_as

#: From which statuses each action may be taken.
_ALLOWED_FROM: Mapping[schemas.DecisionAction, frozenset[Status]] = {
    schemas.DecisionAction.APPROVE: frozenset({Status.PENDING_APPROVAL}),
    schemas.DecisionAction.DECLINE: frozenset(
        {Status.PENDING_APPROVAL, Status.WAITLISTED, Status.CONFIRMED}
    ),
    schemas.DecisionAction.CANCEL: frozenset(
        {Status.PENDING_APPROVAL, Status.WAITLISTED, Status.CONFIRMED}
    ),
    schemas.DecisionAction.CHECK_IN: frozenset({Status.CONFIRMED}),
}


def allows(action: schemas.DecisionAction, current: Status) -> bool:
    """Whether a registration that is ``current`` can be approved, declined, …"""
    return current in _ALLOWED_FROM[action]


ACTION_LABELS: Mapping[schemas.DecisionAction, str] = {
    # i18n: Ends "A registration that is … cannot be …".
    schemas.DecisionAction.APPROVE: N_("approved"),
    schemas.DecisionAction.DECLINE: N_("declined"),
    schemas.DecisionAction.CANCEL: N_("cancelled"),
    schemas.DecisionAction.CHECK_IN: N_("checked in"),
}


def check_in_days(forum: ForumRef) -> tuple[date, date]:
    """The first and last day of check-in in the forum's time zone: from the day before it
    begins (people arrive the evening before) to its last day."""
    zone = ZoneInfo(forum.timezone)
    first = forum.starts_at.astimezone(zone).date() - timedelta(days=1)
    return first, forum.ends_at.astimezone(zone).date()


def check_in_open(forum: ForumRef) -> None:
    """Raise ``Conflict`` unless today, in the forum's time zone, is a day of check-in."""
    first, last = check_in_days(forum)
    if not first <= now().astimezone(ZoneInfo(forum.timezone)).date() <= last:
        raise Conflict(
            "check_in_closed",
            N_("Check-in is open from {first} to {last} only."),
            first=LazyProxy(format_date, first, enable_cache=False),
            last=LazyProxy(format_date, last, enable_cache=False),
        )


async def _act(
    forum: ForumRef,
    registration_id: int,
    action: schemas.DecisionAction,
    actor: int | None,
    reason: str,
) -> None:
    """Carry out ``action`` on a registration, filling a seat it frees; one transaction."""
    await refuse_if_shredded(forum.id)
    async with db.transaction():
        desk = await lock_desk(forum.id)
        row = row_as(
            await forum_row(
                Registration, ROW_COLUMNS, forum.id, registration_id, "registration_not_found"
            ),
            RegistrationRow,
        )
        current = row.status
        if current not in _ALLOWED_FROM[action]:
            raise Conflict(
                "action_not_allowed",
                N_("A registration with the status “{current}” cannot be {action}."),
                current=status_name(current),
                action=LazyProxy(gettext, ACTION_LABELS[action], enable_cache=False),
            )
        facts = await forum_facts(forum.id)
        if action == schemas.DecisionAction.APPROVE:
            status, ticket, badge = await seat_or_ticket(forum.id)
            await move(
                row, status, facts, actor=actor, reason=reason, ticket=ticket, badge_number=badge
            )
            return
        if action == schemas.DecisionAction.CHECK_IN:
            check_in_open(forum)
            await move(row, Status.ATTENDED, facts, actor=actor, reason=reason)
            return
        target = Status.DECLINED if action == schemas.DecisionAction.DECLINE else Status.CANCELLED
        await move(row, target, facts, actor=actor, reason=reason)
        if current == Status.CONFIRMED:
            await free_seat(forum.id)
            await fill_free_seats(desk, facts)


async def decide(
    principal: Principal, slug: str, registration_id: int, decision: schemas.Decision
) -> schemas.Registration:
    """Approve, decline, cancel or check in a registration (the forum's organizers)."""
    forum = await editable_forum(principal, slug)
    await _act(forum, registration_id, decision.action, principal.user_id, decision.reason.strip())
    return await registration_view(forum, registration_id)


async def cancel_registration(forum: ForumRef, registration_id: int, actor: int | None) -> None:
    """Cancel a registration on behalf of its person (erasure): a held seat goes on as usual."""
    await _act(forum, registration_id, schemas.DecisionAction.CANCEL, actor, "")


async def cancel_my_registration(
    principal: Principal, slug: str, data: schemas.Cancellation
) -> schemas.Registration:
    """Cancel the caller's registration; a seat it held goes to the next person waiting."""
    caller, forum, row = await own_registration(principal, slug)
    await _act(forum, row.id, schemas.DecisionAction.CANCEL, caller.user_id, data.reason.strip())
    return await registration_view(forum, row.id)


# Reacting to forums ----------------------------------------------------------------------------


async def on_forum_change(change: ForumChange) -> None:
    """Invite the interested when registration opens; fill seats a larger capacity adds;
    cancel registrations and tell everyone when the forum is cancelled."""
    forum_id = change.before.id
    if change.changes.get("status") == ForumStatus.REGISTRATION_OPEN:
        await invite(forum_id, Interest.forum == forum_id)
    if change.changes.get("status") == ForumStatus.CANCELLED:
        await _cancel_with_forum(forum_id, change.actor)
    if "capacity" in change.changes:
        before, after = change.before.capacity, change.changes["capacity"]
        if before is not None and (after is None or after > before):
            await fill_free_seats(await lock_desk(forum_id))


async def _cancel_with_forum(forum_id: int, actor: int | None) -> None:
    """Cancel every registration that holds or waits for a seat, and tell the interested.

    Runs in the transaction that cancels the forum. Each registration is moved by a conditional
    update from the status read under the desk's lock, with its history entry, its workshop
    places given back and one mail; seats freed stay free, since everyone waiting is cancelled
    too. Run again (a retried change), it finds nothing left to cancel or to tell.
    """
    await lock_desk(forum_id)
    rows = (
        await Registration.select(*ROW_COLUMNS)
        .where(
            Registration.forum == forum_id,
            Registration.status.is_in([status.value for status in ACTIVE]),
        )
        .order_by(Registration.id)
    )
    facts = await forum_facts(forum_id)
    for row in rows_as(rows, RegistrationRow):
        await move(row, Status.CANCELLED, facts, actor=actor, template=mails.FORUM_CANCELLED)
        if row.status == Status.CONFIRMED:
            await free_seat(forum_id)
    await tell_interest_of_cancellation(forum_id, facts)
