"""Interest, registrations and the waiting list: every rule and every query.

How seats stay exact, on SQLite and PostgreSQL and across server processes: every transaction
that changes who holds a seat of a forum first locks the forum's ``RegistrationDesk`` row
(``lock_desk``: an ``UPDATE`` of it, which PostgreSQL holds until the commit and which SQLite's
``BEGIN IMMEDIATE`` already serializes). Under that lock a seat is taken by a conditional
increment (``seats_taken < capacity``) and freed by a decrement, and every freed seat is filled
from the waiting list in the same transaction (``fill_free_seats``). A free seat and a
non-empty waiting list therefore never outlast a transaction. Locks are always taken in the
same order (a forum row, then the desk, then registrations), so transactions do not deadlock.

Every status change goes through ``move``: a conditional update from the status read under the
lock (so nothing is promoted twice), a history entry, and the participant's mail in their own
language, all in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.services import RECIPIENT_COLUMNS
from mupass_forum.app_context import Hook, Hooks, current
from mupass_forum.clock import now
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.errors import Conflict
from mupass_forum.forums.queries import stored_json
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate, Recipient
from mupass_forum.mail.services import PreparedMail, prepare_mail, queue_prepared
from mupass_forum.registrations import mails
from mupass_forum.registrations.forum_facts import ForumFacts, forum_facts, reason_text
from mupass_forum.registrations.queries import (
    ROW_COLUMNS,
    RegistrationRow,
    Waiting,
    seated_by_area,
    waiting_line,
)
from mupass_forum.registrations.questions import NO_QUESTIONS, FormQuestions
from mupass_forum.registrations.status import Status
from mupass_forum.registrations.tables import (
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
)
from mupass_forum.rows import row_as, rows_as

# The seat desk -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Desk:
    forum_id: int
    requires_approval: bool
    regional_balance: bool
    #: M49 area -> percent.
    target_shares: Mapping[str, float]
    seats_taken: int
    #: What the registration form asks.
    questions: FormQuestions = NO_QUESTIONS


_DESK_COLUMNS = (
    RegistrationDesk.forum,
    RegistrationDesk.requires_approval,
    RegistrationDesk.regional_balance,
    RegistrationDesk.target_shares,
    RegistrationDesk.seats_taken,
    RegistrationDesk.questions_off,
    RegistrationDesk.questions,
)


def _desk(row: Mapping[str, Any]) -> Desk:
    return Desk(
        forum_id=row["forum"],
        requires_approval=bool(row["requires_approval"]),
        regional_balance=bool(row["regional_balance"]),
        target_shares={
            str(code): float(share) for code, share in stored_json(row["target_shares"]).items()
        },
        seats_taken=int(row["seats_taken"]),
        questions=FormQuestions.stored(row["questions_off"], row["questions"]),
    )


async def lock_desk(forum_id: int) -> Desk:
    """The forum's desk, locked until the transaction ends; made on first use."""
    db.require_transaction()
    lock = RegistrationDesk.update({RegistrationDesk.updated_at: now()}).where(
        RegistrationDesk.forum == forum_id
    )
    rows = await lock.returning(*_DESK_COLUMNS)
    if not rows:
        await _make_desk(forum_id)
        rows = await lock.returning(*_DESK_COLUMNS)
    return _desk(rows[0])


async def _make_desk(forum_id: int) -> None:
    """The forum's desk with its defaults, unless another transaction made it first."""
    await RegistrationDesk.insert(RegistrationDesk(forum=forum_id)).on_conflict(
        target=RegistrationDesk.forum, action="DO NOTHING"
    )


@dataclass(slots=True)
class SeatCounters:
    """The desk's counters as a batch of registrations finds them under the lock, kept up to
    date in memory while it decides and written back once (``write_counters``)."""

    desk: Desk
    capacity: int | None
    last_ticket: int
    last_badge: int
    #: Registrations on the waiting list.
    waiting: int
    #: Seats taken by this batch so far.
    seats_added: int = 0
    #: Whether a seat, a badge number or a ticket was given.
    changed: bool = False

    def take_seat(self) -> bool:
        taken = self.desk.seats_taken + self.seats_added
        if self.capacity is not None and taken >= self.capacity:
            return False
        self.seats_added += 1
        self.changed = True
        return True

    def next_badge(self) -> int:
        self.last_badge += 1
        self.changed = True
        return self.last_badge

    def next_ticket(self) -> int:
        """A ticket at the end of the waiting list; the place it is in there is ``waiting``."""
        self.last_ticket += 1
        self.waiting += 1
        self.changed = True
        return self.last_ticket


