"""New registrations decided at the forum's desk, a batch at a time, with the lock held short.

Everything that does not decide a seat happens before the desk's lock: who the people are, and
their mails, rendered for the outcome that is likely then (a seat while the committed count
leaves one, else the waiting list), with the badge number and the place in the line left to be
written in. Under the lock a batch costs a fixed number of statements whatever its size: the
desk locked and its counters read (``lock_counting``), the people's earlier registrations read,
then one multi-row insert each for the registrations, their history and their mails, and one
update of the counters. Seats are decided in memory in arrival order between the two. The mail
is still written in the transaction that decides, so the outbox holds it exactly when the
registration is committed. Only a mail whose outcome was not the likely one (another process
took the last seats meanwhile), consent decisions and registering again after a cancellation
take work of their own under the lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from mupass_forum import db
from mupass_forum.clock import now
from mupass_forum.consent import ledger
from mupass_forum.consent.schemas import Channel as ConsentChannel
from mupass_forum.errors import Conflict, DomainError, NotFound
from mupass_forum.i18n import N_
from mupass_forum.mail import Recipient
from mupass_forum.mail.services import PreparedMail, queue_prepared
from mupass_forum.registrations import mails
from mupass_forum.registrations.desk import (
    SeatCounters,
    StatusMove,
    lock_counting,
    participant_mail,
    recipients,
    record_statuses,
    tell_listeners,
    write_counters,
)
from mupass_forum.registrations.forum_facts import FACTS_COLUMNS, ForumFacts, facts_from_row
from mupass_forum.registrations.queries import ROW_COLUMNS
from mupass_forum.registrations.status import ENDED, Status
from mupass_forum.registrations.tables import Registration

#: What a registration's answer is: its id and whether this request made it, or a refusal.
Outcome = tuple[int, bool] | Exception

#: The mail's fields that only the desk decides.
_DECIDED_FIELDS = ("badge_number", "position")


@dataclass(frozen=True, slots=True)
class Registering:
    """One person's registration, waiting for the forum's desk."""

    forum_id: int
    user_id: int
    details: Mapping[str, Any]
    consent_decisions: Any
    consent_notice_version: int | None
    locale: str
    idempotency_key: str | None


def already_registered() -> Conflict:
    return Conflict(
        "already_registered",
        N_("You are registered for this forum already; see your registration."),
    )


@dataclass(slots=True)
class _Seat:
    """What the desk decided for one registration."""

    index: int
    registering: Registering
    #: The person's registration before (cancelled or declined), registered again.
    earlier: Mapping[str, Any] | None
    status: Status
    ticket: int | None
    badge: int | None
    #: The place on the waiting list.
    position: int | None
    registration_id: int = 0


@dataclass(frozen=True, slots=True)
class _Drafts:
    """The batch's mails, rendered before the lock for the outcome likely then."""

    facts: ForumFacts
    people: Mapping[int, Recipient]
    #: By index in the batch: the status the mail was rendered for, and the mail.
    mails: Mapping[int, tuple[Status, PreparedMail]]


@dataclass(frozen=True, slots=True)
class Likely:
    """What the desk would likely decide, as committed when read (before the lock)."""

    facts: ForumFacts
    requires_approval: bool
    #: Seats free (``None``: the forum has no limit).
    free: int | None

    def status(self, index: int) -> Status:
        """The likely status of the batch's ``index``-th registration."""
        if self.requires_approval:
            return Status.PENDING_APPROVAL
        if self.free is None or index < self.free:
            return Status.CONFIRMED
        return Status.WAITLISTED


#: The forum's facts and its desk's counters: one read by key (inline on SQLite).
_LIKELY = (
    f"SELECT {FACTS_COLUMNS}, f.capacity, d.requires_approval, d.seats_taken "  # noqa: S608
    "FROM forum f LEFT JOIN registration_desk d ON d.forum = f.id WHERE f.id = {}"
)


