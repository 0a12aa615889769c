"""Interest, registrations and the waiting list: every rule and every query.

How seats stay exact, on SQLite and PostgreSQL and across server processes: every transaction
that changes who holds a seat of a forum first locks the forum's ``RegistrationDesk`` row
(``_lock_desk``: an ``UPDATE`` of it, which PostgreSQL holds until the commit and which SQLite's
``BEGIN IMMEDIATE`` already serializes). Under that lock a seat is taken by a conditional
increment (``seats_taken < capacity``) and freed by a decrement, and every freed seat is filled
from the waiting list in the same transaction (``_fill_free_seats``). A free seat and a
non-empty waiting list therefore never outlast a transaction. Locks are always taken in the
same order (a forum row, then the desk, then registrations), so transactions do not deadlock.

Every status change goes through ``_move``: a conditional update from the status read under the
lock (so nothing is promoted twice), a history entry, and the participant's mail in their own
language, all in one transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import LazyProxy
from msgspec import UnsetType
from piccolo.columns.combination import WhereRaw

from mupass_forum import db, db_postgres, pagination, regions
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.rate_limits import MailThrottle
from mupass_forum.accounts.services import new_token, normalize_email, token_hash
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.consent import services as consent
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.consent.schemas import Channel as ConsentChannel
from mupass_forum.errors import Conflict, DomainError, FieldError, Gone, InvalidInput, NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.checks import language_problem
from mupass_forum.forums.queries import editable_forum, forum_ref, stored_json, visible_forum
from mupass_forum.forums.schemas import ForumStatus, Label
from mupass_forum.forums.services import ForumChange
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import (
    N_,
    NC_,
    current_locale,
    format_date,
    format_date_interval,
    format_percent,
    gettext,
)
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.mail import MailTemplate, queue_mail
from mupass_forum.participants.visibility import Condition
from mupass_forum.privacy.shredding import refuse_if_shredded
from mupass_forum.registrations import mails, schemas
from mupass_forum.registrations.questions import (
    NO_QUESTIONS,
    FormQuestions,
    answer_problems,
    not_asked_problems,
    stored_questions,
)
from mupass_forum.registrations.schemas import RegistrationStatus
from mupass_forum.registrations.tables import (
    Interest,
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
)
from mupass_forum.settings import Settings
from mupass_forum.validation import (
    country_problem,
    email_problem,
    locale_problem,
    required_problem,
)

log = logging.getLogger(__name__)

Status = RegistrationStatus
#: The longest ``Idempotency-Key`` kept with a registration.
IDEMPOTENCY_KEY_LENGTH = 100

#: Statuses that hold a seat.
SEATED = (Status.CONFIRMED, Status.ATTENDED)
#: Statuses that hold or wait for a seat: a cancelled forum cancels them.
ACTIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING_APPROVAL)
#: Statuses after which the person may register again while registration is open.
ENDED = (Status.CANCELLED, Status.DECLINED)

STATUS_LABELS: Mapping[Status, str] = {
    # i18n: Status of a registration.
    Status.CONFIRMED: NC_("registration status", "Confirmed"),
    Status.WAITLISTED: NC_("registration status", "On the waiting list"),
    Status.PENDING_APPROVAL: NC_("registration status", "Awaiting approval"),
    Status.DECLINED: NC_("registration status", "Declined"),
    Status.CANCELLED: NC_("registration status", "Cancelled"),
    Status.ATTENDED: NC_("registration status", "Attended"),
}

#: Where the service's links point, and how long an interest confirmation link stays valid;
#: set by ``install`` from the settings.
_base_url = "http://127.0.0.1:8000"
_interest_link_lifetime = timedelta(days=7)


def install(settings: Settings) -> None:
    global _base_url, _interest_link_lifetime
    _base_url = settings.base_url
    _interest_link_lifetime = timedelta(days=settings.interest_link_days)


def status_label(value: str) -> Label:
    return Label(value=value, label=gettext(STATUS_LABELS[Status(value)]))


def _status_name(status: Status) -> LazyProxy:
    return LazyProxy(gettext, STATUS_LABELS[status], enable_cache=False)


# Mails -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ForumFacts:
    """What every mail about a forum says, put into words in each recipient's language."""

    slug: str
    title: TranslatableText
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo

    def context(self) -> dict[str, Any]:
        return {
            "forum": LazyProxy(self.title.best, enable_cache=False),
            "dates": LazyProxy(self._dates, enable_cache=False),
        }

    def _dates(self) -> str:
        return format_date_interval(
            self.starts_at.astimezone(self.zone).date(), self.ends_at.astimezone(self.zone).date()
        )

    def link(self, path: str) -> str:
        return _base_url + path.format(slug=self.slug)