_LOCK_COUNTING = (
    "UPDATE registration_desk SET updated_at = {} WHERE forum = {} RETURNING forum, "
    "requires_approval, regional_balance, target_shares, seats_taken, questions_off, questions, "
    "last_ticket, last_badge, "
    "(SELECT capacity FROM forum WHERE forum.id = registration_desk.forum) AS capacity, "
    "(SELECT COUNT(*) FROM registration WHERE registration.forum = registration_desk.forum "
    "AND registration.status = {}) AS waiting"
)


async def lock_counting(forum_id: int) -> SeatCounters:
    """``lock_desk`` with the counters, the forum's capacity and the length of its waiting list
    read in the same statement: a batch of registrations starts with one round trip."""
    db.require_transaction()
    rows = await db.run(_LOCK_COUNTING, now(), forum_id, Status.WAITLISTED.value)
    if not rows:  # made on first use: the first batch of a crowd, so in as few statements
        await _make_desk(forum_id)
        rows = await db.run(_LOCK_COUNTING, now(), forum_id, Status.WAITLISTED.value)
    row = rows[0]
    return SeatCounters(
        desk=_desk(row),
        capacity=row["capacity"],
        last_ticket=int(row["last_ticket"]),
        last_badge=int(row["last_badge"]),
        waiting=int(row["waiting"]),
    )


async def write_counters(counters: SeatCounters) -> None:
    """Write back the seats, badge numbers and tickets a batch has given (under the lock).

    The seats are added on the condition that the capacity holds, as ``_take_seat`` does."""
    desk = counters.desk
    if not counters.changed:
        return
    query = RegistrationDesk.update(
        {
            RegistrationDesk.seats_taken: RegistrationDesk.seats_taken + counters.seats_added,
            RegistrationDesk.last_badge: counters.last_badge,
            RegistrationDesk.last_ticket: counters.last_ticket,
        }
    ).where(
        RegistrationDesk.forum == desk.forum_id,
        RegistrationDesk.seats_taken == desk.seats_taken,
    )
    if counters.capacity is not None:
        query = query.where(
            RegistrationDesk.seats_taken <= counters.capacity - counters.seats_added
        )
    if not await query.returning(RegistrationDesk.id):
        raise RuntimeError(f"the desk of forum {desk.forum_id} changed while it was locked")


async def desk_of(forum_id: int) -> Desk:
    """The forum's desk as committed (not locked): its rules and seats taken."""
    rows = await db.read_indexed(_DESK_OF, forum_id)
    if not rows:
        return Desk(forum_id, False, False, {}, 0)
    return _desk(rows[0])


_DESK_OF = (
    "SELECT forum, requires_approval, regional_balance, target_shares, seats_taken, "
    "questions_off, questions FROM registration_desk WHERE forum = {}"
)


class Unknown:
    """Not read yet (``None`` is a forum without a limit)."""


UNKNOWN = Unknown()


async def forum_capacity(forum_id: int) -> int | None:
    """The forum's seats as committed now (read under the desk's lock)."""
    rows = await db.read_indexed("SELECT capacity FROM forum WHERE id = {}", forum_id)
    return None if not rows else rows[0]["capacity"]


async def _take_seat(forum_id: int, capacity: int | None) -> bool:
    """Count one more seat taken, unless the forum is full: the one place seats are taken."""
    query = RegistrationDesk.update(
        {RegistrationDesk.seats_taken: RegistrationDesk.seats_taken + 1}
    ).where(RegistrationDesk.forum == forum_id)
    if capacity is not None:
        query = query.where(RegistrationDesk.seats_taken < capacity)
    return bool(await query.returning(RegistrationDesk.id))


async def free_seat(forum_id: int) -> None:
    await RegistrationDesk.update(
        {RegistrationDesk.seats_taken: RegistrationDesk.seats_taken - 1}
    ).where(RegistrationDesk.forum == forum_id, RegistrationDesk.seats_taken > 0)


async def _next_number(forum_id: int, counter: Any) -> int:
    """The next waiting-list ticket or badge number of the forum (``counter`` is the column)."""
    rows = await (
        RegistrationDesk.update({counter: counter + 1})
        .where(RegistrationDesk.forum == forum_id)
        .returning(counter)
    )
    return int(rows[0][counter._meta.name])