async def likely(forum_id: int) -> Likely:
    rows = await db.read_indexed(_LIKELY, forum_id)
    if not rows:
        raise NotFound("forum_not_found")
    (row,) = rows
    capacity = row["capacity"]
    return Likely(
        facts=facts_from_row(row),
        requires_approval=bool(row["requires_approval"]),
        free=None if capacity is None else capacity - int(row["seats_taken"] or 0),
    )


async def _drafts(forum_id: int, batch: Sequence[Registering]) -> _Drafts:
    async with db.one_connection():  # one trip to the pool on PostgreSQL
        outlook = await likely(forum_id)
        people = await recipients(registering.user_id for registering in batch)
    drafts: dict[int, tuple[Status, PreparedMail]] = {}
    for index, registering in enumerate(batch):
        recipient = people.get(registering.user_id)
        if recipient is not None:
            status = outlook.status(index)
            drafts[index] = (status, _mail(recipient, forum_id, status, outlook.facts))
    return _Drafts(outlook.facts, people, drafts)


def _mail(recipient: Recipient, forum_id: int, status: Status, facts: ForumFacts) -> PreparedMail:
    # Registering again follows a cancellation or a decline: the same mail as a new one's.
    template = mails.status_mail(status, None)
    return participant_mail(
        recipient,
        forum_id,
        template,
        facts,
        badge_number=None,
        position=None,
        later=_DECIDED_FIELDS,
    )


async def decide_batch(forum_id: int, batch: Sequence[Registering]) -> list[Outcome]:
    """Decide ``batch`` in arrival order in one transaction; a refusal leaves the others alone.

    Refusals (``already_registered``) are decided before anything is written; a registration
    with consent decisions writes them under a savepoint first, so that a refused consent
    (a changed notice) refuses that registration alone.
    """
    drafts = await _drafts(forum_id, batch)
    outcomes: list[Outcome | None] = [None] * len(batch)
    async with db.transaction(short=True) as transaction:
        counters = await lock_counting(forum_id)
        earlier = await _earlier(forum_id, batch)
        seats: list[_Seat] = []
        #: The batch's own registrations by person: the index of the one that registers.
        registering_now: dict[int, int] = {}
        for index, registering in enumerate(batch):
            user, key = registering.user_id, registering.idempotency_key
            row = earlier.get(user)
            if user in registering_now:
                if key is None or batch[registering_now[user]].idempotency_key != key:
                    outcomes[index] = already_registered()
                continue  # sent twice with its key while waiting: answered with the first
            if row is not None and key is not None and row["idempotency_key"] == key:
                # Sent again while the first was still waiting for the desk.
                outcomes[index] = (int(row["id"]), False)
                continue
            if row is not None and Status(row["status"]) not in ENDED:
                outcomes[index] = already_registered()
                continue
            if registering.consent_decisions:
                refused = await _record_consent(transaction, registering)
                if refused is not None:
                    outcomes[index] = refused
                    continue
            registering_now[user] = index
            seats.append(_seat(index, registering, row, counters))
        await _write(forum_id, seats, counters, drafts)
    made = {seat.registering.user_id: seat.registration_id for seat in seats}
    return [
        outcome
        if outcome is not None
        else (made[registering.user_id], registering_now[registering.user_id] == index)
        for index, (registering, outcome) in enumerate(zip(batch, outcomes, strict=True))
    ]


async def _earlier(forum_id: int, batch: Sequence[Registering]) -> dict[int, Mapping[str, Any]]:
    people, args = db.one_of(sorted({registering.user_id for registering in batch}))
    rows = await Registration.select(*ROW_COLUMNS, Registration.idempotency_key).where(
        Registration.forum == forum_id, WhereRaw(f'"registration"."user" {people}', *args)
    )
    return {int(row["user"]): row for row in rows}


async def _record_consent(transaction: Any, registering: Registering) -> Exception | None:
    savepoint = await transaction.savepoint()
    try:
        await ledger.record_decisions(
            registering.user_id,
            registering.forum_id,
            registering.consent_decisions,
            ConsentChannel.REGISTRATION,
            registering.user_id,
            registering.locale,
            notice_version=registering.consent_notice_version,
        )
    except (DomainError, *db.INTEGRITY_ERRORS) as exc:
        if not isinstance(exc, DomainError) and not db.is_unique_violation(exc):
            raise
        await savepoint.rollback_to()
        return exc
    await savepoint.release()
    return None