async def _forum_facts(forum_id: int) -> _ForumFacts:
    row = (
        await Forum.select(Forum.slug, Forum.title, Forum.starts_at, Forum.ends_at, Forum.timezone)
        .where(Forum.id == forum_id)
        .first()
    )
    if row is None:
        raise NotFound("forum_not_found")
    return _ForumFacts(
        slug=row["slug"],
        title=TranslatableText.from_json(row["title"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        zone=ZoneInfo(row["timezone"]),
    )


#: For the domains built on registrations (proposals), whose mails speak of a forum the same way.
ForumFacts = _ForumFacts
forum_facts = _forum_facts


def _reason_text(reason: str) -> Any:
    # i18n: Shown after "Reason given:" when the organizers gave none.
    return reason or LazyProxy(gettext, N_("none given"), enable_cache=False)


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


async def _lock_desk(forum_id: int) -> Desk:
    """The forum's desk, locked until the transaction ends; made on first use."""
    db.require_transaction()
    lock = RegistrationDesk.update({RegistrationDesk.updated_at: now()}).where(
        RegistrationDesk.forum == forum_id
    )
    rows = await lock.returning(*_DESK_COLUMNS)
    if not rows:
        await RegistrationDesk.insert(RegistrationDesk(forum=forum_id)).on_conflict(
            target=RegistrationDesk.forum, action="DO NOTHING"
        )
        rows = await lock.returning(*_DESK_COLUMNS)
    return _desk(rows[0])


async def desk_of(forum_id: int) -> Desk:
    """The forum's desk as committed (not locked): its rules and seats taken."""
    row = (
        await RegistrationDesk.select(*_DESK_COLUMNS)
        .where(RegistrationDesk.forum == forum_id)
        .first()
    )
    if row is None:
        return Desk(forum_id, False, False, {}, 0)
    return _desk(row)


class Unknown:
    """Not read yet (``None`` is a forum without a limit)."""


UNKNOWN = Unknown()


async def _capacity(forum_id: int) -> int | None:
    """The forum's seats as committed now (read under the desk's lock)."""
    row = await Forum.select(Forum.capacity).where(Forum.id == forum_id).first()
    return None if row is None else row["capacity"]


async def _take_seat(forum_id: int, capacity: int | None) -> bool:
    """Count one more seat taken, unless the forum is full: the one place seats are taken."""
    query = RegistrationDesk.update(
        {RegistrationDesk.seats_taken: RegistrationDesk.seats_taken + 1}
    ).where(RegistrationDesk.forum == forum_id)
    if capacity is not None:
        query = query.where(RegistrationDesk.seats_taken < capacity)
    return bool(await query.returning(RegistrationDesk.id))


async def _free_seat(forum_id: int) -> None:
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


async def _seat_or_ticket(
    forum_id: int, badge_number: int | None = None, *, capacity: int | Unknown | None = UNKNOWN
) -> tuple[Status, int | None, int | None]:
    """A seat with its badge number if one is free, else a place at the end of the line.

    A registration confirmed before keeps its ``badge_number``. ``capacity``, when the caller
    has read it under the same lock, spares reading it again.
    """
    if isinstance(capacity, Unknown):
        capacity = await _capacity(forum_id)
    if await _take_seat(forum_id, capacity):
        badge = badge_number or await _next_number(forum_id, RegistrationDesk.last_badge)
        return Status.CONFIRMED, None, badge
    return Status.WAITLISTED, await _next_number(forum_id, RegistrationDesk.last_ticket), None


# Status changes --------------------------------------------------------------------------------

_RECIPIENT_COLUMNS = (User.id, User.email, User.display_name, User.locale, User.timezone)


async def _record(
    registration_id: int,
    from_status: Status | None,
    to_status: Status,
    actor: int | None,
    reason: str,
) -> None:
    await RegistrationStatusChange.insert(
        RegistrationStatusChange(
            registration=registration_id,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            actor=actor,
            reason=reason,
            created_at=now(),
        )
    )


async def _waiting_position(forum_id: int, ticket: int) -> int:
    return int(
        await Registration.count().where(
            Registration.forum == forum_id,
            Registration.status == Status.WAITLISTED.value,
            Registration.ticket <= ticket,
        )
    )


async def _mail_participant(
    registration: Mapping[str, Any],
    template: MailTemplate,
    facts: _ForumFacts,
    reason: str = "",
) -> None:
    recipient = (
        await User.select(*_RECIPIENT_COLUMNS).where(User.id == registration["user"]).first()
    )
    if recipient is None:
        return
    position = (
        await _waiting_position(registration["forum"], registration["ticket"])
        if registration["status"] == Status.WAITLISTED.value and registration["ticket"]
        else None
    )
    await queue_mail(
        template,
        to=recipient["email"],
        locale=recipient["locale"],
        timezone=recipient["timezone"],
        user_id=recipient["id"],
        context={
            **facts.context(),
            "display_name": recipient["display_name"],
            "badge_number": registration["badge_number"] or "",
            "position": position or "",
            "reason": _reason_text(reason),
            "link": facts.link(mails.REGISTRATION_PATH),
            "consent_link": withdrawal_link(
                recipient["id"], registration["forum"], locale=recipient["locale"]
            ),
        },
    )


_ROW_COLUMNS = (
    Registration.id,
    Registration.forum,
    Registration.user,
    Registration.status,
    Registration.ticket,
    Registration.badge_number,
)


async def _move(
    registration: Mapping[str, Any],
    to_status: Status,
    facts: _ForumFacts,
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
        .where(Registration.id == registration["id"], Registration.status == registration["status"])
        .returning(*_ROW_COLUMNS)
    )
    if not rows:
        raise Conflict(
            "registration_changed",
            N_("The registration was changed at the same time. Please reload it."),
        )
    from_status = Status(registration["status"])
    await _record(registration["id"], from_status, to_status, actor, reason)
    await _tell_listeners(
        StatusMove(
            registration["id"], registration["forum"], registration["user"], from_status, to_status
        )
    )
    if mail:
        await _mail_participant(
            rows[0], template or mails.status_mail(to_status, from_status), facts, reason
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
_status_listeners: list[StatusListener] = []


async def _tell_listeners(move: StatusMove) -> None:
    for listener in list(_status_listeners):
        await listener(move)


def on_status_change(listener: StatusListener) -> Callable[[], None]:
    """Call ``listener`` for every status change of a registration; returns its removal.

    Listeners run under the forum desk's lock in the change's transaction (workshop sign-ups
    give back their places there when a registration is cancelled or declined; organizers
    hear of a new registration awaiting approval), a new registration's first status
    included. Adding the same
    listener twice keeps one.
    """
    if listener not in _status_listeners:
        _status_listeners.append(listener)

    def remove() -> None:
        if listener in _status_listeners:
            _status_listeners.remove(listener)

    return remove


# Promotion from the waiting list ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Waiting:
    row: Mapping[str, Any]
    areas: frozenset[str]


async def _waiting_list(forum_id: int) -> list[_Waiting]:
    rows = await Registration.raw(
        'SELECT r.id, r.forum, r."user", r.status, r.ticket, r.badge_number, '
        "p.region, p.sub_region FROM registration r "
        'LEFT JOIN participant_profile p ON p."user" = r."user" '
        "WHERE r.forum = {} AND r.status = {} ORDER BY r.ticket, r.id",
        forum_id,
        Status.WAITLISTED.value,
    )
    return [
        _Waiting(
            row={key: row[key] for key in ("id", "forum", "user", "status", "ticket")}
            | {"badge_number": row["badge_number"]},
            areas=frozenset(code for code in (row["region"], row["sub_region"]) if code),
        )
        for row in rows
    ]


async def _seated_by_area(forum_id: int) -> tuple[Counter[str], int]:
    """Seated people per M49 region and sub-region (each person counts in both), and in all."""
    rows = await Registration.raw(
        "SELECT p.region, p.sub_region, COUNT(*) AS n FROM registration r "
        'LEFT JOIN participant_profile p ON p."user" = r."user" '
        "WHERE r.forum = {} AND r.status IN ({}, {}) GROUP BY p.region, p.sub_region",
        forum_id,
        *(status.value for status in SEATED),
    )
    held: Counter[str] = Counter()
    total = 0
    for row in rows:
        count = int(row["n"])
        total += count
        for code in (row["region"], row["sub_region"]):
            if code:
                held[code] += count
    return held, total


def balanced_choice(
    waiting: Sequence[_Waiting],
    held: Mapping[str, int],
    seated: int,
    targets: Mapping[str, float],
    seats: int,
) -> list[_Waiting]:
    """Who gets ``seats`` free seats so that regions approach their target shares.

    Seat by seat: the target region furthest below its share (of the seats then taken) that has
    someone waiting gets the seat, and within a region the earliest in line; when no target
    region is below its share, the earliest in line overall.
    """
    remaining = list(waiting)
    counts = Counter(held)
    chosen: list[_Waiting] = []
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


async def _fill_free_seats(desk: Desk, facts: _ForumFacts | None = None) -> int:
    """Promote from the waiting list into every free seat (under the desk's lock)."""
    capacity = await _capacity(desk.forum_id)
    seats_taken = (
        await RegistrationDesk.select(RegistrationDesk.seats_taken)
        .where(RegistrationDesk.forum == desk.forum_id)
        .first()
    )
    taken = int(seats_taken["seats_taken"]) if seats_taken else 0
    free = None if capacity is None else capacity - taken
    if free is not None and free <= 0:
        return 0
    waiting = await _waiting_list(desk.forum_id)
    if not waiting:
        return 0
    seats = len(waiting) if free is None else min(free, len(waiting))
    if desk.regional_balance and desk.target_shares:
        held, seated = await _seated_by_area(desk.forum_id)
        chosen = balanced_choice(waiting, held, seated, desk.target_shares, seats)
    else:
        chosen = waiting[:seats]
    facts = facts or await _forum_facts(desk.forum_id)
    for entry in chosen:
        if not await _take_seat(desk.forum_id, capacity):
            break
        badge = entry.row["badge_number"] or await _next_number(
            desk.forum_id, RegistrationDesk.last_badge
        )
        await _move(entry.row, Status.CONFIRMED, facts, actor=None, badge_number=badge)
    return len(chosen)


# Registering -----------------------------------------------------------------------------------


def _registration_problems(values: Mapping[str, Any]) -> list[FieldError]:
    problems: list[FieldError] = []
    arrival, departure = values.get("arrival_date"), values.get("departure_date")
    if arrival is not None and departure is not None and departure < arrival:
        problems.append(
            FieldError(
                N_("The departure must not be before the arrival."),
                "departure_before_arrival",
                pointer="/departure_date",
            )
        )
    for index, code in enumerate(values.get("interpretation_languages") or []):
        problem = language_problem(code, f"/interpretation_languages/{index}")
        if problem is not None:
            problems.append(problem)
    return problems


def _details(data: schemas.RegistrationCreate | schemas.RegistrationUpdate) -> dict[str, Any]:
    """The fields given, as column values (strings stripped, languages unique and in order)."""
    values: dict[str, Any] = {}
    for name in (
        "arrival_date",
        "departure_date",
        "dietary_needs",
        "accessibility_needs",
        "needs_visa_letter",
        "travel_support_requested",
        "interpretation_languages",
    ):
        value = getattr(data, name)
        if isinstance(value, UnsetType):
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "interpretation_languages":
            value = list(dict.fromkeys(code.strip().lower() for code in value))
        values[name] = value
    return values


def _check_registration_open(forum: ForumRef) -> None:
    stamp = now()
    if (
        forum.status != ForumStatus.REGISTRATION_OPEN
        # A forum's end closes its registration even if nobody moved it on.
        or stamp >= forum.ends_at
        or (forum.registration_opens_at is not None and stamp < forum.registration_opens_at)
        or (forum.registration_closes_at is not None and stamp > forum.registration_closes_at)
    ):
        raise Conflict(
            "registration_not_open",
            N_("Registration for this forum is not open."),
        )


def _already_registered() -> Conflict:
    return Conflict(
        "already_registered",
        N_("You are registered for this forum already; see your registration."),
    )


async def _insert_registration(
    forum_id: int,
    user_id: int,
    details: Mapping[str, Any],
    status: Status,
    ticket: int | None,
    badge_number: int | None,
) -> dict[str, Any]:
    """Write the registration row; runs inside ``register``'s transaction."""
    stamp = now()
    try:
        rows = await Registration.insert(
            Registration(
                forum=forum_id,
                user=user_id,
                status=status.value,
                ticket=ticket,
                badge_number=badge_number,
                created_at=stamp,
                updated_at=stamp,
                **details,
            )
        ).returning(*_ROW_COLUMNS)
    except db.INTEGRITY_ERRORS as exc:
        if not db.is_unique_violation(exc, "registration", "forum", "user"):
            raise
        raise _already_registered() from exc
    return dict(rows[0])


@dataclass(frozen=True, slots=True)
class _Registering:
    """One person's registration, waiting for the forum's desk."""

    forum_id: int
    user_id: int
    details: Mapping[str, Any]
    consent_decisions: Any
    consent_notice_version: int | None
    locale: str
    idempotency_key: str | None


def _idempotency_problem(key: str | None) -> FieldError | None:
    if key is None or (0 < len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isprintable()):
        return None
    return FieldError(
        N_("An Idempotency-Key has 1 to {limit} printable characters."),
        "invalid_idempotency_key",
        parameter="Idempotency-Key",
        params={"limit": IDEMPOTENCY_KEY_LENGTH},
    )


async def register(
    principal: Principal,
    slug: str,
    data: schemas.RegistrationCreate,
    idempotency_key: str | None = None,
) -> tuple[schemas.Registration, bool]:
    """Register the caller: a seat if one is free, else the waiting list (or await approval).

    Returns the registration and whether this request made it. A request sent again with the
    ``idempotency_key`` that made the registration (its answer was lost) gets that registration
    back, unchanged.

    The decision, the registration row (``_insert_registration``), its first history entry and
    the mail are written in one transaction under the forum desk's lock, together with the
    registrations that arrived meanwhile (``_decide``). Whatever else must be recorded with a
    new registration belongs in ``_decide_one``, right after the row is written.

    A person whose registration was cancelled or declined registers again on that same row: it
    goes through the desk like a new one (the end of the waiting list, a badge number it had
    kept) with the new details, and its history goes on. One row per person and forum keeps
    exports, statistics and workshop sign-ups counting each person once; consent belongs to the
    person and forum anyway.
    """
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    key_problem = _idempotency_problem(idempotency_key)
    if key_problem is not None:
        raise InvalidInput(key_problem)
    if idempotency_key is not None:
        made = await _made_with(forum.id, principal.user_id, idempotency_key)
        if made is not None:
            return await _view(forum, made), False
    _check_registration_open(forum)
    details = _details(data)
    questions = (await desk_of(forum.id)).questions
    answers, answer_errors = answer_problems(questions, data.answers)
    problems = [
        *_registration_problems(details),
        *not_asked_problems(questions, details),
        *answer_errors,
    ]
    if problems:
        raise InvalidInput(*problems)
    details["answers"] = answers
    registering = _Registering(
        forum_id=forum.id,
        user_id=principal.user_id,
        details=details,
        consent_decisions=consent.expand_choices(data.consent or [], "/consent"),
        consent_notice_version=data.consent_notice_version,
        locale=current_locale(),
        idempotency_key=idempotency_key,
    )
    registration_id, made_now = await _decide(registering)
    return await _view(forum, registration_id), made_now


async def _made_with(forum_id: int, user_id: int, idempotency_key: str) -> int | None:
    row = (
        await Registration.select(Registration.id)
        .where(
            Registration.forum == forum_id,
            Registration.user == user_id,
            Registration.idempotency_key == idempotency_key,
        )
        .first()
    )
    return None if row is None else int(row["id"])


async def _decide_one(
    desk: Desk, capacity: int | None, facts: _ForumFacts, registering: _Registering
) -> tuple[int, bool]:
    """One registration at the desk (locked by the caller): its id, and whether it was made.

    Refuses (``already_registered``) before it writes anything; only the consent decisions may
    refuse after writing."""
    forum_id, user_id = registering.forum_id, registering.user_id
    earlier = (
        await Registration.select(*_ROW_COLUMNS, Registration.idempotency_key)
        .where(Registration.forum == forum_id, Registration.user == user_id)
        .first()
    )
    key = registering.idempotency_key
    if earlier is not None and key is not None and earlier["idempotency_key"] == key:
        # Sent again while the first was still waiting for the desk.
        return int(earlier["id"]), False
    if earlier is not None and Status(earlier["status"]) not in ENDED:
        raise _already_registered()
    details = {**registering.details, "idempotency_key": registering.idempotency_key}
    if desk.requires_approval:
        status, ticket, badge = Status.PENDING_APPROVAL, None, None
    else:
        status, ticket, badge = await _seat_or_ticket(
            forum_id, earlier["badge_number"] if earlier else None, capacity=capacity
        )
    if earlier is None:
        registration = await _insert_registration(forum_id, user_id, details, status, ticket, badge)
        await _record(registration["id"], None, status, user_id, "")
        await _tell_listeners(StatusMove(registration["id"], forum_id, user_id, None, status))
        await _mail_participant(registration, mails.status_mail(status, None), facts)
    else:
        registration = {key: earlier[key] for key in earlier if key != "idempotency_key"}
        await _move(
            registration,
            status,
            facts,
            actor=user_id,
            ticket=ticket,
            badge_number=badge,
            details=details,
        )
    await consent.record_decisions(
        user_id,
        forum_id,
        registering.consent_decisions,
        ConsentChannel.REGISTRATION,
        user_id,
        registering.locale,
        notice_version=registering.consent_notice_version,
    )
    return int(registration["id"]), True


# Group commit: registrations for one forum that arrive while the desk is busy wait in a line
# and are decided together, in one transaction that takes the desk's lock once. A crowd then
# costs one lock, one commit (one fsync) and one wait for the other server processes per batch
# instead of per person, and answers leave after every batch instead of at the end of the crowd.

#: Registrations decided in one transaction at most: bounds how long the lock is held.
BATCH_SIZE = 50


@dataclass
class _DeskLine:
    waiting: list[tuple[_Registering, asyncio.Future[tuple[int, bool]]]] = field(
        default_factory=list
    )
    #: The task deciding the line's batches, while there is one.
    worker: asyncio.Task[None] | None = None


_lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _DeskLine]] = (
    weakref.WeakKeyDictionary()
)


async def _decide(registering: _Registering) -> tuple[int, bool]:
    """Join the forum's line; the registration is decided with those in line with it."""
    loop = asyncio.get_running_loop()
    line = _lines.setdefault(loop, {}).setdefault(registering.forum_id, _DeskLine())
    answer: asyncio.Future[tuple[int, bool]] = loop.create_future()
    line.waiting.append((registering, answer))
    if line.worker is None:
        # A context of its own: the batch is nobody's request (no request's transaction or
        # locale leaks into it), and everyone in it waits, so it goes before newcomers.
        context = contextvars.Context()
        context.run(db_postgres.serve_first)
        line.worker = loop.create_task(_work_through(registering.forum_id, line), context=context)
    return await answer


async def _work_through(forum_id: int, line: _DeskLine) -> None:
    try:
        while line.waiting:
            batch, line.waiting = line.waiting[:BATCH_SIZE], line.waiting[BATCH_SIZE:]
            # Someone who gave up waiting (a closed connection) is not registered.
            batch = [(registering, answer) for registering, answer in batch if not answer.done()]
            if not batch:
                continue
            try:
                outcomes = await _decide_batch(forum_id, [registering for registering, _ in batch])
            except Exception as exc:
                log.exception("registrations for forum %s could not be decided", forum_id)
                outcomes = [exc] * len(batch)
            for (_, answer), outcome in zip(batch, outcomes, strict=True):
                if answer.done():
                    continue
                if isinstance(outcome, BaseException):
                    answer.set_exception(outcome)
                else:
                    answer.set_result(outcome)
    finally:
        line.worker = None
        for _, answer in line.waiting:
            answer.cancel()
        line.waiting.clear()


async def _decide_batch(
    forum_id: int, batch: Sequence[_Registering]
) -> list[tuple[int, bool] | Exception]:
    """Decide ``batch`` in arrival order in one transaction; a refusal leaves the others alone.

    A registration with consent decisions gets a savepoint (they are checked as they are
    written); the others are refused, if at all, before they write anything: no round trips
    are spent on savepoints they do not need while the desk is locked.
    """
    outcomes: list[tuple[int, bool] | Exception] = []
    async with db.transaction() as transaction:
        desk = await _lock_desk(forum_id)
        capacity = await _capacity(forum_id)
        facts = await _forum_facts(forum_id)
        for registering in batch:
            savepoint = await transaction.savepoint() if registering.consent_decisions else None
            try:
                outcomes.append(await _decide_one(desk, capacity, facts, registering))
            except (DomainError, *db.INTEGRITY_ERRORS) as exc:
                if not isinstance(exc, DomainError) and not db.is_unique_violation(exc):
                    raise
                if savepoint is not None:
                    await savepoint.rollback_to()
                elif not isinstance(exc, DomainError):
                    raise  # a failed statement spoils the transaction: the batch fails
                outcomes.append(exc)
            else:
                if savepoint is not None:
                    await savepoint.release()
    return outcomes


async def _own_row(forum: ForumRef, user_id: int) -> dict[str, Any]:
    row = (
        await Registration.select(*_ROW_COLUMNS)
        .where(Registration.forum == forum.id, Registration.user == user_id)
        .first()
    )
    if row is None:
        raise NotFound(
            "registration_not_found", N_("There is no registration of yours for this forum.")
        )
    return dict(row)


async def my_registration(principal: Principal, slug: str) -> schemas.Registration:
    """The caller's registration for the forum."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    row = await _own_row(forum, principal.user_id)
    return await _view(forum, row["id"])


async def update_my_registration(
    principal: Principal, slug: str, data: schemas.RegistrationUpdate
) -> schemas.Registration:
    """Change the details of the caller's registration; its status stays as it is."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    row = await _own_row(forum, principal.user_id)
    await refuse_if_shredded(forum.id)
    current = (
        await Registration.select(
            Registration.arrival_date, Registration.departure_date, Registration.answers
        )
        .where(Registration.id == row["id"])
        .first()
    ) or {"answers": "{}"}
    details = _details(data)
    questions = (await desk_of(forum.id)).questions
    problems = [
        *_registration_problems({**current, **details}),
        *not_asked_problems(questions, details),
    ]
    if not isinstance(data.answers, UnsetType):
        answers, answer_errors = answer_problems(
            questions, data.answers, required_keys=data.answers
        )
        problems.extend(answer_errors)
        kept = {
            key: value
            for key, value in (stored_json(current["answers"]) or {}).items()
            if key not in data.answers
        }
        details["answers"] = {**kept, **answers}
    if problems:
        raise InvalidInput(*problems)
    if details:
        await Registration.update(
            {
                **{getattr(Registration, name): value for name, value in details.items()},
                Registration.updated_at: now(),
            }
        ).where(Registration.id == row["id"])
    return await _view(forum, row["id"])


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
        desk = await _lock_desk(forum.id)
        row = (
            await Registration.select(*_ROW_COLUMNS)
            .where(Registration.id == registration_id, Registration.forum == forum.id)
            .first()
        )
        if row is None:
            raise NotFound("registration_not_found")
        current = Status(row["status"])
        if current not in _ALLOWED_FROM[action]:
            raise Conflict(
                "action_not_allowed",
                N_("A registration with the status “{current}” cannot be {action}."),
                current=_status_name(current),
                action=LazyProxy(gettext, ACTION_LABELS[action], enable_cache=False),
            )
        facts = await _forum_facts(forum.id)
        if action == schemas.DecisionAction.APPROVE:
            status, ticket, badge = await _seat_or_ticket(forum.id)
            await _move(
                row, status, facts, actor=actor, reason=reason, ticket=ticket, badge_number=badge
            )
            return
        if action == schemas.DecisionAction.CHECK_IN:
            check_in_open(forum)
            await _move(row, Status.ATTENDED, facts, actor=actor, reason=reason)
            return
        target = Status.DECLINED if action == schemas.DecisionAction.DECLINE else Status.CANCELLED
        await _move(row, target, facts, actor=actor, reason=reason)
        if current == Status.CONFIRMED:
            await _free_seat(forum.id)
            await _fill_free_seats(desk, facts)


async def decide(
    principal: Principal, slug: str, registration_id: int, decision: schemas.Decision
) -> schemas.Registration:
    """Approve, decline, cancel or check in a registration (the forum's organizers)."""
    forum = await editable_forum(principal, slug)
    await _act(forum, registration_id, decision.action, principal.user_id, decision.reason.strip())
    return await _view(forum, registration_id)


async def cancel_registration(forum: ForumRef, registration_id: int, actor: int | None) -> None:
    """Cancel a registration on behalf of its person (erasure): a held seat goes on as usual."""
    await _act(forum, registration_id, schemas.DecisionAction.CANCEL, actor, "")


async def cancel_my_registration(
    principal: Principal, slug: str, data: schemas.Cancellation
) -> schemas.Registration:
    """Cancel the caller's registration; a seat it held goes to the next person waiting."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    row = await _own_row(forum, principal.user_id)
    await _act(
        forum, row["id"], schemas.DecisionAction.CANCEL, principal.user_id, data.reason.strip()
    )
    return await _view(forum, row["id"])


async def registration(
    principal: Principal, slug: str, registration_id: int
) -> schemas.Registration:
    """One registration of the forum (organizers)."""
    forum = await editable_forum(principal, slug)
    if not await Registration.exists().where(
        Registration.id == registration_id, Registration.forum == forum.id
    ):
        raise NotFound("registration_not_found")
    return await _view(forum, registration_id)


async def history(
    principal: Principal, slug: str, registration_id: int
) -> list[schemas.StatusChange]:
    """Every status of a registration, oldest first (organizers)."""
    forum = await editable_forum(principal, slug)
    if not await Registration.exists().where(
        Registration.id == registration_id, Registration.forum == forum.id
    ):
        raise NotFound("registration_not_found")
    rows = (
        await RegistrationStatusChange.select(
            RegistrationStatusChange.from_status,
            RegistrationStatusChange.to_status,
            RegistrationStatusChange.actor,
            RegistrationStatusChange.actor.display_name.as_alias("actor_name"),
            RegistrationStatusChange.reason,
            RegistrationStatusChange.created_at,
        )
        .where(RegistrationStatusChange.registration == registration_id)
        .order_by(RegistrationStatusChange.id)
    )
    return [
        schemas.StatusChange(
            from_status=status_label(row["from_status"]) if row["from_status"] else None,
            to_status=status_label(row["to_status"]),
            actor_id=row["actor"],
            actor_name=row["actor_name"],
            reason=row["reason"],
            at=row["created_at"],
        )
        for row in rows
    ]


# Organizers' settings --------------------------------------------------------------------------


def _target_problems(targets: Mapping[str, float]) -> list[FieldError]:
    problems: list[FieldError] = []
    for code in targets:
        if not regions.is_region(code) or regions.region(code).level == "intermediate_region":
            problems.append(
                FieldError(
                    N_("There is no region or sub-region with the code {code}."),
                    "unknown_region",
                    pointer=f"/target_shares/{code}",
                    params={"code": code},
                )
            )
        elif regions.region(code).parent in targets:
            problems.append(
                FieldError(
                    N_("This region lies within another region that has a target."),
                    "overlapping_regions",
                    pointer=f"/target_shares/{code}",
                )
            )
    if sum(targets.values()) > 100 + 1e-9:
        problems.append(
            FieldError(
                N_("The target shares add up to more than 100 %."),
                "shares_above_total",
                pointer="/target_shares",
            )
        )
    return problems


def _settings(desk: Desk, capacity: int | None) -> schemas.RegistrationSettings:
    return schemas.RegistrationSettings(
        requires_approval=desk.requires_approval,
        regional_balance=desk.regional_balance,
        target_shares=[
            schemas.TargetShare(
                region=code,
                name=regions.name(code),
                share=share,
                share_text=format_percent(share / 100, decimals=1 if share % 1 else 0),
            )
            for code, share in sorted(desk.target_shares.items(), key=lambda item: -item[1])
        ],
        capacity=capacity,
        seats_taken=desk.seats_taken,
        built_in_questions={
            question: question not in desk.questions.off for question in schemas.BuiltInQuestion
        },
        questions=desk.questions.schemas(),
    )


async def registration_form(principal: Principal, slug: str) -> schemas.RegistrationForm:
    """What the forum's registration form asks (everyone who may see the forum)."""
    forum = await visible_forum(principal, slug)
    questions = (await desk_of(forum.id)).questions
    return schemas.RegistrationForm(
        built_in_questions=questions.asked(), questions=questions.schemas()
    )


async def registration_settings(principal: Principal, slug: str) -> schemas.RegistrationSettings:
    forum = await editable_forum(principal, slug)
    return _settings(await desk_of(forum.id), await _capacity(forum.id))


async def update_registration_settings(
    principal: Principal, slug: str, data: schemas.RegistrationSettingsUpdate
) -> schemas.RegistrationSettings:
    """Change approval, regional balance, targets and the form's questions; free seats are
    filled by the new rules."""
    forum = await editable_forum(principal, slug)
    changes: dict[Any, Any] = {}
    if not isinstance(data.requires_approval, UnsetType):
        changes[RegistrationDesk.requires_approval] = data.requires_approval
    if not isinstance(data.regional_balance, UnsetType):
        changes[RegistrationDesk.regional_balance] = data.regional_balance
    if not isinstance(data.target_shares, UnsetType):
        problems = _target_problems(data.target_shares)
        if problems:
            raise InvalidInput(*problems)
        changes[RegistrationDesk.target_shares] = {
            code: float(share) for code, share in data.target_shares.items()
        }
    if not isinstance(data.questions, UnsetType):
        stored, problems = stored_questions(data.questions)
        if problems:
            raise InvalidInput(*problems)
        changes[RegistrationDesk.questions] = stored
    async with db.transaction():
        locked = await _lock_desk(forum.id)
        if not isinstance(data.built_in_questions, UnsetType):
            off = set(locked.questions.off)
            for question, asked in data.built_in_questions.items():
                (off.discard if asked else off.add)(question)
            changes[RegistrationDesk.questions_off] = sorted(question.value for question in off)
        if changes:
            await RegistrationDesk.update(changes).where(RegistrationDesk.forum == forum.id)
        desk = await _lock_desk(forum.id)
        await _fill_free_seats(desk)
    return _settings(await desk_of(forum.id), await _capacity(forum.id))


# Reacting to forums ----------------------------------------------------------------------------


async def on_forum_change(change: ForumChange) -> None:
    """Invite the interested when registration opens; fill seats a larger capacity adds;
    cancel registrations and tell everyone when the forum is cancelled."""
    forum_id = change.before.id
    if change.changes.get("status") == ForumStatus.REGISTRATION_OPEN:
        await _invite(forum_id, Interest.forum == forum_id)
    if change.changes.get("status") == ForumStatus.CANCELLED:
        await _cancel_with_forum(forum_id, change.actor)
    if "capacity" in change.changes:
        before, after = change.before.capacity, change.changes["capacity"]
        if before is not None and (after is None or after > before):
            await _fill_free_seats(await _lock_desk(forum_id))


async def _cancel_with_forum(forum_id: int, actor: int | None) -> None:
    """Cancel every registration that holds or waits for a seat, and tell the interested.

    Runs in the transaction that cancels the forum. Each registration is moved by a conditional
    update from the status read under the desk's lock, with its history entry, its workshop
    places given back and one mail; seats freed stay free, since everyone waiting is cancelled
    too. Run again (a retried change), it finds nothing left to cancel or to tell.
    """
    await _lock_desk(forum_id)
    rows = (
        await Registration.select(*_ROW_COLUMNS)
        .where(
            Registration.forum == forum_id,
            Registration.status.is_in([status.value for status in ACTIVE]),
        )
        .order_by(Registration.id)
    )
    facts = await _forum_facts(forum_id)
    for row in rows:
        await _move(row, Status.CANCELLED, facts, actor=actor, template=mails.FORUM_CANCELLED)
        if row["status"] == Status.CONFIRMED.value:
            await _free_seat(forum_id)
    await _tell_interest_of_cancellation(forum_id, facts)


async def _tell_interest_of_cancellation(forum_id: int, facts: _ForumFacts) -> None:
    """Mail confirmed interest of people who never registered that the forum is cancelled.

    Whoever registered hears it through their registration. The conditional update claims each
    row once, like the invitations.
    """
    rows = await (
        Interest.update({Interest.cancellation_sent_at: now()})
        .where(
            Interest.forum == forum_id,
            Interest.confirmed_at.is_not_null(),
            Interest.cancellation_sent_at.is_null(),
            Interest.anonymized_at.is_null(),
            WhereRaw(
                "email NOT IN (SELECT u.email FROM registration r "
                'JOIN account_user u ON u.id = r."user" WHERE r.forum = {})',
                forum_id,
            ),
        )
        .returning(Interest.email, Interest.given_name, Interest.locale)
    )
    for row in rows:
        await queue_mail(
            mails.FORUM_CANCELLED_INTEREST,
            to=row["email"],
            locale=row["locale"],
            context={**facts.context(), "given_name": row["given_name"]},
        )


# Interest --------------------------------------------------------------------------------------


def _interest_problems(data: schemas.InterestCreate, email: str) -> list[FieldError]:
    found = [
        email_problem(email),
        locale_problem(data.locale),
        country_problem(data.country),
        required_problem(data.given_name, "/given_name"),
        required_problem(data.family_name, "/family_name"),
    ]
    problems = [problem for problem in found if problem is not None]
    if data.wants_to_present and not data.presentation_topic.strip():
        problems.append(
            FieldError(
                N_("Please name the topic of the example you would like to present."),
                "required",
                pointer="/presentation_topic",
            )
        )
    return problems


def _interest_open(forum: ForumRef) -> None:
    if (
        forum.status != ForumStatus.ANNOUNCED
        or now() >= forum.ends_at
        or (forum.interest_deadline is not None and now() > forum.interest_deadline)
    ):
        raise Conflict(
            "interest_closed",
            N_("This forum does not collect expressions of interest at the moment."),
        )


async def express_interest(
    slug: str, data: schemas.InterestCreate, mail_throttle: MailThrottle
) -> schemas.InterestReceipt:
    """Record interest (or update an unconfirmed one) and mail the confirmation link.

    The answer is the same for a new, a repeated and an already confirmed address, so that it
    tells nobody who is interested in what; past ``mail_throttle``'s bound for the address
    nothing is recorded or sent, and the answer is still the same.
    """
    forum = await forum_ref(slug)
    if forum.status == ForumStatus.DRAFT:
        raise NotFound("forum_not_found")
    _interest_open(forum)
    email = normalize_email(data.email)
    problems = _interest_problems(data, email)
    if problems:
        raise InvalidInput(*problems)
    receipt = schemas.InterestReceipt(
        message=gettext(
            N_("Thank you. Please confirm your interest with the link we have sent to {email}."),
            email=email,
        )
    )
    # Checked before the token changes, so that the link mailed last keeps working.
    if not await mail_throttle.allow("interest", email):
        return receipt
    country = data.country.strip().upper()
    token, hashed = new_token()
    stamp = now()
    group, level = data.stakeholder_group, data.government_level
    values: dict[str, Any] = {
        "given_name": data.given_name.strip(),
        "family_name": data.family_name.strip(),
        "organization_name": data.organization.strip(),
        "locale": data.locale,
        "country": country,
        "region": regions.region_of(country),
        "sub_region": regions.sub_region_of(country),
        "stakeholder_group": group.value if group else None,
        "government_level": level.value if level else None,
        "wants_to_present": data.wants_to_present,
        "presentation_topic": data.presentation_topic.strip(),
        "token_hash": hashed,
        "link_sent_at": stamp,
        "updated_at": stamp,
    }
    async with db.transaction():
        inserted = await (
            Interest.insert(
                Interest(
                    forum=forum.id,
                    email=email,
                    created_at=stamp,
                    **values,
                )
            )
            .on_conflict(target=(Interest.forum, Interest.email), action="DO NOTHING")
            .returning(Interest.id)
        )
        if not inserted:
            # Repeating unconfirmed interest updates it and sends a fresh link; confirmed
            # interest stays as it was.
            inserted = await (
                Interest.update(**values)
                .where(
                    Interest.forum == forum.id,
                    Interest.email == email,
                    Interest.confirmed_at.is_null(),
                )
                .returning(Interest.id)
            )
        if inserted:
            facts = await _forum_facts(forum.id)
            await queue_mail(
                mails.INTEREST_CONFIRMATION,
                to=email,
                locale=data.locale,
                context={
                    **facts.context(),
                    "given_name": data.given_name.strip(),
                    "link": f"{facts.link(mails.CONFIRM_INTEREST_PATH)}?token={token}",
                },
            )
    return receipt


async def confirm_interest(slug: str, token: str) -> schemas.InterestReceipt:
    """Confirm interest with the mailed token (again: harmless); invites at once if open.

    A link is valid for ``MUPASS_INTEREST_LINK_DAYS`` after it was mailed; an expired one is
    ``Gone``, and expressing interest again mails a fresh one. A cancelled forum takes none.
    """
    forum = await forum_ref(slug)
    if forum.status == ForumStatus.CANCELLED:
        raise Conflict(
            "forum_cancelled",
            N_("This forum has been cancelled, so there is no interest to confirm any more."),
        )
    hashed = token_hash(token)
    stamp = now()
    async with db.transaction():
        confirmed = await (
            Interest.update({Interest.confirmed_at: stamp})
            .where(
                Interest.forum == forum.id,
                Interest.token_hash == hashed,
                Interest.confirmed_at.is_null(),
                Interest.link_sent_at >= stamp - _interest_link_lifetime,
            )
            .returning(Interest.id)
        )
        if not confirmed:
            found = (
                await Interest.select(Interest.confirmed_at)
                .where(Interest.forum == forum.id, Interest.token_hash == hashed)
                .first()
            )
            if found is None:
                raise InvalidInput(
                    FieldError(
                        N_(
                            "This confirmation link is not valid. Please register your "
                            "interest again."
                        ),
                        "invalid_token",
                        pointer="/token",
                    )
                )
            if found["confirmed_at"] is None:
                raise Gone(
                    "interest_link_expired",
                    N_(
                        "This confirmation link has expired. Please register your interest "
                        "again: we will send you a new link."
                    ),
                )
        if confirmed and forum.status == ForumStatus.REGISTRATION_OPEN:
            await _invite(forum.id, Interest.id == confirmed[0]["id"])
    return schemas.InterestReceipt(message=gettext(N_("Thank you, your interest is confirmed.")))


async def _invite(forum_id: int, which: Any) -> int:
    """Mail the invitation to confirmed interest not yet invited; claims each one once.

    The conditional update is the claim: of two transactions (a forum opened twice, two server
    processes), only the one whose update set ``invitation_sent_at`` queues the mail.
    """
    rows = await (
        Interest.update({Interest.invitation_sent_at: now()})
        .where(
            which,
            Interest.forum == forum_id,
            Interest.confirmed_at.is_not_null(),
            Interest.invitation_sent_at.is_null(),
        )
        .returning(Interest.email, Interest.given_name, Interest.locale)
    )
    if not rows:
        return 0
    facts = await _forum_facts(forum_id)
    for row in rows:
        await queue_mail(
            mails.INVITATION,
            to=row["email"],
            locale=row["locale"],
            context={
                **facts.context(),
                "given_name": row["given_name"],
                "link": facts.link(mails.REGISTRATION_PATH),
            },
        )
    return len(rows)


# Reading registrations -------------------------------------------------------------------------

_LIST_SELECT = (
    'SELECT r.id, r."user" AS user_id, r.status, r.ticket, r.badge_number, r.arrival_date, '
    "r.departure_date, r.dietary_needs, r.accessibility_needs, r.needs_visa_letter, "
    "r.travel_support_requested, r.interpretation_languages, r.answers, r.created_at, "
    "r.updated_at, "
    "u.display_name, u.email, p.given_name, p.family_name, p.organization_name, p.country, "
    "p.region, p.sub_region, p.stakeholder_group, p.government_level, "
    "CASE WHEN r.status = 'waitlisted' THEN (SELECT COUNT(*) FROM registration w "
    "WHERE w.forum = r.forum AND w.status = 'waitlisted' AND w.ticket <= r.ticket) END "
    "AS position "
    'FROM registration r JOIN account_user u ON u.id = r."user" '
    'LEFT JOIN participant_profile p ON p."user" = r."user" '
)


@dataclass(frozen=True, slots=True)
class RegistrationFilter:
    status: Status | None = None
    region: str | None = None
    country: str | None = None
    needs_visa_letter: bool | None = None
    travel_support_requested: bool | None = None
    #: Words each found in the name, e-mail address or institution; a number is a badge number.
    q: str | None = None
    #: Only registrations that asked for this.
    need: schemas.RegistrationNeed | None = None


#: Longest search text; longer ones are cut rather than refused.
SEARCH_LENGTH = 100

#: The columns a search looks in (LOWER on both sides: the same on both databases).
_SEARCHED = ("p.given_name", "p.family_name", "u.display_name", "u.email", "p.organization_name")

#: What "asked for" means for each need, as a condition on ``r``.
_NEEDS: Mapping[schemas.RegistrationNeed, str] = {
    schemas.RegistrationNeed.VISA_LETTER: "r.needs_visa_letter = {}",
    schemas.RegistrationNeed.TRAVEL_SUPPORT: "r.travel_support_requested = {}",
    # The JSON list as stored: "[]" when no language was asked for.
    schemas.RegistrationNeed.INTERPRETATION: (
        "(CAST(r.interpretation_languages AS TEXT) NOT IN ('[]', 'null')) = {}"
    ),
    schemas.RegistrationNeed.DIETARY: "(r.dietary_needs <> '') = {}",
    schemas.RegistrationNeed.ACCESSIBILITY: "(r.accessibility_needs <> '') = {}",
}


def search_words(text: str) -> list[tuple[str, str]]:
    """The words of a search (cut at ``SEARCH_LENGTH``), each with its ``LIKE`` pattern."""
    return [
        (word, "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%")
        for word in text.strip()[:SEARCH_LENGTH].split()
    ]


def _search_conditions(text: str) -> list[Condition]:
    """One condition per word: a number is a badge number, other words are looked for in the
    searched columns."""
    conditions = []
    for word, pattern in search_words(text):
        if word.isdigit():
            # Beyond any badge number (and the database's integers): nobody.
            badge = int(word) if len(word) < 10 else -1
            conditions.append(Condition("r.badge_number = {}", (badge,)))
            continue
        sql = " OR ".join(f"LOWER({column}) LIKE LOWER({{}})" for column in _SEARCHED)
        conditions.append(Condition(f"({sql})", (pattern,) * len(_SEARCHED)))
    return conditions


def check_region(code: str) -> None:
    """Refuse a filter by a region M49 does not know (the query parameter ``region``)."""
    if not regions.is_region(code):
        raise InvalidInput(
            FieldError(
                N_("There is no region with the code {code}."),
                "unknown_region",
                parameter="region",
                params={"code": code},
            )
        )


def _filter_conditions(given: RegistrationFilter) -> list[Condition]:
    # An erased person's registration still counts in the statistics, but is listed nowhere.
    conditions: list[Condition] = [Condition("r.anonymized_at IS NULL", ())]
    if given.status is not None:
        conditions.append(Condition("r.status = {}", (given.status.value,)))
    if given.region is not None:
        check_region(given.region)
        conditions.append(
            Condition("(p.region = {} OR p.sub_region = {})", (given.region, given.region))
        )
    if given.country is not None:
        conditions.append(Condition("p.country = {}", (given.country.strip().upper(),)))
    for name in ("needs_visa_letter", "travel_support_requested"):
        value = getattr(given, name)
        if value is not None:
            conditions.append(Condition(f"r.{name} = {{}}", (value,)))
    if given.need is not None:
        conditions.append(Condition(_NEEDS[given.need], (True,)))
    if given.q:
        conditions += _search_conditions(given.q)
    return conditions


def _person(row: Mapping[str, Any]) -> schemas.Person:
    country, region = row["country"], row["region"]
    return schemas.Person(
        user_id=row["user_id"],
        display_name=row["display_name"],
        email=row["email"],
        given_name=row["given_name"] or "",
        family_name=row["family_name"] or "",
        organization=row["organization_name"] or "",
        country=country,
        country_name=regions.name(country) if country else None,
        region=region,
        region_name=regions.name(region) if region else None,
        sub_region=row["sub_region"],
        stakeholder_group=row["stakeholder_group"],
        government_level=row["government_level"],
    )


def _registration(slug: str, row: Mapping[str, Any]) -> schemas.Registration:
    return schemas.Registration(
        id=row["id"],
        forum=slug,
        person=_person(row),
        status=status_label(row["status"]),
        position=int(row["position"]) if row["position"] is not None else None,
        badge_number=row["badge_number"],
        arrival_date=_as_date(row["arrival_date"]),
        departure_date=_as_date(row["departure_date"]),
        dietary_needs=row["dietary_needs"],
        accessibility_needs=row["accessibility_needs"],
        needs_visa_letter=bool(row["needs_visa_letter"]),
        travel_support_requested=bool(row["travel_support_requested"]),
        interpretation_languages=list(stored_json(row["interpretation_languages"]) or []),
        answers=dict(stored_json(row["answers"]) or {}),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def _rows(where: Sequence[Condition], order: str, limit: int | None) -> list[dict[str, Any]]:
    sql = _LIST_SELECT + "WHERE " + " AND ".join(f"({c.sql})" for c in where) + f" ORDER BY {order}"
    args = [arg for c in where for arg in c.args]
    if limit is not None:
        sql += " LIMIT {}"
        args.append(limit)
    return [dict(row) for row in await Registration.raw(sql, *args)]


async def _view(forum: ForumRef, registration_id: int) -> schemas.Registration:
    # One row by its key: inline on SQLite, the answer need not queue for a reader thread.
    rows = await db.read_indexed(_LIST_SELECT + "WHERE r.id = {}", registration_id)
    if not rows:
        raise NotFound("registration_not_found")
    return _registration(forum.slug, rows[0])


def _encode_cursor(value: int) -> str:
    return pagination.encode_cursor([value])


def _decode_cursor(cursor: str) -> int:
    (value,) = pagination.decode_cursor(cursor, tuple[int])
    return value


#: Keyset cursors over one integer column, for the lists of the domains built on registrations.
encode_id_cursor = _encode_cursor
decode_id_cursor = _decode_cursor


async def _page(
    forum: ForumRef, where: list[Condition], key: str, cursor: str | None, limit: int
) -> schemas.RegistrationPage:
    """One page ordered by the column ``key`` of ``r`` (unique within a forum's page)."""
    if cursor is not None:
        where = [*where, Condition(f"r.{key} > {{}}", (_decode_cursor(cursor),))]
    rows = await _rows(where, f"r.{key}", limit + 1)
    page = rows[:limit]
    return schemas.RegistrationPage(
        items=[_registration(forum.slug, row) for row in page],
        next_cursor=_encode_cursor(page[-1][key]) if len(rows) > limit else None,
    )


async def list_registrations(
    principal: Principal,
    slug: str,
    given: RegistrationFilter,
    cursor: str | None,
    limit: int,
) -> schemas.RegistrationPage:
    """A forum's registrations in the order they came in, a page at a time (organizers)."""
    forum = await editable_forum(principal, slug)
    where = [Condition("r.forum = {}", (forum.id,)), *_filter_conditions(given)]
    return await _page(forum, where, "id", cursor, limit)


async def waiting_list(
    principal: Principal, slug: str, cursor: str | None, limit: int
) -> schemas.RegistrationPage:
    """The waiting list in its order, position 1 first (organizers)."""
    forum = await editable_forum(principal, slug)
    where = [
        Condition("r.forum = {}", (forum.id,)),
        Condition("r.status = {}", (Status.WAITLISTED.value,)),
    ]
    return await _page(forum, where, "ticket", cursor, limit)


async def all_registrations(
    principal: Principal, slug: str, given: RegistrationFilter
) -> tuple[ForumRef, list[schemas.Registration]]:
    """Every registration matching ``given``, for exports (organizers); one query."""
    forum = await editable_forum(principal, slug)
    where = [Condition("r.forum = {}", (forum.id,)), *_filter_conditions(given)]
    rows = await _rows(where, "r.id", None)
    return forum, [_registration(forum.slug, row) for row in rows]


# Attendance, for the participant directory -----------------------------------------------------


class RegisteredAttendance:
    """Who attends a forum: people holding a seat (confirmed or attended).

    Waitlisted, pending, declined and cancelled registrations do not count: someone who may
    never come does not get to see the profiles of those who do.
    """

    async def forums_of(self, user_id: int) -> frozenset[int]:
        rows = await Registration.select(Registration.forum).where(
            Registration.user == user_id,
            Registration.status.is_in([status.value for status in SEATED]),
        )
        return frozenset(int(row["forum"]) for row in rows)

    def attendees_of(self, forum_ids: frozenset[int]) -> Condition:
        ids = sorted(forum_ids)
        marks = ", ".join("{}" for _ in ids)
        return Condition(
            'p."user" IN (SELECT a."user" FROM registration a '  # noqa: S608 (placeholders only)
            f"WHERE a.forum IN ({marks}) AND a.status IN ('confirmed', 'attended'))",
            tuple(ids),
        )