async def seat_or_ticket(
    forum_id: int, badge_number: int | None = None, *, capacity: int | Unknown | None = UNKNOWN
) -> tuple[Status, int | None, int | None]:
    """A seat with its badge number if one is free, else a place at the end of the line.

    A registration confirmed before keeps its ``badge_number``. ``capacity``, when the caller
    has read it under the same lock, spares reading it again.
    """
    if isinstance(capacity, Unknown):
        capacity = await forum_capacity(forum_id)
    if await _take_seat(forum_id, capacity):
        badge = badge_number or await _next_number(forum_id, RegistrationDesk.last_badge)
        return Status.CONFIRMED, None, badge
    return Status.WAITLISTED, await _next_number(forum_id, RegistrationDesk.last_ticket), None


# Status changes --------------------------------------------------------------------------------


async def record_status(
    registration_id: int,
    from_status: Status | None,
    to_status: Status,
    actor: int | None,
    reason: str,
) -> None:
    await record_statuses([(registration_id, from_status, to_status, actor, reason)])


async def record_statuses(
    changes: Sequence[tuple[int, Status | None, Status, int | None, str]],
) -> None:
    """History entries, one statement for all: (registration, from, to, actor, reason)."""
    if not changes:
        return
    stamp = now()
    await db.insert_rows(
        RegistrationStatusChange,
        [
            {
                "registration": registration_id,
                "from_status": from_status.value if from_status else None,
                "to_status": to_status.value,
                "actor": actor,
                "reason": reason,
                "created_at": stamp,
            }
            for registration_id, from_status, to_status, actor, reason in changes
        ],
    )


async def _waiting_position(forum_id: int, ticket: int) -> int:
    return int(
        await Registration.count().where(
            Registration.forum == forum_id,
            Registration.status == Status.WAITLISTED.value,
            Registration.ticket <= ticket,
        )
    )


_RECIPIENT_NAMES = ", ".join(column._meta.db_column_name for column in RECIPIENT_COLUMNS)


async def recipients(user_ids: Iterable[int]) -> dict[int, Recipient]:
    """Whom participants' mails go to, by account."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    # Read inline on SQLite (by key): a batch's mails are rendered while a crowd waits.
    people, args = db.one_of(ids)
    rows = await db.read_indexed(
        f"SELECT {_RECIPIENT_NAMES} FROM account_user WHERE id {people}",  # noqa: S608
        *args,
    )
    return {recipient.id: recipient for recipient in rows_as(rows, Recipient)}


def participant_mail(
    recipient: Recipient,
    forum_id: int,
    template: MailTemplate,
    facts: ForumFacts,
    *,
    badge_number: int | None,
    position: int | None,
    reason: str = "",
    later: Collection[str] = (),
) -> PreparedMail:
    """A mail to a registered person, rendered in their language; ``later`` names the fields
    (``badge_number``, ``position``) written in once the desk has decided them."""
    return prepare_mail(
        template,
        to=recipient.email,
        locale=recipient.locale,
        timezone=recipient.timezone,
        user_id=recipient.id,
        context={
            **facts.context(),
            "display_name": recipient.display_name,
            "badge_number": badge_number or "",
            "position": position or "",
            "reason": reason_text(reason),
            "link": facts.link(mails.REGISTRATION_PATH),
            "consent_link": withdrawal_link(recipient.id, forum_id, locale=recipient.locale),
        },
        later=later,
    )


async def mail_participant(
    registration: RegistrationRow,
    template: MailTemplate,
    facts: ForumFacts,
    reason: str = "",
) -> None:
    recipient = (await recipients([registration.user])).get(registration.user)
    if recipient is None:
        return
    position = (
        await _waiting_position(registration.forum, registration.ticket)
        if registration.status == Status.WAITLISTED and registration.ticket
        else None
    )
    mail = participant_mail(
        recipient,
        registration.forum,
        template,
        facts,
        badge_number=registration.badge_number,
        position=position,
        reason=reason,
    )
    await queue_prepared([mail])


async def move(
    registration: RegistrationRow,
    to_status: Status,
    facts: ForumFacts,
    *,
    actor: int | None,
    reason: str = "",
    ticket: int | None = None,
    badge_number: int | None = None,
    details: Mapping[str, Any] | None = None,
    template: MailTemplate | None = None,
    mail: bool = True,
) -> None:
    """Change a registration's status (under the desk's lock): history and mail included.

    ``details`` are columns written with it (a registration made again); ``template`` is a mail
    other than the status's own (a cancelled forum); ``mail=False`` sends none (a check-in
    taken back at the door is a correction, not news).
    """
    changes: dict[Any, Any] = {Registration.status: to_status.value, Registration.updated_at: now()}
    for name, value in (details or {}).items():
        changes[getattr(Registration, name)] = value
    if ticket is not None:
        changes[Registration.ticket] = ticket
    if badge_number is not None:
        changes[Registration.badge_number] = badge_number
    rows = await (
        Registration.update(changes)
        .where(
            Registration.id == registration.id,
            Registration.status == registration.status.value,
        )
        .returning(*ROW_COLUMNS)
    )
    if not rows:
        raise Conflict(
            "registration_changed",
            N_("The registration was changed at the same time. Please reload it."),
        )
    from_status = registration.status
    await record_status(registration.id, from_status, to_status, actor, reason)
    await tell_listeners(
        StatusMove(registration.id, registration.forum, registration.user, from_status, to_status)
    )
    if mail:
        await mail_participant(
            row_as(rows[0], RegistrationRow),
            template or mails.status_mail(to_status, from_status),
            facts,
            reason,
        )


@dataclass(frozen=True, slots=True)
class StatusMove:
    """A registration's change of status, told to listeners inside the transaction making it."""

    registration_id: int
    forum_id: int
    user_id: int
    #: None for a registration just made.
    from_status: Status | None
    to_status: Status