def _seat(
    index: int,
    registering: Registering,
    earlier: Mapping[str, Any] | None,
    counters: SeatCounters,
) -> _Seat:
    """A seat with its badge number if one is free, else the end of the waiting list (or
    approval first): decided in memory, under the lock."""
    if counters.desk.requires_approval:
        return _Seat(index, registering, earlier, Status.PENDING_APPROVAL, None, None, None)
    if counters.take_seat():
        badge = (earlier["badge_number"] if earlier else None) or counters.next_badge()
        return _Seat(index, registering, earlier, Status.CONFIRMED, None, badge, None)
    ticket = counters.next_ticket()
    return _Seat(index, registering, earlier, Status.WAITLISTED, ticket, None, counters.waiting)


async def _write(
    forum_id: int, seats: Sequence[_Seat], counters: SeatCounters, drafts: _Drafts
) -> None:
    """The batch's rows: registrations, history, counters and mails, a statement each (a
    registration made again is an update of its own)."""
    if not seats:
        return
    stamp = now()
    new = [seat for seat in seats if seat.earlier is None]
    if new:
        rows = await db.insert_rows(
            Registration,
            [
                {
                    "forum": forum_id,
                    "user": seat.registering.user_id,
                    "status": seat.status.value,
                    "ticket": seat.ticket,
                    "badge_number": seat.badge,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "idempotency_key": seat.registering.idempotency_key,
                    **seat.registering.details,
                }
                for seat in new
            ],
            Registration.id,
            Registration.user,
        )
        made = {int(row["user"]): int(row["id"]) for row in rows}
        for seat in new:
            seat.registration_id = made[seat.registering.user_id]
    for seat in seats:
        if seat.earlier is not None:
            await _register_again(seat, stamp)
    await record_statuses(
        [
            (
                seat.registration_id,
                Status(seat.earlier["status"]) if seat.earlier else None,
                seat.status,
                seat.registering.user_id,
                "",
            )
            for seat in seats
        ]
    )
    for seat in seats:
        await tell_listeners(
            StatusMove(
                seat.registration_id,
                forum_id,
                seat.registering.user_id,
                Status(seat.earlier["status"]) if seat.earlier else None,
                seat.status,
            )
        )
    await write_counters(counters)
    await queue_prepared([mail for seat in seats if (mail := _decided_mail(seat, drafts))])


async def _register_again(seat: _Seat, stamp: Any) -> None:
    """The person's cancelled or declined registration takes the new details and status."""
    assert seat.earlier is not None
    changes: dict[Any, Any] = {
        Registration.status: seat.status.value,
        Registration.updated_at: stamp,
        Registration.idempotency_key: seat.registering.idempotency_key,
    }
    for name, value in seat.registering.details.items():
        changes[getattr(Registration, name)] = value
    if seat.ticket is not None:
        changes[Registration.ticket] = seat.ticket
    if seat.badge is not None:
        changes[Registration.badge_number] = seat.badge
    rows = await (
        Registration.update(changes)
        .where(
            Registration.id == seat.earlier["id"],
            Registration.status == seat.earlier["status"],
        )
        .returning(Registration.id)
    )
    if not rows:
        raise Conflict(
            "registration_changed",
            N_("The registration was changed at the same time. Please reload it."),
        )
    seat.registration_id = int(rows[0]["id"])


def _decided_mail(seat: _Seat, drafts: _Drafts) -> PreparedMail | None:
    """The seat's mail: the one rendered before the lock when its outcome is the one decided
    (rendered now otherwise), with the badge number and the place in line written in."""
    draft = drafts.mails.get(seat.index)
    if draft is None:
        return None  # the account is gone
    likely, mail = draft
    if likely != seat.status:
        recipient = drafts.people[seat.registering.user_id]
        mail = _mail(recipient, seat.registering.forum_id, seat.status, drafts.facts)
    return mail.filled_in({"badge_number": seat.badge or "", "position": seat.position or ""})