StatusListener = Callable[[StatusMove], Awaitable[None]]
#: Where status changes are heard (``on_status_change``).
STATUS_CHANGED: Hook[StatusListener] = Hook("registration status changed")


async def tell_listeners(move: StatusMove) -> None:
    for listener in current().hooks.plugged(STATUS_CHANGED):
        await listener(move)


def on_status_change(hooks: Hooks, listener: StatusListener) -> Callable[[], None]:
    """Call ``listener`` for every status change of a registration in the app of ``hooks``;
    returns its removal.

    Listeners run under the forum desk's lock in the change's transaction (workshop sign-ups
    give back their places there when a registration is cancelled or declined; organizers
    hear of a new registration awaiting approval), a new registration's first status
    included. Adding the same
    listener twice keeps one.
    """
    return hooks.plug(STATUS_CHANGED, listener)


def balanced_choice(
    waiting: Sequence[Waiting],
    held: Mapping[str, int],
    seated: int,
    targets: Mapping[str, float],
    seats: int,
) -> list[Waiting]:
    """Who gets ``seats`` free seats so that regions approach their target shares.

    Seat by seat: the target region furthest below its share (of the seats then taken) that has
    someone waiting gets the seat, and within a region the earliest in line; when no target
    region is below its share, the earliest in line overall.
    """
    remaining = list(waiting)
    counts = Counter(held)
    chosen: list[Waiting] = []
    while remaining and len(chosen) < seats:
        total = seated + len(chosen) + 1
        gaps = sorted(
            (
                (targets[area] / 100 * total - counts[area], area)
                for area in targets
                if any(area in entry.areas for entry in remaining)
            ),
            reverse=True,
        )
        pick = remaining[0]
        if gaps and gaps[0][0] > 0:
            pick = next(entry for entry in remaining if gaps[0][1] in entry.areas)
        remaining.remove(pick)
        chosen.append(pick)
        counts.update(pick.areas)
    return chosen


async def fill_free_seats(desk: Desk, facts: ForumFacts | None = None) -> int:
    """Promote from the waiting list into every free seat (under the desk's lock)."""
    capacity = await forum_capacity(desk.forum_id)
    seats_taken = (
        await RegistrationDesk.select(RegistrationDesk.seats_taken)
        .where(RegistrationDesk.forum == desk.forum_id)
        .first()
    )
    taken = int(seats_taken["seats_taken"]) if seats_taken else 0
    free = None if capacity is None else capacity - taken
    if free is not None and free <= 0:
        return 0
    waiting = await waiting_line(desk.forum_id)
    if not waiting:
        return 0
    seats = len(waiting) if free is None else min(free, len(waiting))
    if desk.regional_balance and desk.target_shares:
        held, seated = await seated_by_area(desk.forum_id)
        chosen = balanced_choice(waiting, held, seated, desk.target_shares, seats)
    else:
        chosen = waiting[:seats]
    facts = facts or await forum_facts(desk.forum_id)
    for entry in chosen:
        if not await _take_seat(desk.forum_id, capacity):
            break
        badge = entry.row.badge_number or await _next_number(
            desk.forum_id, RegistrationDesk.last_badge
        )
        await move(entry.row, Status.CONFIRMED, facts, actor=None, badge_number=badge)
    return len(chosen)
